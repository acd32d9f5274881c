"""From content folder to rendered pages, shared by the CLI and the MkDocs plugin, so that
``briefing check`` and the real build can never disagree.

A ``Workspace`` does the work and remembers it: under ``mkdocs serve`` it lives between
rebuilds and redoes only what changed (files re-read only when their size, time or bytes
changed: ``check.ContentCheck``; pages re-rendered only when an answer they were given
changed: ``incremental.PageIndex``). A one-off build is the same code with nothing remembered,
so incremental and full builds cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from generator.build.incremental import PageIndex
from generator.config import Project, load_project
from generator.content.briefing import Briefing
from generator.content.check import ContentCheck
from generator.content.checked import CheckResult
from generator.content.dates import today
from generator.content.schema import KINDS
from generator.content.vocabularies import DEFAULT, Vocabularies
from generator.editorial.history import History, content_history, head_commit
from generator.errors import ContentError, Problem, sort_key
from generator.gcpause import set_aside, take_back, without_collector
from generator.render.renderer import LISTS_WARNINGS, RenderedPage, Renderer, page_plan

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


class Workspace:
    """Builds of one project, remembering files and pages between them. One per process."""

    def __init__(self, root: Path, today: dt.date | None = None):
        self.root = root
        #: The day builds are for (overdue reviews, the review page). None: each build asks
        #: ``dates.today()``, SOURCE_DATE_EPOCH's day (as the CLI and the plugin set it), else
        #: the clock's.
        self.today = today
        #: The content's check, remembering what it read (``check.ContentCheck``).
        self.content = ContentCheck(root / "content", root)
        self._pages: dict[str, RenderedPage] = {}
        self._index = PageIndex()
        self._briefing: Briefing | None = None  # of the last build
        self._pending: set[str] = set()  # ids changed by checks since the last build
        self._setup = ""
        self._renderer: Renderer | None = None
        self._history: History | None = None
        self._history_key = ""
        self._history_words = DEFAULT
        self._warnings: list[Problem] = []  # of the last build, listed on some pages
        #: What the last build redid: files re-parsed, pages re-rendered.
        self.stats: dict[str, int] = {}
        #: The paths of the pages the last build rendered.
        self.rendered: list[str] = []

    def check(self, project: Project | None = None) -> CheckResult:
        """Validate the content (``check.ContentCheck``: only what changed since the last
        call is read and checked again). With the ``project``, its settings are checked
        against the content too (``plan`` must name a plan), and sheets overdue for review
        are warned about."""
        if project is None:
            result = self.content.run()
        else:
            settings = project.settings
            result = self.content.run(settings.review_after_days, self._day(), settings.words)
            if project.source is not None:
                found = self.content.references_of(project.source, settings)
                result.problems = sorted([*result.problems, *found], key=sort_key)
        self.stats["files_parsed"] = self.content.parsed
        self._pending |= self.content.changed
        return result

    @without_collector
    def build(self) -> Prepared:
        """Validate and render. Raises ContentError (every problem) if the content has errors."""
        project = load_project(self.root)
        result = self.check(project)
        if not result.ok:
            raise ContentError(result.problems, result.files)
        previous = self._briefing
        changed: set[str] = set()
        if previous is not None:
            changed = {i for i in self._pending if result.sheets.get(i) is not None
                       and result.sheets[i].sheet is not previous.sheets.get(i)
                       or result.sheets.get(i) is None and i in previous.sheets}
        briefing = result.briefing(previous, changed if previous is not None else None)
        history = self._content_history(project.settings.words)
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
        warnings = [p for p in result.problems if not p.is_error]
        redo: set[str] = set()
        if self._pages and previous is not None:
            redo = self._index.affected(previous, briefing, changed)
            if warnings != self._warnings:
                redo |= LISTS_WARNINGS
        try:
            pages, rendered = self._render(briefing, warnings, redo)
        except BaseException:
            # Some pages' records are of this build and their pages are not: start afresh.
            self._pages.clear()
            self._index = PageIndex()
            raise
        for path in self._pages.keys() - pages.keys():
            self._index.forget(path)
        self._pages = pages
        self._briefing = briefing
        self._pending = set()
        self._warnings = warnings
        self.stats["pages_rendered"] = len(rendered)
        self.rendered = rendered
        prepared = Prepared(project, briefing, list(pages.values()), warnings, result.files)
        if full:
            set_aside()
        return prepared

    def prepare_rebuilds(self) -> None:
        """Make now what the first rebuild after an edit would otherwise make first (the index
        of what the pages asked, by sheet; about a second at 10,000 sheets): for a preview,
        after its first build, while nothing is being edited yet."""
        self._index.prepare()

    def _render(self, briefing: Briefing, warnings: list[Problem], redo: set[str]
                ) -> tuple[dict[str, RenderedPage], list[str]]:
        """Every page of the plan: the last build's, or rendered again (new pages, and those
        in ``redo``), each seen through an observer that notes what it asks."""
        assert self._renderer is not None
        observer = self._index.observer(briefing)
        pages: dict[str, RenderedPage] = {}
        rendered: list[str] = []
        for path, sheet in page_plan(briefing):
            page = self._pages.get(path)
            if page is None or path in redo:
                composed = sheet is None
                seen = observer.page(fine=composed)
                # A sheet's page asks for its own sheet too: it shows all of it.
                subject = seen.get(sheet.id) if sheet is not None else None
                page = self._renderer.page(seen, path, subject, warnings if composed else ())
                self._index.record(path, observer.done())
                rendered.append(path)
            pages[path] = page
        return pages, rendered

    def _day(self) -> dt.date:
        return self.today or today()

    def _content_history(self, words: Vocabularies) -> History:
        """The content's git history, worked out again only when HEAD moves or the words
        (which decide what each revision's check finds) change."""
        key = head_commit(self.root)
        if self._history is None or key != self._history_key or words != self._history_words:
            self._history = content_history(self.root, limit=HISTORY_LIMIT, vocabularies=words)
            self._history_key = key
            self._history_words = words
        return self._history


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
