"""The ``briefing`` command. The only module that prints or exits.

Exit codes: 0 success, 1 content problems (errors, or warnings under ``--strict``) and
faults of the machine met while running (no Graphviz, a full or read-only disk), 2 usage
errors (bad arguments, missing project files), 128 + N for a build stopped by signal N. Every
fault is one line, never a traceback: the errors page (``generator/errors.md``, ``errors/`` on
the site) lists them under "Environment faults".
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from generator import __version__
from generator.build import lock, outputs, write
from generator.build import workspace as pipeline
from generator.config import CONFIG_FILE, load_project
from generator.content.vocabularies import DEFAULT, Vocabularies
from generator.editorial import diff, scaffold
from generator.editorial.diff_markdown import diff_markdown
from generator.errors import (
    BriefingError,
    ContentError,
    EnvironmentFault,
    Problem,
    explained_at,
    summary,
)
from generator.pdf import edition as pdf
from generator.reference import jsonschema
from generator.render.renderer import TemplateProblem

log = logging.getLogger(__name__)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(BriefingError):
    """The command was called wrongly; exit 2 with this message."""


def _print_problems(problems: Sequence[Problem], fmt: str, site_url: str | None,
                    files: int | None = None, *, counted: bool = True) -> None:
    """Each problem, then (``counted``) the count; then, in text, one line on standard error
    saying where their rules are explained (each GitHub annotation carries its own rule's
    address instead). Standard output stays the listing alone, one problem a line and the
    count last, for scripts and hooks that read it; the pointer is for the person."""
    for problem in problems:
        print(problem.format_github(site_url) if fmt == "github" else problem.format())
    if counted:
        print(summary(problems, files))
    if problems and fmt != "github":
        sys.stdout.flush()  # after the listing, also where both streams go to one log
        print(explained_at(site_url), file=sys.stderr)


def _site_url(root: Path) -> str | None:
    """briefing.yml's site_url, for the errors page's address; None when it has none or
    cannot be read (its problems are then the ones being reported)."""
    try:
        return load_project(root).settings.site_url
    except (ContentError, OSError):
        return None


def _report(exc: ContentError, fmt: str, root: Path) -> None:
    _print_problems(exc.problems, fmt, _site_url(root), exc.files)


def cmd_check(args: argparse.Namespace) -> int:
    root: Path = args.root
    content = root / "content"
    if not content.is_dir():
        raise UsageError(f"no content folder at {content}")
    # Settings (for review freshness) are optional: a content tree can be checked alone.
    project = load_project(root) if (root / CONFIG_FILE).is_file() else None
    settings = project.settings if project is not None else None
    result = pipeline.Workspace(root).check(project)
    _print_problems(result.problems, args.format, settings.site_url if settings else None,
                    result.files)
    if result.errors or (args.strict and result.problems):
        return EXIT_PROBLEMS
    return EXIT_OK


def _vocabularies(root: Path) -> Vocabularies:
    """The briefing's words (briefing.yml's), or the built-in ones in a project without
    settings; raises ContentError when its settings are wrong."""
    return load_project(root).settings.words if (root / CONFIG_FILE).is_file() else DEFAULT


def cmd_schema(args: argparse.Namespace) -> int:
    # The schemas offer the briefing's own words to editors' completion.
    words = _vocabularies(args.root)
    if args.check:
        stale = jsonschema.stale(args.root, words)
        for name in stale:
            print(f"{name}: out of date; run 'briefing schema' to regenerate")
        return EXIT_PROBLEMS if stale else EXIT_OK
    changed = jsonschema.write(args.root, words)
    for name in changed:
        print(f"wrote {name}")
    if not changed:
        print("schemas and field reference are up to date")
    return EXIT_OK


def _prepare(workspace: pipeline.Workspace) -> pipeline.Prepared:
    """Validate and render; problems are printed by main() through ContentError."""
    prepared = workspace.build()
    _print_problems(prepared.warnings, "text", prepared.project.settings.site_url,
                    counted=False)
    return prepared


def cmd_build(args: argparse.Namespace) -> int:
    given: Path = args.site_dir if args.site_dir.is_absolute() else args.root / args.site_dir
    site_dir = _output(given, args.root, f"--site-dir {args.site_dir}", folder=True)
    return _alone(args, lambda stopper: _build(args, given, site_dir, stopper),
                  f"{given.name}/ was left as it was")


def _build(args: argparse.Namespace, given: Path, site_dir: Path, stopper: _Stopper) -> int:
    # MkDocs is imported only by commands that build the site.
    from generator.site import plugin  # noqa: PLC0415

    os.environ["SOURCE_DATE_EPOCH"] = pipeline.source_date_epoch(args.root)
    # The book is laid out by a process of its own, started first (it loads WeasyPrint while
    # the content is checked) and working while MkDocs builds the site.
    layout = None if args.no_pdf else pdf.Layout(paper=args.paper)
    try:
        workspace = pipeline.Workspace(args.root)
        prepared = _prepare(workspace)
        if args.strict and prepared.warnings:
            print(summary(prepared.warnings, prepared.files))
            print(f"briefing: build stopped: --strict makes warnings fatal; {site_dir.name}/ "
                  "was left as it was", file=sys.stderr)
            return EXIT_PROBLEMS
        if layout is not None:
            layout.submit_briefing(prepared)
        try:
            staging = write.Staging(site_dir)
        except OSError as exc:
            print(f"briefing: build failed; cannot write {given}: "
                  f"{write.why_not_written(exc)}", file=sys.stderr)
            return EXIT_PROBLEMS
        with staging:  # removed on the way out unless published
            # The plugin is handed the workspace, so MkDocs' run re-reads and re-renders
            # nothing. (mkdocs empties the staging folder first: the PDF is written after.)
            plugin.build_site(args.root, staging.path, strict=True, workspace=workspace,
                              publish_to=site_dir)
            if layout is not None:
                layout.finish(staging.path / pdf.PDF_NAME)
            with stopper.held_off():  # a signal now waits until the new site is in place
                try:
                    staging.publish()
                except OSError as exc:
                    print(f"briefing: build failed; cannot write {given}: "
                          f"{write.why_not_written(exc)}", file=sys.stderr)
                    return EXIT_PROBLEMS
                stopper.outcome = f"{given.name}/ holds the new build"
    except (plugin.BuildFailed, pdf.PdfError) as exc:
        what = "the print edition failed: " if isinstance(exc, pdf.PdfError) else ""
        print(f"briefing: build failed; {given.name}/ was left as it was\n{what}{exc}",
              file=sys.stderr)
        return EXIT_PROBLEMS
    except outputs.OutputRefused as exc:  # an overlap only mkdocs.yml's docs_dir reveals
        raise UsageError(str(exc)) from None
    finally:
        if layout is not None:
            layout.cancel()  # nothing left to do once it has finished
    link = f" (a link to {site_dir})" if given.is_symlink() else ""
    print(f"built {given}{link}: {len(prepared.pages)} pages from {prepared.files} fact sheets"
          + ("" if args.no_pdf else f", and {pdf.PDF_NAME}"))
    return EXIT_OK


def cmd_pdf(args: argparse.Namespace) -> int:
    if str(args.output) == STANDARD_OUTPUT:
        # The PDF's bytes go to standard output; everything said meanwhile goes to stderr.
        stream = sys.stdout.buffer
        with contextlib.redirect_stdout(sys.stderr):
            return _alone(args, lambda stopper: _pdf(args, stream, stopper),
                          "nothing was written")
    given: Path = args.output if args.output.is_absolute() else args.root / args.output
    output = _output(given, args.root, f"--output {args.output}", folder=False)
    return _alone(args, lambda stopper: _pdf(args, output, stopper),
                  f"{given} was left as it was")


def _pdf(args: argparse.Namespace, output: Path | BinaryIO, stopper: _Stopper) -> int:
    os.environ["SOURCE_DATE_EPOCH"] = pipeline.source_date_epoch(args.root)
    try:
        # Started first: the layout process loads WeasyPrint while the content is checked.
        with pdf.Layout(paper=args.paper) as job:
            job.submit_briefing(_prepare(pipeline.Workspace(args.root)))
            pages = job.finish(output)  # atomic: a stop while writing leaves the old file
            stopper.outcome = "the print edition was written"
    except pdf.PdfError as exc:
        print(f"briefing: the print edition failed: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except ContentError as exc:
        if isinstance(output, Path):
            raise  # main() prints the problems
        _report(exc, "text", args.root)  # on stderr, not into the PDF's stream
        return EXIT_PROBLEMS
    if isinstance(output, Path):
        print(f"wrote {output} ({pages} pages)")
    else:
        print(f"wrote the print edition to standard output ({pages} pages)")
    return EXIT_OK


# --- where outputs go, one build at a time, and signals ----------------------------------------

#: ``--output -``: the PDF to standard output.
STANDARD_OUTPUT = "-"


def _output(given: Path, root: Path, named: str, *, folder: bool) -> Path:
    """Where writing ``given`` lands (links followed); a UsageError, before anything is
    touched, if that would hold or replace an input of the project, or if a file stands where
    a folder is to be written (or anything but a regular file where a file is)."""
    advice = outputs.SITE_ADVICE if folder else outputs.PDF_ADVICE
    try:
        outputs.refuse_overlap(given, outputs.project_inputs(root), named=named, advice=advice)
        if folder:
            return write.folder_target(given, pipeline.JSON_NAME)
        return write.file_target(given)
    except outputs.OutputRefused as exc:
        raise UsageError(str(exc)) from None
    except (write.NotAFile, write.NotAFolder, write.NotASite) as exc:
        raise UsageError(f"{named}: {exc.strerror}; {advice}") from None


class _Stopped(BaseException):
    """A signal asked the command to stop: raised where the command was, so that every
    clean-up on the way out runs (the staging folder, the layout process, the lock)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class _Stopper:
    """While a build runs, SIGINT (Ctrl-C), SIGTERM (a service manager, CI cancelling a job,
    ``timeout``) and SIGHUP (a closed terminal) raise _Stopped instead of ending the process
    where it stands; a second one is ignored, so that the clean-up finishes. Inside
    ``held_off`` (the swap) a signal waits until the block ends."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self) -> None:
        self.outcome = ""  # what a stop leaves, for its message
        self._held = False
        self._pending: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Stopper:
        if threading.current_thread() is threading.main_thread():  # where Python runs handlers
            self._previous = {s: signal.signal(s, self._stop) for s in self.SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _stop(self, signum: int, frame: object) -> None:
        if self._held:
            self._pending = self._pending or signum
            return
        for number in self.SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        raise _Stopped(signum)

    @contextlib.contextmanager
    def held_off(self) -> Iterator[None]:
        self._held = True
        try:
            yield
        finally:
            self._held = False
        if self._pending is not None:
            self._stop(self._pending, None)


def _alone(args: argparse.Namespace, command: Callable[[_Stopper], int], outcome: str) -> int:
    """Run ``command`` as the project's only build (waiting for another, or exit 1 with
    ``--no-wait``), a signal turned into a clean stop (exit 128 + its number)."""
    project_lock = lock.ProjectLock(args.root)
    with _Stopper() as stopper:
        stopper.outcome = outcome
        try:
            try:
                try:
                    project_lock.acquire(wait=False)
                except lock.Busy as busy:
                    if not args.wait:
                        print(f"briefing: {busy} in {args.root}; wait for it to finish, or "
                              "run this command with --wait", file=sys.stderr)
                        return EXIT_PROBLEMS
                    print(f"briefing: {busy} in {args.root}; waiting for it to finish",
                          file=sys.stderr)
                    project_lock.acquire(wait=True)
            except lock.Unavailable as exc:
                print(f"briefing: warning: {exc}; builds of this project are not kept apart",
                      file=sys.stderr)
            return command(stopper)
        except _Stopped as stop:
            print(f"briefing: stopped by {signal.Signals(stop.signum).name}; "
                  f"{stopper.outcome}", file=sys.stderr)
            return 128 + stop.signum
        finally:
            project_lock.release()


def cmd_diff(args: argparse.Namespace) -> int:
    if args.head is None and not (args.root / "content").is_dir():
        raise UsageError(f"no content folder at {args.root / 'content'}")
    try:
        result = diff.semantic_diff(args.root, args.base, args.head,
                                    _vocabularies(args.root))
    except diff.GitError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(result.to_json() if args.format == "json" else diff_markdown(result))
    # Content with errors at BASE is reported, not failed: a change that repairs it must pass.
    return EXIT_OK if result.head.valid else EXIT_PROBLEMS


def cmd_new(args: argparse.Namespace) -> int:
    try:
        created = scaffold.new_sheet(args.root, args.kind, args.id,
                                     vocabularies=_vocabularies(args.root))
    except scaffold.ScaffoldUsageError as exc:
        raise UsageError(str(exc)) from None
    except scaffold.ScaffoldRefused as exc:
        print(f"briefing: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"wrote {created.display}")
    for note in created.notes:
        print(f"next: {note}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="Check and publish a briefing kept as YAML fact sheets under content/.",
    )
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        help="project folder holding briefing.yml, content/ and briefings/ (default: .)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "check",
        help="validate every fact sheet and report all problems",
        description="Validate every fact sheet under content/ and print every problem, "
        "one per line as path:line:column: message [rule]. Exit 1 on errors.",
    )
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")
    p.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="text (default) or GitHub Actions annotation lines",
    )
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "schema",
        help="write schemas/ and docs/reference.md from the content model",
        description="Regenerate schemas/<kind>.schema.json and the field reference page "
        "docs/reference.md from the content model; the schemas are what "
        "editors' YAML language servers use for completion and errors.",
    )
    p.add_argument(
        "--check", action="store_true", help="only report stale schema files (exit 1 if any)"
    )
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser(
        "build",
        help="validate, then build the site and the PDF into site/",
        description="Validate the content, build the MkDocs site (strictly: a broken link "
        "fails it) and the PDF print edition into a staging folder, then swap it in place of "
        "site/ in one step. Content errors stop the build; content warnings are printed and do "
        "not, unless --strict. A failed build leaves the previous site/ as it was.",
    )
    p.add_argument("--strict", action="store_true",
                   help="treat content warnings as errors (exit 1, nothing built)")
    p.add_argument("--site-dir", type=Path, default=Path("site"),
                   help="output folder (site); a link is followed (its target updated), a "
                   "mount point updated in place; refused if it is or holds the project folder, "
                   "or is, holds or sits inside content/, docs/, briefings/, .git or a file git "
                   "tracks")
    p.add_argument("--no-pdf", action="store_true", help="build the site only")
    p.add_argument("--paper", choices=pdf.PAPERS, default="a4", help="PDF paper size (a4)")
    _wait_argument(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "pdf",
        help="write the PDF print edition",
        description="Render the briefing as a PDF book (cover, contents, sections, sources).",
    )
    p.add_argument(
        "--output", type=Path, default=Path("site") / "briefing.pdf",
        help="where to write the PDF (site/briefing.pdf): a regular file or a new path, or - "
        "for standard output",
    )
    p.add_argument("--paper", choices=pdf.PAPERS, default="a4", help="paper size (a4)")
    _wait_argument(p)
    p.set_defaults(func=cmd_pdf)

    p = sub.add_parser(
        "diff",
        help="what changed in the content between two git revisions, in editors' words",
        description="Compare the validated content at git revision BASE with HEAD (default: "
        "the working tree): sheets added, removed, renamed; facts added, removed, reworded; "
        "changed fields such as stance or certainty. Prints Markdown for a pull-request "
        "comment, or JSON. Exit 1 if the content at HEAD has errors (errors at BASE are "
        "reported in the output), 2 if BASE or HEAD is not a revision or there is no git "
        "repository.",
    )
    p.add_argument("base", metavar="BASE", help="git revision to compare from, e.g. main")
    p.add_argument("head", metavar="HEAD", nargs="?", default=None,
                   help="git revision to compare to (default: the working tree)")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown",
                   help="markdown (default) or json")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser(
        "new",
        help="write a new, commented fact sheet content/<kind>/<id>.yml",
        description="Write content/<kind>/<id>.yml from the content model: the schema line, "
        "every field with its description, placeholders that validate (replace each TODO), "
        "optional fields commented out. Never overwrites a file (exit 1); an unknown kind or "
        "an id that is not a slug is a usage error (exit 2).",
    )
    p.add_argument("kind", help="sources, actors, plans, terms, positions, events or places "
                   "(singular works too: actor)")
    p.add_argument("id", help="lower-case slug, e.g. andriy-yermak; becomes the file name")
    p.set_defaults(func=cmd_new)
    return parser


def _wait_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait", action=argparse.BooleanOptionalAction, default=True,
        help="while another build or pdf of this project runs, wait for it (the default), or "
        "stop at once with exit 1 (--no-wait)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on usage errors, as argparse does
    args.root = args.root.resolve() if args.root else Path.cwd()
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as exc:
        _report(exc, getattr(args, "format", "text"), args.root)
        return EXIT_PROBLEMS
    except TemplateProblem as exc:
        print(f"briefing: template error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except EnvironmentFault as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except OSError as exc:
        print(f"briefing: {_os_fault(exc, args)}", file=sys.stderr)
        return EXIT_PROBLEMS


def _os_fault(exc: OSError, args: argparse.Namespace) -> str:
    """One line for what the machine refused while a command ran (a disk full, a folder that
    cannot be written): the command, the output it was making, why, what to do, and what was
    kept (commands write their output whole or not at all, so it is as it was before)."""
    output = {
        "build": _under(args.root, getattr(args, "site_dir", None)),
        "pdf": _under(args.root, getattr(args, "output", None)),
        "new": args.root / "content",
    }.get(args.command)
    # A full disk while copying names the file copied from as well: the output is the place.
    names = [Path(n) for n in (exc.filename, exc.filename2) if isinstance(n, str)]
    if output is not None and (not names or write.while_writing(exc)
                               or any(_beside(name, output) for name in names)):
        where = names[0] if args.command == "new" and names else output
        kept = {"build": f" ({output.name}/ was left as it was)",
                "pdf": f" ({output.name} was left as it was)"}.get(args.command, "")
        return f"{args.command} failed; cannot write {where}: {write.why_not_written(exc)}{kept}"
    return (f"{args.command} failed; {names[0] if names else args.root}: "
            f"{exc.strerror or exc}; check that it exists and that you may read it")


def _beside(path: Path, output: Path) -> bool:
    """Whether ``path`` is the output, in it, or in a staging folder beside it."""
    if not path.is_relative_to(output.parent) or path == output.parent:
        return False
    first = path.relative_to(output.parent).parts[0]
    return first == output.name or first.startswith(f".{output.name}.")


def _under(root: Path, path: Path | None) -> Path | None:
    return None if path is None else path if path.is_absolute() else root / path
