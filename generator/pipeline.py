"""From content folder to rendered pages, shared by the CLI and the MkDocs plugin, so that
``briefing check`` and the real build can never disagree.

A ``Workspace`` does the work and remembers it: under ``mkdocs serve`` it lives between
rebuilds and redoes only what changed (files re-read only when their size, time or bytes
changed; pages re-rendered only when something they read changed). A one-off build is the
same code with nothing remembered, so incremental and full builds cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from generator.config import Project, Settings, load_project
from generator.dates import today
from generator.diff import History, content_history, head_commit
from generator.loader import MAX_FILE_BYTES
from generator.model import Briefing
from generator.problems import ContentError, Problem, sort_key
from generator.render import RenderedPage, Renderer, page_plan
from generator.schema import KINDS, Sheet
from generator.tracking import Changes, Dependencies, TrackingBriefing
from generator.validate import CheckResult, Located, check, check_freshness, load_one

log = logging.getLogger(__name__)

JSON_FORMAT = "briefing/1"
#: Commits shown on the "What changed" page, newest first.
HISTORY_LIMIT = 100


@dataclass(frozen=True)
class Prepared:
    """A validated, rendered briefing: everything a build writes comes from here."""

    project: Project
    briefing: Briefing
    pages: list[RenderedPage]
    warnings: list[Problem]
    files: int


@dataclass
class _FileState:
    signature: tuple[int, int]  # (mtime_ns, size): unchanged means not re-read
    digest: str  # hash of the bytes: unchanged means not re-parsed
    located: Located | None
    problems: list[Problem]


@dataclass
class _PageState:
    page: RenderedPage
    deps: Dependencies


class Workspace:
    """Builds of one project, remembering files and pages between them. One per process."""

    def __init__(self, root: Path):
        self.root = root
        self._files: dict[str, _FileState] = {}
        self._pages: dict[str, _PageState] = {}
        self._sheets: dict[str, Sheet] = {}
        self._setup = ""
        self._renderer: Renderer | None = None
        self._checked_ns = 0  # when the last check started (file-system clock)
        self._history: History | None = None
        self._history_key = ""
        #: What the last build redid: files re-parsed, pages re-rendered.
        self.stats: dict[str, int] = {}

    def check(self, settings: Settings | None = None) -> CheckResult:
        """Validate the content, re-reading only files that changed since the last call.
        With ``settings``, sheets overdue for review are warned about too."""
        current: dict[str, _FileState] = {}
        reparsed = 0
        # As git does for "racy" files: a file modified within two seconds of the last check
        # may have changed again since without its time or size moving, so it is hashed.
        racy_after = self._checked_ns - 2_000_000_000
        self._checked_ns = time.time_ns()

        def remembered(path: Path, display: str, folder: str) -> tuple[Located | None,
                                                                          list[Problem]]:
            nonlocal reparsed
            state = self._files.get(display)
            try:
                stat = path.stat()
                signature = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                signature = (0, -1)
            if state is None or state.signature != signature or signature[0] >= racy_after:
                digest = _digest(path)
                if state is None or state.digest != digest:
                    reparsed += 1
                    state = _FileState(signature, digest, *load_one(path, display, folder))
                else:
                    state.signature = signature
            current[display] = state
            return state.located, state.problems

        result = check(self.root / "content", self.root, load=remembered)
        self._files = current
        self.stats["files_parsed"] = reparsed
        if settings is not None:
            overdue = check_freshness(result.sheets, settings.review_after_days, today())
            result.problems = sorted([*result.problems, *overdue], key=sort_key)
        return result

    def build(self) -> Prepared:
        """Validate and render. Raises ContentError (every problem) if the content has errors."""
        project = load_project(self.root)
        result = self.check(project.settings)
        if not result.ok:
            raise ContentError(result.problems)
        briefing = Briefing.from_check(result)
        history = self._content_history()
        setup = _setup_digest(project) + self._history_key
        if setup != self._setup or self._renderer is None:
            # Settings, templates or the git history changed: any page may differ.
            self._pages.clear()
            self._renderer = Renderer(project.templates_dir, project.settings, history)
            self._setup = setup
        changes = Changes.between(self._sheets, briefing.sheets)
        pages: dict[str, _PageState] = {}
        rendered = 0
        for path, sheet in page_plan(briefing):
            state = self._pages.get(path)
            if state is None or changes.affect(state.deps):
                deps = Dependencies(ids={sheet.id} if sheet else set())
                tracking = cast(Briefing, TrackingBriefing(briefing, deps))
                state = _PageState(self._renderer.page(tracking, path, sheet), deps)
                rendered += 1
            pages[path] = state
        self._pages = pages
        self._sheets = briefing.sheets
        self.stats["pages_rendered"] = rendered
        warnings = [p for p in result.problems if not p.is_error]
        return Prepared(project, briefing, [s.page for s in pages.values()], warnings,
                        result.files)


    def _content_history(self) -> History:
        """The content's git history, worked out again only when HEAD moves."""
        key = head_commit(self.root)
        if self._history is None or key != self._history_key:
            self._history = content_history(self.root, limit=HISTORY_LIMIT)
            self._history_key = key
        return self._history


def _digest(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # never read: load_file reports the limit from the size
            return f"size:{size}"
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""


def _setup_digest(project: Project) -> str:
    """Hash of what shapes pages besides content: the settings and the templates."""
    digest = hashlib.sha256(project.settings.model_dump_json().encode())
    templates = project.templates_dir
    for path in sorted(templates.rglob("*")) if templates.is_dir() else []:
        if path.is_file():
            digest.update(path.relative_to(templates).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def prepare(root: Path) -> Prepared:
    """A full build: validate and render everything."""
    return Workspace(root).build()


def briefing_json(project: Project, briefing: Briefing) -> str:
    """The whole validated fact graph as JSON (field names as in the content model): one line
    per sheet, each sheet's fields in the model's order, then the content file it is in."""
    head = {
        "format": JSON_FORMAT,
        "title": project.settings.title,
        "subtitle": project.settings.subtitle,
        "language": project.settings.language,
        "as_of": str(briefing.as_of) if briefing.as_of else None,
    }
    groups: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for sheet_id, sheet in briefing.sheets.items():
        # pydantic writes the JSON itself, several times faster than dumping dicts.
        record = sheet.model_dump_json(exclude_none=True)
        path = json.dumps(briefing.paths[sheet_id], ensure_ascii=False)
        groups[sheet.folder].append(f'{record[:-1]},"path":{path}}}')
    sheets = ",\n".join(
        f"{json.dumps(kind)}: [" + ("\n" + ",\n".join(records) + "\n" if records else "") + "]"
        for kind, records in groups.items()
    )
    opening = json.dumps(head, ensure_ascii=False, indent=1)[: -len("\n}")]
    return f'{opening},\n "sheets": {{\n{sheets}\n}}}}\n'


def source_date_epoch(root: Path) -> str:
    """SOURCE_DATE_EPOCH for this build: the environment's, else the last commit's time,
    else the newest content file's, so that the same content always builds the same bytes."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        if out:
            return out
    except (OSError, subprocess.SubprocessError):
        pass
    mtimes = [p.stat().st_mtime for p in (root / "content").rglob("*.yml")]
    return str(int(max(mtimes, default=0)))
