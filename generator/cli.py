"""The ``briefing`` command. The only module that prints or exits.

Exit codes: 0 success, 1 content problems (errors, or warnings under ``--strict``),
2 usage errors (bad arguments, missing project files).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__, jsonschema, pdf, pipeline, write
from generator.problems import ContentError, Problem, summary
from generator.validate import check

log = logging.getLogger(__name__)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """The command was called wrongly; exit 2 with this message."""


def _print_problems(problems: Sequence[Problem], fmt: str) -> None:
    for problem in problems:
        print(problem.format_github() if fmt == "github" else problem.format())


def cmd_check(args: argparse.Namespace) -> int:
    root: Path = args.root
    content = root / "content"
    if not content.is_dir():
        raise UsageError(f"no content folder at {content}")
    result = check(content, root)
    _print_problems(result.problems, args.format)
    print(summary(result.problems, result.files))
    if result.errors or (args.strict and result.problems):
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    directory: Path = args.root / "schemas"
    if args.check:
        stale = jsonschema.stale(directory)
        for name in stale:
            print(f"schemas/{name}: out of date; run 'briefing schema' to regenerate")
        return EXIT_PROBLEMS if stale else EXIT_OK
    changed = jsonschema.write(directory)
    for name in changed:
        print(f"wrote schemas/{name}")
    if not changed:
        print("schemas are up to date")
    return EXIT_OK


def _prepare(args: argparse.Namespace) -> pipeline.Prepared:
    """Validate and render; problems are printed by main() through ContentError."""
    prepared = pipeline.prepare(args.root)
    for problem in prepared.warnings:
        print(problem.format())
    return prepared


def cmd_build(args: argparse.Namespace) -> int:
    from generator import plugin  # MkDocs is imported only by commands that build the site

    site_dir: Path = args.site_dir if args.site_dir.is_absolute() else args.root / args.site_dir
    os.environ["SOURCE_DATE_EPOCH"] = pipeline.source_date_epoch(args.root)
    prepared = _prepare(args)
    staged = write.staging_dir(site_dir)
    try:
        plugin.build_site(args.root, staged, strict=True)  # mkdocs empties the folder first
        if not args.no_pdf:
            pdf.write_pdf(prepared, staged / pdf.PDF_NAME, paper=args.paper)
        write.publish(staged, site_dir)
    except plugin.BuildFailed as exc:
        shutil.rmtree(staged, ignore_errors=True)
        print(f"briefing: build failed; {site_dir.name}/ was left as it was\n{exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    print(f"built {site_dir}: {len(prepared.pages)} pages from {prepared.files} fact sheets"
          + ("" if args.no_pdf else f", and {pdf.PDF_NAME}"))
    return EXIT_OK


def cmd_pdf(args: argparse.Namespace) -> int:
    output: Path = args.output if args.output.is_absolute() else args.root / args.output
    os.environ["SOURCE_DATE_EPOCH"] = pipeline.source_date_epoch(args.root)
    prepared = _prepare(args)
    pages = pdf.write_pdf(prepared, output, paper=args.paper)
    print(f"wrote {output} ({pages} pages)")
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
        help="write the JSON Schema files in schemas/ from the content model",
        description="Regenerate schemas/<kind>.schema.json from the content model, which "
        "editors' YAML language servers use for completion and errors.",
    )
    p.add_argument(
        "--check", action="store_true", help="only report stale schema files (exit 1 if any)"
    )
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser(
        "build",
        help="validate, then build the site (strict) and the PDF into site/",
        description="Validate the content, build the MkDocs site with --strict and the PDF "
        "print edition into a staging folder, then swap it in place of site/ in one step. "
        "A failed build leaves the previous site/ as it was.",
    )
    p.add_argument("--site-dir", type=Path, default=Path("site"), help="output folder (site)")
    p.add_argument("--no-pdf", action="store_true", help="build the site only")
    p.add_argument("--paper", choices=pdf.PAPERS, default="a4", help="PDF paper size (a4)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "pdf",
        help="write the PDF print edition",
        description="Render the briefing as a PDF book (cover, contents, sections, sources).",
    )
    p.add_argument(
        "--output", type=Path, default=Path("site") / "briefing.pdf",
        help="where to write the PDF (site/briefing.pdf)",
    )
    p.add_argument("--paper", choices=pdf.PAPERS, default="a4", help="paper size (a4)")
    p.set_defaults(func=cmd_pdf)
    return parser


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
        _print_problems(exc.problems, getattr(args, "format", "text"))
        print(summary(exc.problems, 0))
        return EXIT_PROBLEMS
