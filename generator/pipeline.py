"""From content folder to rendered pages, shared by the CLI and the MkDocs plugin, so that
``briefing check`` and the real build can never disagree.

A ``Workspace`` does the work and remembers it: under ``mkdocs serve`` it lives between
rebuilds and redoes only what changed (files re-read only when their size, time or bytes
changed; pages re-rendered only when something they read changed). A one-off build is the
same code with nothing remembered, so incremental and full builds cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
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
from generator.links import Links
from generator.loader import read_file
from generator.model import Briefing
from generator.pause import set_aside, take_back, without_collector
from generator.problems import ContentError, Problem, sort_key
from generator.render import LISTS_WARNINGS, RenderedPage, Renderer, page_plan
from generator.schema import KINDS
from generator.tracking import Changes, Dependencies, PageIndex, TrackingBriefing, recording
from generator.validate import (
    CheckResult,
    Item,
    discover,
    load_one,
)

log = logging.getLogger(__name__)

JSON_FORMAT = "briefing/1"
#: The whole fact graph's file at the top of the site (every build writes it).
JSON_NAME = "briefing.json"
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
    folder: str  # kind folder it was read as
    item: Item | None  # None when the file is no mapping of keys
    problems: list[Problem]


@dataclass
class _PageState:
    page: RenderedPage
    deps: Dependencies


class Workspace:
    """Builds of one project, remembering files and pages between them. One per process."""

    def __init__(self, root: Path, today: dt.date | None = None):
        self.root = root
        #: The day builds are for (overdue reviews, the review page). None: each build asks
        #: ``dates.today()``, SOURCE_DATE_EPOCH's day (as the CLI and the plugin set it), else
        #: the clock's.
        self.today = today
        self._files: dict[str, _FileState] = {}
        self._links = Links()
        self._pages: dict[str, _PageState] = {}
        self._index = PageIndex()
        self._briefing: Briefing | None = None  # of the last build
        self._pending: set[str] = set()  # ids changed by checks since the last build
        self._setup = ""
        self._renderer: Renderer | None = None
        self._checked_ns = 0  # when the last check started (file-system clock)
        self._history: History | None = None
        self._history_key = ""
        self._warnings: list[Problem] = []  # of the last build, listed on some pages
        #: What the last build redid: files re-parsed, pages re-rendered.
        self.stats: dict[str, int] = {}
        #: The paths of the pages the last build rendered.
        self.rendered: list[str] = []

    @without_collector
    def check(self, settings: Settings | None = None) -> CheckResult:
        """Validate the content, re-reading only files that changed since the last call, and
        re-checking across sheets only what those changes can affect. With ``settings``,
        sheets overdue for review are warned about too. The problems are exactly those
        ``validate.check`` (and ``check_freshness``) would report."""
        # As git does for "racy" files: a file modified within two seconds of the last check
        # may have changed again since without its time or size moving, so it is hashed.
        racy_after = self._checked_ns - 2_000_000_000
        self._checked_ns = time.time_ns()
        files, problems = discover(self.root / "content", self.root)
        current: dict[str, _FileState] = {}
        items: list[Item] = []
        reparsed = 0
        for path, display, folder in files:
            state = self._files.get(display)
            try:
                stat = os.stat(path)
                signature = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                signature = (0, -1)
            if (state is None or state.signature != signature or signature[0] >= racy_after
                    or state.folder != folder):
                # Read once: hashed to see whether it really changed, then parsed if it did.
                data, unreadable = read_file(path, display)
                digest = (hashlib.sha256(data).hexdigest() if data is not None
                          else "\n".join(p.format() for p in unreadable))
                if state is None or state.digest != digest or state.folder != folder:
                    reparsed += 1
                    loaded = (load_one(path, display, folder, data) if data is not None
                              else (None, unreadable))
                    state = _FileState(signature, digest, folder, *loaded)
                else:
                    state.signature = signature
            current[display] = state
            if state.problems:
                problems.extend(state.problems)
            if state.item is not None:
                items.append(state.item)
        self._files = current
        self.stats["files_parsed"] = reparsed
        sheets, found = self._links.update(items, files)
        self._pending |= self._links.changed
        problems.extend(found)
        if settings is not None:
            problems.extend(self._links.freshness(settings.review_after_days, self._day()))
        return CheckResult(sheets, sorted(problems, key=sort_key), len(files))

    @without_collector
    def build(self) -> Prepared:
        """Validate and render. Raises ContentError (every problem) if the content has errors."""
        project = load_project(self.root)
        result = self.check(project.settings)
        if not result.ok:
            raise ContentError(result.problems, result.files)
        previous = self._briefing
        changed = None
        if previous is not None:
            changed = {i for i in self._pending if result.sheets.get(i) is not None
                       and result.sheets[i].sheet is not previous.sheets.get(i)
                       or result.sheets.get(i) is None and i in previous.sheets}
        briefing = Briefing.from_check(result, previous, changed)
        history = self._content_history()
        day = self._day()
        setup = _setup_digest(project) + self._history_key + day.isoformat()
        if previous is None or changed or setup != self._setup:
            # Something is redone: what an earlier build set aside may be left behind now.
            # (A build that finds nothing changed, as the plugin's after `briefing build`,
            # leaves it set aside.)
            take_back()
        if setup != self._setup or self._renderer is None:
            # Settings, templates, the git history or the day changed: any page may differ.
            self._pages.clear()
            self._index = PageIndex()
            self._renderer = Renderer(project.templates_dir, project.settings, history, day)
            self._setup = setup
        full = not self._pages  # every page is made
        changes = Changes.between(previous, briefing, changed)
        plan = page_plan(briefing)
        warnings = [p for p in result.problems if not p.is_error]
        redo: set[str] = set()
        if self._pages:
            redo = self._affected(changes, briefing)
            if warnings != self._warnings:
                redo |= LISTS_WARNINGS
        pages: dict[str, _PageState] = {}
        rendered: list[str] = []
        warmed = False
        for path, sheet in plan:
            state = self._pages.get(path)
            if state is None or path in redo:
                fine = sheet is None
                if fine and not warmed:
                    _warm(briefing)  # worked out before, so that no page notes it as read
                    warmed = True
                deps = Dependencies(ids={sheet.id} if sheet else set(), fine=fine)
                tracking = cast(Briefing, TrackingBriefing(briefing, deps))
                if fine:
                    with recording(deps.reads):
                        page = self._renderer.page(tracking, path, sheet, warnings)
                else:
                    page = self._renderer.page(tracking, path, sheet)
                if state is not None:
                    self._index.remove(path, state.deps)
                self._index.add(path, deps)
                state = _PageState(page, deps)
                rendered.append(path)
            pages[path] = state
        for path in self._pages.keys() - pages.keys():
            self._index.remove(path, self._pages[path].deps)
        self._pages = pages
        self._briefing = briefing
        self._pending = set()
        self._warnings = warnings
        self.stats["pages_rendered"] = len(rendered)
        self.rendered = rendered
        prepared = Prepared(project, briefing, [s.page for s in pages.values()], warnings,
                            result.files)
        if full:
            set_aside()
        return prepared

    def _day(self) -> dt.date:
        return self.today or today()

    def _affected(self, changes: Changes, briefing: Briefing) -> set[str]:
        """Paths of the pages whose dependencies ``changes`` touches."""
        redo = self._index.coarse(changes)
        for path in self._index.fine:
            if changes.affect(self._pages[path].deps, briefing):
                redo.add(path)
        return redo

    def _content_history(self) -> History:
        """The content's git history, worked out again only when HEAD moves."""
        key = head_commit(self.root)
        if self._history is None or key != self._history_key:
            self._history = content_history(self.root, limit=HISTORY_LIMIT)
            self._history_key = key
        return self._history


def _warm(briefing: Briefing) -> None:
    """Work out the briefing's indexes (lazy) before composed pages note what they read."""
    for name in ("sources", "actors", "plans", "terms", "positions", "events", "places",
                 "_referrers", "_citing", "open_questions", "as_of"):
        getattr(briefing, name)


def _setup_digest(project: Project) -> str:
    """Hash of what shapes pages besides content: the settings and the templates."""
    digest = hashlib.sha256(project.settings.model_dump_json().encode())
    templates = project.templates_dir
    for path in sorted(templates.rglob("*")) if templates.is_dir() else []:
        if path.is_file():
            digest.update(path.relative_to(templates).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def prepare(root: Path, today: dt.date | None = None) -> Prepared:
    """A full build: validate and render everything, for the day ``today`` (see Workspace)."""
    return Workspace(root, today).build()


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
