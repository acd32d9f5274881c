"""The content of a git revision, read without checking it out and validated exactly as
``briefing check`` validates the working tree.

A revision's ``content/`` files are read from git (``ls-tree`` and one ``cat-file --batch``),
written to a temporary folder and checked there with ``check.check()``: the one path
``briefing check``, the plugin and the build validate through (``check.ContentCheck``), so
a diff or the history page can never judge content differently from the checks an editor runs.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.content.briefing import Briefing
from generator.content.check import check, discover
from generator.content.loader import Marks
from generator.content.schema import Sheet
from generator.content.vocabularies import DEFAULT, Vocabularies
from generator.errors import BriefingError, Problem

log = logging.getLogger(__name__)

CONTENT = "content"
WORKING_TREE = "working tree"
_SYMLINK_MODE = b"120000"


class GitError(BriefingError):
    """git could not answer: it is missing, the folder is not a repository, or a command failed."""


class NotARepository(GitError):
    """The project folder is not inside a git repository (or git is not installed)."""


class UnknownRevision(GitError):
    """A revision the user named does not resolve to a commit."""


@dataclass(frozen=True)
class Snapshot:
    """The validated content at one revision (or the working tree)."""

    label: str  # as the user named it: 'main', 'HEAD~2', 'working tree', a short hash
    commit: str | None  # full hash; None for the working tree and for empty content
    #: The sheets that passed their own checks, with their paths and references: what the
    #: diff names sheets with (``Briefing.name``) and finds citing facts in.
    briefing: Briefing
    #: id -> where each key and value of the sheet's file stands (composed only when asked)
    marks: dict[str, Marks] = field(default_factory=dict)
    invalid: dict[str, str] = field(default_factory=dict)  # id -> path of files with errors
    problems: tuple[Problem, ...] = ()
    files: int = 0

    @property
    def sheets(self) -> Mapping[str, Sheet]:
        """id -> sheet, only the sheets that passed their own checks."""
        return self.briefing.sheets

    @property
    def paths(self) -> Mapping[str, str]:
        """id -> content path, e.g. content/actors/x.yml, of those sheets."""
        return self.briefing.paths

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    @property
    def valid(self) -> bool:
        return self.errors == 0


def read_content(content_dir: Path, display_root: Path, label: str,
                 commit: str | None = None, vocabularies: Vocabularies = DEFAULT) -> Snapshot:
    """Validate the sheets under ``content_dir`` against the briefing's ``vocabularies`` (an
    empty snapshot if there is no folder)."""
    if not content_dir.is_dir():
        return Snapshot(label, commit, Briefing({}, {}))
    result = check(content_dir, display_root, vocabularies=vocabularies)
    files, _ = discover(content_dir, display_root)
    briefing = result.briefing()
    invalid = {
        Path(display).stem: display
        for _, display, _ in files
        if briefing.paths.get(Path(display).stem) != display
    }
    marks = {i: located.raw.marks for i, located in sorted(result.sheets.items())}
    return Snapshot(label, commit, briefing, marks, dict(sorted(invalid.items())),
                    tuple(result.problems), result.files)


def working_tree(root: Path, vocabularies: Vocabularies = DEFAULT) -> Snapshot:
    return read_content(root / CONTENT, root, WORKING_TREE, vocabularies=vocabularies)


@dataclass(frozen=True)
class LogEntry:
    commit: str
    date: str  # committer date, ISO day (YYYY-MM-DD)
    parents: tuple[str, ...]
    subject: str


class Repository:
    """The git repository holding a project; every call runs git in the project folder."""

    def __init__(self, root: Path, vocabularies: Vocabularies = DEFAULT):
        self.root = root
        #: The words every revision is checked against: the briefing's as it is now (a
        #: revision's own briefing.yml is not read).
        self.vocabularies = vocabularies
        if not root.is_dir():
            raise NotARepository(f"{root} is not a folder")
        try:
            prefix = self._run("rev-parse", "--show-prefix").decode().strip()
        except NotARepository:
            raise
        except GitError as exc:
            raise NotARepository(
                f"{root} is not inside a git repository, so there are no revisions to compare "
                f"or history to read ({exc})"
            ) from None
        #: Where the project's content/ folder is, relative to the top of the repository.
        self.content_path = f"{prefix}{CONTENT}"
        self._trees: dict[str | None, Snapshot] = {}

    def _run(self, *args: str, stdin: bytes | None = None) -> bytes:
        env = {**os.environ, "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
        try:
            proc = subprocess.run(
                ["git", *args], cwd=self.root, input=stdin, capture_output=True, env=env,
                check=False,
            )
        except FileNotFoundError:
            raise NotARepository("git is not installed") from None
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(message[-1] if message else f"git {args[0]} failed")
        return proc.stdout

    def resolve(self, rev: str) -> str:
        """The full hash of the commit ``rev`` names; UnknownRevision if it names none."""
        if not rev or rev.startswith("-") or any(c in rev for c in "\0\n"):
            raise UnknownRevision(f"'{rev}' is not a git revision")
        try:
            out = self._run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        except GitError:
            raise UnknownRevision(
                f"'{rev}' is not a commit in this repository (try a branch, a tag or a hash; "
                "in a shallow clone, fetch more history)"
            ) from None
        return out.decode().strip()

    def top(self) -> Path:
        """The repository's working tree: the folder git's tracked paths are relative to."""
        return Path(os.fsdecode(self._run("rev-parse", "--show-toplevel").rstrip(b"\n")))

    def git_dirs(self) -> list[Path]:
        """The repository's own folders: this checkout's and the one worktrees share."""
        out = self._run("rev-parse", "--absolute-git-dir", "--git-common-dir")
        return [self.root / os.fsdecode(line) for line in out.splitlines() if line]

    def tracked(self) -> list[str]:
        """Every file git tracks in the repository, relative to ``top()``."""
        out = self._run("ls-files", "-z", "--full-name", "--", ":(top)")
        return [os.fsdecode(name) for name in out.split(b"\0") if name]

    def is_shallow(self) -> bool:
        return self._run("rev-parse", "--is-shallow-repository").decode().strip() == "true"

    def log(self, limit: int | None = None) -> list[LogEntry]:
        """Commits that changed content/ on the first-parent line, newest first (a merge is
        one change against the line it was merged into; the commits it brought in are not
        listed again). Empty for a repository without commits."""
        try:
            self._run("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        except GitError:
            return []
        args = ["log", "-z", "--first-parent", "--format=%H%x1f%cs%x1f%P%x1f%s"]
        if limit is not None:
            args.append(f"--max-count={limit}")
        out = self._run(*args, "--", f":(top){self.content_path}")
        entries = []
        for record in out.decode("utf-8", "replace").split("\0"):
            if not record.strip():
                continue
            commit, date, parents, subject = record.strip("\n").split("\x1f", 3)
            entries.append(LogEntry(commit, date, tuple(parents.split()), subject))
        return entries

    def snapshot(self, commit: str | None, label: str) -> Snapshot:
        """The validated content at ``commit`` (None: no commit, empty content)."""
        tree = self._content_tree(commit) if commit else None
        cached = self._trees.get(tree)
        if cached is None:
            cached = self._read_tree(tree)
            self._trees[tree] = cached
        return dataclasses.replace(cached, label=label, commit=commit)

    def _content_tree(self, commit: str) -> str | None:
        """The id of the content/ tree at ``commit``; None when it has no content/ folder."""
        out = self._run("cat-file", "--batch-check",
                        stdin=f"{commit}:{self.content_path}\n".encode())
        parts = out.decode().split()
        return parts[0] if len(parts) == 3 and parts[1] == "tree" else None

    def _read_tree(self, tree: str | None) -> Snapshot:
        with tempfile.TemporaryDirectory(prefix="briefing-revision-") as tmp:
            root = Path(tmp)
            content = root / CONTENT
            content.mkdir()
            if tree is not None:
                self._write_tree(tree, content)
            return read_content(content, root, "", None, self.vocabularies)

    def _write_tree(self, tree: str, destination: Path) -> None:
        listing = self._run("ls-tree", "-r", "-z", tree)
        entries: list[tuple[bytes, str, str]] = []  # mode, object id, relative path
        for record in listing.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, kind, oid = meta.split()
            relative = name.decode("utf-8", "surrogateescape")
            parts = PurePosixPath(relative).parts
            if kind != b"blob" or not parts or any(p in ("", ".", "..") for p in parts):
                continue  # submodules, and names git itself would refuse to check out
            entries.append((mode, oid.decode(), relative))
        if not entries:
            return
        blobs = self._run("cat-file", "--batch",
                          stdin="".join(f"{oid}\n" for _, oid, _ in entries).encode())
        offset = 0
        for mode, _, relative in entries:
            end = blobs.index(b"\n", offset)
            size = int(blobs[offset:end].split()[2])
            data = blobs[end + 1 : end + 1 + size]
            offset = end + 1 + size + 1
            target = destination.joinpath(*PurePosixPath(relative).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == _SYMLINK_MODE:
                # Kept as a link, so check() judges it as it would in a checkout.
                os.symlink(os.fsdecode(data), target)
            else:
                target.write_bytes(data)
