"""Render the validated briefing into Markdown pages with Jinja templates from ``briefings/``.

Content text is data: every ``{{ value }}`` is escaped for Markdown and HTML by the
environment's ``finalize`` unless a helper here has already made it safe (``Markup``).
Templates are loaded from files with ``StrictUndefined`` so their errors name file and line.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import posixpath
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import jinja2
import jinja2.bccache
from markupsafe import Markup

from generator.config import Settings
from generator.content.briefing import Briefing, Citation
from generator.content.dates import PartialDate, today
from generator.content.schema import (
    KINDS,
    Actor,
    Event,
    Fact,
    Place,
    Plan,
    Sheet,
    Source,
    Term,
)
from generator.content.vocabularies import (
    CERTAINTY,
    CERTAINTY_SYMBOLS,
    DEFAULT,
    STANCE_SYMBOLS,
    Vocabularies,
    Word,
    WordList,
)
from generator.errors import BriefingError, Problem
from generator.escaping import attr, date, join, json_for_html, md_text, url, yaml_str
from generator.gcpause import without_collector
from generator.render import svg
from generator.render.jinja_env import Environment, bytecode_cache

log = logging.getLogger(__name__)

#: The symbols of certainty and the fixed stances (a briefing's added stances bring their own:
#: ``Vocabularies.stance``).
SYMBOLS = {"certainty": CERTAINTY_SYMBOLS, "stance": STANCE_SYMBOLS}


@dataclass(frozen=True)
class RenderedPage:
    """One generated Markdown page."""

    path: str  # docs-relative POSIX path, e.g. actors/jane-doe.md
    markdown: str
    title: str
    source: str | None = None  # content file it is made from (for the edit link)
    jsonld: str | None = None  # JSON-LD text for the page head, already safe for <script>


#: Label colours shipped with the templates, shared by the site and the print edition.
LABELS_CSS = "labels.css"
#: Where the site serves it (mkdocs.yml lists it in extra_css).
LABELS_CSS_URL = "assets/labels.css"

#: The folder of a kind's pages: the kind's own name (``schema.KINDS``).
PAGE_FOLDERS = {kind: kind for kind in KINDS}

#: Composed pages: path -> (template, title). Section indexes live in their folder.
COMPOSED = {
    "index.md": ("overview.md.j2", "Overview"),
    "plans/index.md": ("plans-index.md.j2", "The plan"),
    "terms/index.md": ("terms-index.md.j2", "Terms by category"),
    "positions/index.md": ("matrix.md.j2", "Position matrix"),
    "actors/index.md": ("whos-who.md.j2", "Who's who"),
    "events/index.md": ("timeline.md.j2", "Timeline"),
    "places/index.md": ("places-index.md.j2", "Places"),
    "open-questions.md": ("open-questions.md.j2", "Open questions"),
    "sources/index.md": ("sources-index.md.j2", "Sources"),
    "changes.md": ("changes.md.j2", "What changed"),
    "review.md": ("review.md.j2", "Needs review"),
}
#: Composed pages whose template lists the content's warnings (``warnings``): redone whenever
#: the warnings change.
LISTS_WARNINGS = frozenset({"review.md"})


def page_path(sheet: Sheet) -> str:
    return f"{PAGE_FOLDERS[sheet.folder]}/{sheet.id}.md"


class PageContext:
    """Helpers a template calls while rendering one page: links and footnotes."""

    def __init__(self, briefing: Briefing, path: str, subject: str | None = None,
                 fact_text: Callable[[Fact], Markup] | None = None,
                 citations: dict[Any, _Written] | None = None,
                 links: dict[tuple[str, str, str, str], Markup] | None = None,
                 vocabularies: Vocabularies = DEFAULT):
        self.briefing = briefing
        self.vocabularies = vocabularies
        self.path = path
        self.subject = subject  # the id of the sheet whose page this is
        self._here = posixpath.dirname(path)
        self._cited: dict[str, None] = {}
        self._fact_text = fact_text
        self._citations = citations if citations is not None else {}
        self._links = links if links is not None else {}
        self._grids: dict[str, svg.Grid] = {}

    def url(self, target: str | Sheet) -> Markup:
        """Relative link from this page to a sheet's page (a sheet or its id) or to a docs
        page (a path ending in .md)."""
        if isinstance(target, str) and target.endswith(".md"):
            target_path = target
        else:
            target_path = page_path(self._sheet(target))
        return Markup(relative_path(target_path, self._here))

    def _sheet(self, target: str | Sheet) -> Sheet:
        return target if isinstance(target, Sheet) else self.briefing.get(target)

    def href(self, target: Sheet) -> str:
        """The address of a sheet's page from this page's address, for links in raw HTML
        (SVG), which MkDocs does not rewrite (it serves ``x.md`` at ``x/``)."""
        here, there = _directory_url(self.path), _directory_url(page_path(target))
        return relative_path(there, here) + "/"

    def figure(self, name: str, *args: Any) -> Markup:
        """A build-time SVG picture (matrix, timeline, graph) as raw HTML: a <figure> each."""
        words = self.vocabularies
        symbols = {**{w.word: w.symbol for w in words.stance}, **SYMBOLS["certainty"]}
        if name == "matrix":
            plan = args[0]
            drawings = svg.matrix(self.briefing, plan, self.href, symbols, self.grid(plan),
                                  words.stance)
        elif name == "timeline":
            drawings = [svg.timeline(self.briefing, self.href)]
        elif name == "graph":
            drawings = [svg.relations_graph(self.briefing, self.href, words.relation_kind)]
        else:
            raise ValueError(f"unknown figure {name!r}")
        # A matrix too wide for the column comes in parts: a figure each, blocks of their own.
        return Markup("\n\n".join(svg.figure(name, d) for d in drawings))

    def grid(self, plan: Plan) -> svg.Grid:
        """The position matrix of a plan, worked out once per page."""
        if plan.id not in self._grids:
            self._grids[plan.id] = svg.grid(self.briefing, plan)
        return self._grids[plan.id]

    def link(self, target: str | Sheet, text: Any = None) -> Markup:
        """A link to a sheet's page (a sheet or its id) showing ``text``, or else the sheet's
        name. A link by name is made once for all the pages of a folder (a build writes about
        150,000 links to 10,000 sheets) and kept by the name too, which is still asked of the
        briefing: a page depends on what it asks (``incremental``)."""
        sheet = target if isinstance(target, Sheet) else self.briefing.get(target)
        if text is not None:
            return self._link(sheet, text)
        return self._named_link(sheet, self.briefing.name(sheet.id))

    def _named_link(self, sheet: Sheet, name: str) -> Markup:
        key = (name, sheet.folder, sheet.id, self._here)
        made = self._links.get(key)
        if made is None:
            made = _remember(self._links, key, self._link(sheet, name))
        return made

    def _link(self, sheet: Sheet, text: Any) -> Markup:
        return Markup(f"[{md_text(text)}]({relative_path(page_path(sheet), self._here)})")

    def when(self, event: Event) -> Markup:
        """When an event can have happened, where the order of events narrows its date, in
        words with the events that narrow it linked: ``late March to June 2031, after
        [the first round](...)``; "" where its date says all that is known."""
        words = svg.window_words(self.briefing, event)
        if not words:
            return Markup("")
        window = self.briefing.window(event.id)
        parts = [md_text(words)]
        if window.after:
            parts.append(Markup(f"after {self.link(window.after)}"))
        if window.before:
            parts.append(Markup(f"before {self.link(window.before)}"))
        return Markup(", ").join(parts)

    def citation(self, citation: Citation) -> Markup:
        """A fact shown away from its sheet: a link to the sheet, the role or relation it
        belongs to, then the fact (open questions, a source's citing facts). Written here, not
        in a macro: the biggest pages list thousands of them."""
        sheet, fact = citation.sheet, citation.fact
        # The same line recurs from build to build (open questions redone after an edit
        # elsewhere): kept per page folder, page subject, sheet name and fact object.
        # Both looked up on every call, remembered or not: the lookups are what an edit's
        # rebuild goes by (a renamed actor redoes the pages citing its relations' facts).
        name = self.briefing.name(sheet.id)
        context = self._context_words(citation)
        key = (id(fact), sheet.folder, sheet.id, name, context, self._here, self.subject)
        written = self._citations.get(key)
        if written is None or written.fact is not fact:
            shown = f" ({md_text(context)})" if context else ""
            line = Markup(f"{self._named_link(sheet, name)}{shown}: {self.fact(fact)}")
            return _remember(self._citations, key, _Written(fact, line)).line
        self._footnote_markers(fact)  # the remembered line has them; the page lists them
        return written.line

    def _context_words(self, citation: Citation) -> str:
        """Where in its sheet a cited fact stands, in readers' words: "role: Head of the
        fund", or a relation's label and the other actor's name ("Met Ben South")."""
        if citation.relation is None:
            return citation.context
        kind, to = citation.relation
        return f"{self.vocabularies.relation_kind.label(kind)} {self.briefing.name(to)}"

    def fact(self, fact: Fact) -> Markup:
        """A fact as every page writes it: the ``fact_text`` macro of ``_macros.md.j2`` (its
        text, certainty label and date), then footnote markers for its sources, which the page
        lists at its end. A source's own page names it in no footnote: the reader is on it
        (and a footnote cited by every fact of a much-cited source makes Python-Markdown's
        footnotes quadratic)."""
        if self._fact_text is None:
            raise TypeError("this page context was made without the fact_text macro")
        return Markup(str.__add__(self._fact_text(fact), self._footnote_markers(fact)))

    def _footnote_markers(self, fact: Fact) -> str:
        """``[^source]`` for each of the fact's sources but this page's own, each noted for
        the page's footnotes."""
        markers = ""
        for source_id in fact.sources:
            if source_id != self.subject:
                self._cited.setdefault(source_id, None)
                markers += f"[^{source_id}]"
        return markers

    def changes(self, change: ChangeForReaders) -> Markup:
        """One commit's changes as readers see them, each sheet linked to its page where the
        briefing still has it; "" when nothing in the commit is for readers. The Markdown is
        the package's own (``editorial.history``), its content escaped."""

        def link(folder: str, sheet_id: str) -> str | None:
            sheet = self.briefing.find(sheet_id)
            return self.url(sheet) if sheet is not None and sheet.folder == folder else None

        return Markup(change.for_readers(link))

    @property
    def cited(self) -> list[Source]:
        return [self.briefing.get(i) for i in self._cited]  # type: ignore[misc]


@dataclass(frozen=True)
class _Written:
    """What a fact (or a line showing it) was written as, remembered by the fact's id."""

    fact: Fact  # kept alive, so that its id is not reused while the line is remembered
    line: Markup


@functools.lru_cache(maxsize=1 << 16)
def relative_path(target: str, here: str) -> str:
    """``target`` seen from the folder ``here``; both relative POSIX paths without dots
    (what posixpath.relpath gives, without its file-system calls: pages link thousands of
    times)."""
    to = [part for part in target.split("/") if part]
    start = [part for part in here.split("/") if part]
    common = 0
    while common < min(len(to), len(start)) and to[common] == start[common]:
        common += 1
    parts = [".."] * (len(start) - common) + to[common:]
    return "/".join(parts) or "."


def _directory_url(path: str) -> str:
    """Where MkDocs (use_directory_urls) serves a page: a/b.md -> a/b, a/index.md -> a."""
    stem = path[: -len(".md")]
    if stem == "index":
        return ""
    return stem[: -len("/index")] if stem.endswith("/index") else stem


#: The shared macros; ``fact_text`` there writes every fact.
MACROS = "_macros.md.j2"
#: Facts, lines and links a Renderer keeps in each of its memos (several builds' worth at
#: 10,000 sheets), then forgets.
_REMEMBERED = 200_000

K = TypeVar("K")
V = TypeVar("V")


def _remember(memo: dict[K, V], key: K, value: V) -> V:
    """``value``, kept in ``memo`` under ``key``; a full memo starts again."""
    if len(memo) >= _REMEMBERED:
        memo.clear()
    memo[key] = value
    return value


class _Labels:
    """What the ``certainty`` and ``stance`` macros of ``_macros.md.j2`` write for each word
    of the briefing's (a symbol and the label, in a labelled span), made once per word and
    build: ``{{ labels.certainty[value] }}``. Every fact shows one."""

    _KINDS = ("certainty", "stance")

    def __init__(self, env: jinja2.Environment, vocabularies: Vocabularies):
        self._env = env
        self._vocabularies = vocabularies

    def __getattr__(self, kind: str) -> dict[str, Markup]:
        """Called only for a kind not made yet: once made, it is an attribute."""
        if kind not in self._KINDS:
            raise AttributeError(kind)
        macro = getattr(self._env.get_template(MACROS).module, kind)
        made = {w.word: Markup(macro(w)) for w in self._vocabularies[kind]}
        setattr(self, kind, made)
        return made


class TemplateProblem(BriefingError):
    """A template in ``briefings/`` failed to load or render; the message names its file and
    line. Not a content error: the templates need fixing."""


class ChangeForReaders(Protocol):
    """One commit of the "What changed" page (``editorial.history.Change``)."""

    @property
    def commit(self) -> str: ...

    @property
    def short(self) -> str: ...

    @property
    def day(self) -> PartialDate: ...

    def for_readers(self, link: Callable[[str, str], str | None]) -> str: ...


class ChangeHistory(Protocol):
    """What the "What changed" template reads of ``editorial.history.History``: the changes,
    newest first, and whether git could be read at all. The renderer takes it as given, so
    that rendering never imports git or the diff."""

    available: bool
    shallow: bool

    def __iter__(self) -> Iterator[ChangeForReaders]: ...

    def __len__(self) -> int: ...


@dataclass
class Renderer:
    """Renders every page of a briefing. One environment, templates loaded once."""

    templates_dir: Path
    settings: Settings
    #: The content's git history for the "What changed" page (None: not looked up), worked
    #: out by the build (``editorial.history.content_history``) and only read here.
    history: ChangeHistory | None = None
    #: The day the pages are for: the review page counts from it (None: ``dates.today()``).
    day: dt.date | None = None
    env: jinja2.Environment = field(init=False)
    _facts: dict[int, _Written] = field(init=False, default_factory=dict)
    _citations: dict[Any, _Written] = field(init=False, default_factory=dict)
    _links: dict[tuple[str, str, str, str], Markup] = field(init=False, default_factory=dict)
    _fact_macro: Callable[[Fact], str] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=jinja2.FileSystemLoader(str(self.templates_dir)),
            undefined=jinja2.StrictUndefined,
            finalize=md_text,  # escapes every value; macros return Markup
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=bytecode_cache(),
            # A Renderer serves one version of the templates (the workspace makes a new one
            # when they change): no file-system check on every page.
            auto_reload=False,
        )
        self.env.filters.update(
            attr=attr, by_certainty=_by_certainty, by_word=by_word, date=date, join=join,
            url=url, yaml_str=yaml_str,
        )
        self.env.globals.update(
            vocab=self.settings.words,
            labels=_Labels(self.env, self.settings.words),
            settings=self.settings,
            today=self.day or today(),
            history=self.history,
        )

    def fact_text(self, fact: Fact) -> Markup:
        """The ``fact_text`` macro's output for ``fact``, made once per fact object: a fact is
        shown on its sheet's page and again on the page of every source it cites. (Keyed by
        the object, which the entry keeps alive; a rebuild's new sheets are new objects.)"""
        written = self._facts.get(id(fact))
        if written is None or written.fact is not fact:
            if self._fact_macro is None:
                self._fact_macro = self.env.get_template(MACROS).module.fact_text  # type: ignore[attr-defined]
            line = Markup(self._fact_macro(fact))
            written = _remember(self._facts, id(fact), _Written(fact, line))
        return written.line

    def render(self, template: str, path: str, briefing: Briefing, **context: Any) -> str:
        sheet = context.get("sheet")
        subject = sheet.id if isinstance(sheet, Sheet) else None
        page = PageContext(briefing, path, subject, self.fact_text, self._citations, self._links,
                           self.settings.words)
        try:
            return self.env.get_template(template).render(page=page, briefing=briefing, **context)
        except jinja2.TemplateError as exc:
            raise TemplateProblem(self._describe(exc, template, path)) from exc

    def _describe(self, exc: jinja2.TemplateError, template: str, path: str) -> str:
        """``briefings/x.md.j2:LINE: message (rendering PAGE)``: the template line at fault."""
        filename, line = None, None
        if isinstance(exc, jinja2.TemplateSyntaxError):
            filename, line = exc.filename, exc.lineno
        else:  # Jinja puts the template's own frames, with their lines, in the traceback
            for frame in traceback.extract_tb(exc.__traceback__):
                if Path(frame.filename).is_relative_to(self.templates_dir):
                    filename, line = frame.filename, frame.lineno
        shown = template
        if filename and Path(filename).is_relative_to(self.templates_dir):
            shown = Path(filename).relative_to(self.templates_dir).as_posix()
        where = f"{self.templates_dir.name}/{shown}" + (f":{line}" if line else "")
        return f"{where}: {exc.message or type(exc).__name__} (rendering {path})"


    def page(
        self,
        briefing: Briefing,
        path: str,
        sheet: Sheet | None = None,
        warnings: Sequence[Problem] = (),
    ) -> RenderedPage:
        """One page: a sheet's own page, or the composed page at ``path`` (given the content's
        ``warnings`` if it lists them)."""
        if sheet is not None:
            markdown = self.render(f"{sheet.label}.md.j2", path, briefing, sheet=sheet)
            return RenderedPage(
                path,
                markdown,
                briefing.name(sheet.id),
                source=briefing.path_of(sheet.id),
                jsonld=jsonld_for(sheet, briefing),
            )
        template, title = COMPOSED[path]
        listed = {"warnings": list(warnings)} if path in LISTS_WARNINGS else {}
        return RenderedPage(
            path, self.render(template, path, briefing, title=title, **listed), title
        )


def page_plan(briefing: Briefing) -> list[tuple[str, Sheet | None]]:
    """Every page to render, as (path, sheet): one per sheet, then the composed ones."""
    plan: list[tuple[str, Sheet | None]] = [(page_path(s), s) for s in briefing.sheets.values()]
    plan.extend((path, None) for path in COMPOSED)
    return plan


@without_collector
def render_pages(briefing: Briefing, templates_dir: Path, settings: Settings) -> list[RenderedPage]:
    renderer = Renderer(templates_dir, settings)
    return [renderer.page(briefing, path, sheet) for path, sheet in page_plan(briefing)]


T = TypeVar("T")


def by_word(items: Iterable[T], attribute: str, words: WordList) -> list[tuple[Word, list[T]]]:
    """``items`` grouped by the word each has in ``attribute`` (a term's category), in the
    vocabulary's order, each group in the order given: headings show the word's label."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(getattr(item, attribute), []).append(item)
    return [(word, groups[word.word]) for word in words if word.word in groups]


def _by_certainty(citations: Iterable[Citation]) -> list[tuple[str, list[Citation]]]:
    """Citations grouped by their fact's certainty, in the scale's order (most certain first),
    each group in the order given."""
    groups: dict[str, list[Citation]] = {}
    for citation in citations:
        groups.setdefault(citation.fact.certainty, []).append(citation)
    return [(value, groups[value]) for value in CERTAINTY if value in groups]


# --- JSON-LD ---------------------------------------------------------------------------------

#: schema.org's types for the built-in actor kinds; a briefing's own kinds are only a "Thing"
#: (a word such as "commission" says too little to claim more).
_ACTOR_TYPES = {
    "person": "Person",
    "organisation": "Organization",
    "government": "GovernmentOrganization",
    "state": "Country",
    "group": "Organization",
}


def _actor_type(kind: str) -> str:
    return _ACTOR_TYPES.get(kind, "Thing")


def jsonld_for(sheet: Sheet, briefing: Briefing) -> str | None:
    data: dict[str, Any] | None = None
    if isinstance(sheet, Actor):
        data = {"@type": _actor_type(sheet.kind), "name": sheet.name}
        if sheet.aliases:
            data["alternateName"] = list(sheet.aliases)
        if sheet.summary:
            data["description"] = sheet.summary
    elif isinstance(sheet, Event):
        data = {"@type": "Event", "name": sheet.title, "startDate": str(sheet.date)}
        if sheet.place:
            data["location"] = {"@type": "Place", "name": briefing.name(sheet.place)}
        if sheet.participants:
            data["attendee"] = [
                {"@type": _actor_type(a.kind), "name": a.name}  # type: ignore[attr-defined]
                for a in (briefing.get(p) for p in sheet.participants)
            ]
    elif isinstance(sheet, Source):
        data = {"@type": "CreativeWork", "name": sheet.title}
        if sheet.publisher:
            data["publisher"] = {"@type": "Organization", "name": sheet.publisher}
        if sheet.published:
            data["datePublished"] = str(sheet.published)
        if sheet.url:
            data["url"] = sheet.url
    elif isinstance(sheet, Place):
        data = {"@type": "Place", "name": sheet.name}
    elif isinstance(sheet, Plan | Term):
        data = {"@type": "CreativeWork", "name": sheet.name_text}
    if data is None:
        return None
    return json_for_html({"@context": "https://schema.org", **data})
