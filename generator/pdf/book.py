"""The print edition as one HTML document: the site's pages, in a book's order.

The pages are the ones the site is built from (same model, same templates, same Markdown
extensions); here they become one document. Links between pages become links inside the book,
ids are made unique per page (every page has its own ``#facts`` and footnote ``#fn:...``), and
headings move down a level where several pages share a chapter. Knows nothing of WeasyPrint:
``pdf.py`` has it laid out (``layout.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jinja2
import markdown

from generator import __version__
from generator.build.workspace import Prepared
from generator.content.briefing import Briefing
from generator.content.dates import PartialDate
from generator.content.schema import Sheet
from generator.render.renderer import LABELS_CSS, RenderedPage, Renderer, page_path

log = logging.getLogger(__name__)

#: As in mkdocs.yml (a test compares them), so a page reads the same on the site and on paper.
MARKDOWN_EXTENSIONS = ("footnotes", "tables", "attr_list", "toc")
MARKDOWN_CONFIGS = {"toc": {"permalink": False}}

PRINT_DIR = "print"  # under the project's templates folder
LABELS_CSS_AND_BOOK_CSS = (LABELS_CSS, f"{PRINT_DIR}/book.css")
METHODOLOGY = "methodology.md"  # the site's hand-written page; the book has its own

#: Composed site pages -> the chapter (anchor) that stands for them in the book.
COMPOSED_ANCHORS = {
    "index.md": "overview",
    "plans/index.md": "plan",
    "terms/index.md": "plan",
    "positions/index.md": "matrix",
    "actors/index.md": "whos-who",
    "events/index.md": "timeline",
    "places/index.md": "fact-sheets-places",
    "open-questions.md": "open-questions",
    "sources/index.md": "sources",
    METHODOLOGY: "methodology",
    "changes.md": "changes",
}

#: The fact sheets part: (folder, group title), every sheet of these kinds in print.
SHEET_GROUPS = (
    ("actors", "Actors"),
    ("terms", "Terms"),
    ("events", "Events"),
    ("places", "Places"),
    ("positions", "Positions"),
)


@dataclass(frozen=True)
class Chapter:
    """One entry of the contents: a heading, the pages under it, and how it is laid out."""

    id: str
    title: str
    pages: tuple[str, ...] = ()
    level: int = 1  # 1: chapter or part; 2: a group of fact sheets inside the part
    intro: str = ""  # plain text under the heading
    empty: str = ""  # said when there are no pages
    wide: bool = False  # laid out on landscape pages (wide tables and pictures)
    running: str = ""  # running-header text, if not the title
    composed: bool = False  # one composed page whose heading the chapter's replaces


@dataclass(frozen=True)
class ChapterText:
    """One chapter of the book as HTML, in the pieces a book laid out in parts is cut into."""

    id: str
    start: str  # its section's start tag, heading and intro
    resume: str  # its section's start tag for a part that goes on with it (no heading)
    units: tuple[str, ...]  # its pages (fact sheets), or its composed page's sections
    end: str  # what ends its section


@dataclass(frozen=True)
class Book:
    """The assembled document and what the PDF needs to know about it.

    The document is ``start``, ``front`` (cover and contents), each chapter's start, units and
    end, and ``end``: ``html`` joins them. Every unit begins with a start tag: a book laid out
    in parts (``parts``) is cut only between units, and each unit is marked there.
    """

    start: str
    front: str
    chapters: tuple[ChapterText, ...]
    end: str
    title: str
    contents: tuple[tuple[int, str, str], ...]  # (level, title, anchor): TOC and outline

    @property
    def html(self) -> str:
        """The whole book as one document."""
        parts = [self.start, self.front]
        for chapter in self.chapters:
            parts.append(chapter.start)
            parts.extend(chapter.units)
            parts.append(chapter.end)
        parts.append(self.end)
        return "".join(parts)

    @property
    def size(self) -> int:
        """The book's length in characters (what its layout's memory grows with)."""
        return sum(
            len(chapter.start) + sum(map(len, chapter.units)) + len(chapter.end)
            for chapter in self.chapters
        ) + len(self.start) + len(self.front) + len(self.end)


def anchor(path: str) -> str:
    """The in-book id of a site page: ``actors/x.md`` -> ``actors-x``."""
    if path in COMPOSED_ANCHORS:
        return COMPOSED_ANCHORS[path]
    return path.removesuffix(".md").replace("/", "-")


def served_at(path: str) -> str:
    """Where the site serves a page (directory URLs): a/b.md -> a/b, a/index.md -> a."""
    stem = path.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index")


def chapters(briefing: Briefing) -> list[Chapter]:
    """The book's order: what a reader needs first, then every fact sheet."""
    plans = tuple(page_path(p) for p in briefing.plans)
    result = [
        Chapter("overview", "Overview", ("index.md",), composed=True),
        Chapter("plan", "The plan and its terms", plans, empty="No plan recorded."),
        Chapter("matrix", "Position matrix", ("positions/index.md",), wide=True, composed=True),
        Chapter("whos-who", "Who's who", ("actors/index.md",), composed=True),
        Chapter("timeline", "Timeline", ("events/index.md",), composed=True),
        Chapter("open-questions", "Open questions", ("open-questions.md",), composed=True),
        Chapter(
            "sources",
            "Sources",
            tuple(page_path(s) for s in briefing.sources),
            empty="No source recorded.",
        ),
        Chapter("methodology", "Methodology", (METHODOLOGY,), composed=True),
        Chapter(
            "fact-sheets",
            "Fact sheets",
            intro="Every fact sheet behind the chapters above, by kind, with all its facts, "
            "their certainty and their sources.",
        ),
    ]
    by_folder: dict[str, Sequence[Sheet]] = {
        "actors": briefing.actors,
        "terms": briefing.terms,
        "events": briefing.events,
        "places": briefing.places,
        "positions": briefing.positions,
    }
    for folder, title in SHEET_GROUPS:
        result.append(
            Chapter(
                f"fact-sheets-{folder}",
                title,
                tuple(page_path(s) for s in by_folder[folder]),
                level=2,
                empty=f"No {title.lower()} recorded.",
                running=f"Fact sheets: {title}",
            )
        )
    # An appendix: the content's history, as on the site's "What changed" page.
    result.append(Chapter("changes", "What changed", ("changes.md",), composed=True))
    return result


# --- one page: Markdown -> HTML with book-wide ids and links ---------------------------------

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_FIRST_H1 = re.compile(r"<h1\b[^>]*>.*?</h1>\n?", re.S)
_ID = re.compile(r'(\sid=")([^"]*)(")')
_LABELLED = re.compile(r'(\saria-(?:labelledby|describedby)=")([^"]*)(")')
_URL_REF = re.compile(r"url\(#([^)\s]+)\)")
_HREF = re.compile(r'(\s(?:xlink:)?href=")([^"]*)(")')
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_TAG = re.compile(r"<[A-Za-z][^<>]*>")  # a start tag: content text has its < escaped
_PT_SIZE = re.compile(r'(\s(?:width|height)=")([0-9.]+)pt(")')
_TITLE = re.compile(r'\stitle="[^"]*"')  # a tooltip: nothing to print
# What the site needs and paper does not: the notes' links back to the text, and their rule.
_BACKREF = re.compile(r'(?:&#160;)?<a class="footnote-backref"[^>]*>[^<]*</a>')
_NOTES_RULE = re.compile(r'(<div class="footnote">)\s*<hr />')
# A note's marker: its link, without the <sup> around it, which only the backlink targets.
_NOTE_MARK = re.compile(r'<sup id="[^"]*">(<a class="footnote-ref"[^>]*>[^<]*</a>)</sup>')
# A note of one paragraph: its text straight in the list item (the paragraph has no margins).
_NOTE_PARAGRAPH = re.compile(
    r'(<li id="[^"]*fn:[^"]*">)\s*<p>((?:(?!</?p[\s>]).)*)</p>\s*(?=</li>)', re.S
)
# A certainty label after text: the space before it, which becomes the label's margin.
_LABEL_AFTER_TEXT = re.compile(r'(?<=[^\s>]) <span class="certainty ')
_LIST_TAG = re.compile(r'<(/?)(ul|ol|li)\b([^>]*)>(\s*<p>)?')
_START = re.compile(r'\sstart="(\d+)"')
#: A bulleted item's marker by depth (CSS list-style disc, circle, square).
BULLETS = ("\u2022", "\u25e6", "\u25aa")


class PageConverter:
    """Turns site pages into HTML fragments of one book."""

    def __init__(self, included: Iterable[str]):
        self.md = markdown.Markdown(
            extensions=list(MARKDOWN_EXTENSIONS), extension_configs=MARKDOWN_CONFIGS
        )
        # Inline pictures pass through as raw HTML even when not wrapped in a <figure>.
        self.md.block_level_elements.append("svg")
        self.included = frozenset(included)
        self.by_url = {served_at(p): p for p in (*COMPOSED_ANCHORS, *self.included)}

    def convert(self, page: RenderedPage, *, shift: int, drop_title: bool) -> str:
        """The page as HTML: title dropped or its headings moved down ``shift`` levels."""
        self.md.reset()
        body = self.md.convert(_FRONT_MATTER.sub("", page.markdown, count=1))
        prefix = anchor(page.path)
        if drop_title:
            body = _FIRST_H1.sub("", body, count=1)
        else:
            body = _FIRST_H1.sub(
                lambda m: re.sub(r'\sid="[^"]*"', "", m.group(0), count=1).replace(
                    "<h1", f'<h1 id="{prefix}"', 1
                ),
                body,
                count=1,
            )
        # Only inside tags: content text may say id="x" too (it is escaped for Markdown and
        # HTML, where a quote means nothing), and must print as written.
        body = _TAG.sub(lambda m: self._tag(m[0], page.path, prefix), body)
        if shift:
            body = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + shift, 6)}", body)
        return print_markup(body)

    def _tag(self, tag: str, path: str, prefix: str) -> str:
        """One start tag with its ids made the book's and its links pointed inside it."""
        tag = _ID.sub(
            lambda m: m.group(0) if m.group(2) == prefix else f"{m[1]}{prefix}--{m[2]}{m[3]}",
            tag,
        )
        tag = _LABELLED.sub(
            lambda m: m[1] + " ".join(f"{prefix}--{i}" for i in m[2].split()) + m[3], tag
        )
        tag = _URL_REF.sub(lambda m: f"url(#{prefix}--{m[1]})", tag)
        tag = _HREF.sub(lambda m: self._href(m, path, prefix), tag)
        tag = _TITLE.sub("", tag)
        if tag.startswith("<svg"):
            # WeasyPrint scales an inline picture sized in pt without keeping its proportions
            # (Graphviz writes pt); the same size in px scales as it should.
            tag = _PT_SIZE.sub(lambda d: f"{d[1]}{float(d[2]) * 4 / 3:.2f}{d[3]}", tag)
        return tag

    def _href(self, match: re.Match[str], path: str, prefix: str) -> str:
        href = match[2]
        if href.startswith("#"):
            return f"{match[1]}#{prefix}--{href[1:]}{match[3]}"
        if _SCHEME.match(href):
            return match.group(0)  # http(s), mailto: written out and left as they are
        target = self._resolve(path, href)
        if target is None:
            # A page the book does not hold (the PDF itself, a hand-written page): the text
            # stays, the link goes, so nothing points at a file that is not there.
            log.debug("%s: link to %s left out of the book", path, href)
            return ""
        page, fragment = target
        if fragment and page in self.included:
            return f"{match[1]}#{anchor(page)}--{fragment}{match[3]}"
        return f'{match[1]}#{anchor(page)}{match[3]} data-xref=""'

    def _resolve(self, path: str, href: str) -> tuple[str, str] | None:
        location, _, fragment = href.partition("#")
        location = unquote(location)
        if location.endswith(".md"):
            page = posixpath.normpath(posixpath.join(posixpath.dirname(path), location))
        else:
            # Raw HTML (pictures) links to where the site serves a page: x/ or ../x/
            url = posixpath.normpath(posixpath.join(served_at(path), location))
            page = self.by_url.get("" if url == "." else url, "")
        if page in self.included or page in COMPOSED_ANCHORS:
            return page, fragment
        return None


def print_markup(body: str) -> str:
    """A page's HTML with fewer boxes to lay out, printing the same.

    WeasyPrint's time goes by the boxes it lays out and draws. On paper a list item's marker
    is text at the start of the item (a marker box is laid out as a block of its own, about a
    tenth of the book's time); a note's marker needs no <sup> around its link; a note of one
    paragraph needs no paragraph box inside its item; the links from a note back to its text,
    and the rule above the notes, are not printed at all.

    A fact's certainty label follows its text after a space. WeasyPrint 70 measures a text
    with its trailing space, and when only that space overflows the line it breaks the line
    after the first word ("Sat" alone, the rest of the fact below); without the space the
    text never ends in one, and the label keeps its distance with a margin instead.
    """
    body = _LABEL_AFTER_TEXT.sub('<span class="after-text certainty ', body)
    body = _BACKREF.sub("", body)
    body = _NOTES_RULE.sub(r"\1", body)
    body = _NOTE_MARK.sub(r"\1", body)
    body = _NOTE_PARAGRAPH.sub(r"\1\2", body)
    return _list_markers(body)


def _list_markers(body: str) -> str:
    """Every list item starting with its marker as text: bullets by depth, or its number."""
    lists: list[list[int]] = []  # per open list: [1 if ordered else 0, next number]
    out: list[str] = []
    end = 0
    for match in _LIST_TAG.finditer(body):
        out.append(body[end:match.end()])
        end = match.end()
        closing, tag, attributes = match[1], match[2], match[3]
        if tag != "li":
            if closing:
                lists.pop()
            else:
                start = _START.search(attributes) if tag == "ol" else None
                lists.append([int(tag == "ol"), int(start[1]) if start else 1])
        elif not closing and lists:
            ordered, number = lists[-1]
            if ordered:
                out.append(f"{number}.\u00a0")
                lists[-1][1] += 1
            else:
                depth = sum(1 for kind, _ in lists if not kind)
                out.append(BULLETS[min(depth, len(BULLETS)) - 1] + "\u00a0")
    out.append(body[end:])
    return "".join(out)


_REFERENCE = re.compile(r'\s(?:xlink:)?href="#([^"]*)"|url\(#([^)\s]+)\)')


def _referenced(bodies: Iterable[str]) -> set[str]:
    """Every id something in the book points at: links, pictures' references, labels."""
    found: set[str] = set()
    for body in bodies:
        found.update(a or b for a, b in _REFERENCE.findall(body))
        for labelled in _LABELLED.finditer(body):
            found.update(labelled[2].split())
    return found


def _drop_ids(body: str, kept: set[str]) -> str:
    """The body without the ids nothing points at (headings' and pictures' own): WeasyPrint
    makes every id an anchor, carried page by page and written as a named destination.
    Each page's own anchor stays, so every sheet can be found by name in the PDF."""
    return _TAG.sub(
        lambda tag: _ID.sub(lambda m: m[0] if m[2] in kept else "", tag[0]), body
    )


# --- the whole book ---------------------------------------------------------------------------


def edition_date(epoch: str) -> PartialDate:
    """The day SOURCE_DATE_EPOCH falls on (UTC): the book's edition date."""
    day = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return PartialDate(day.year, day.month, day.day)


def assemble(prepared: Prepared, epoch: str) -> Book:
    """The whole book as one HTML document."""
    project, briefing = prepared.project, prepared.briefing
    settings = project.settings
    pages = {p.path: p for p in prepared.pages}
    renderer = Renderer(project.templates_dir, settings)
    methodology = renderer.render(
        f"{PRINT_DIR}/methodology.md.j2", METHODOLOGY, briefing, title="Methodology"
    )
    pages[METHODOLOGY] = RenderedPage(METHODOLOGY, methodology, "Methodology")
    # A kind with its own print template (print/source.md.j2) is rendered again with it.
    overrides = {
        label for label in {s.label for s in briefing.sheets.values()}
        if (project.templates_dir / PRINT_DIR / f"{label}.md.j2").is_file()
    }
    for sheet in briefing.sheets.values():
        if sheet.label in overrides:
            path = page_path(sheet)
            template = f"{PRINT_DIR}/{sheet.label}.md.j2"
            markdown = renderer.render(template, path, briefing, sheet=sheet)
            pages[path] = RenderedPage(path, markdown, briefing.name(sheet.id))
    plan = chapters(briefing)
    included = [p for chapter in plan for p in chapter.pages]
    converter = PageConverter(included)
    bodies: list[list[str]] = []
    for chapter in plan:
        shift = 0 if chapter.composed else chapter.level
        units = []
        for path in chapter.pages:
            html = converter.convert(pages[path], shift=shift, drop_title=chapter.composed)
            if not chapter.composed:
                html = f'<article class="sheet">\n{html}\n</article>\n'
            units.append(html)
        bodies.append(units)
    kept = {anchor(path) for path in included} | _referenced(u for b in bodies for u in b)
    created = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(project.templates_dir / PRINT_DIR)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The template's macros (Jinja's module has no type for them).
    frame: Any = env.get_template("book.html.j2").make_module({
        "settings": settings,
        "briefing": briefing,
        "as_of": briefing.as_of.display() if briefing.as_of else "not stated",
        "edition": edition_date(epoch).display(),
        "created": created,
        "generator": f"briefing-generator {__version__}",
        "sheets": len(briefing.sheets),
    })
    texts = []
    for chapter, units in zip(plan, bodies, strict=True):
        units = [_drop_ids(unit, kept) for unit in units]
        if chapter.composed:
            units = [section for unit in units for section in sections(unit)]
        texts.append(ChapterText(
            chapter.id,
            str(frame.chapter_start(chapter)),
            str(frame.chapter_resume(chapter)),
            tuple(units),
            str(frame.chapter_end(chapter)),
        ))
    contents = tuple((c.level, c.title, c.id) for c in plan)
    return Book(
        str(frame.start()), str(frame.front(plan)), tuple(texts), str(frame.end()),
        settings.title, contents,
    )


_SECTION = re.compile(r"^<h2\b", re.M)
_TAG_OR_END = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*?(/?)>")
#: Elements that HTML never closes (the book writes them as ``<br />`` too).
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)


def sections(body: str) -> list[str]:
    """A composed page's HTML cut before each second-level heading that stands at its top
    level: the units a book laid out in parts may be cut between (a composed page can be
    longer than a part, like the position matrix of a large briefing)."""
    cuts = [0]
    depth = 0
    position = 0
    for heading in _SECTION.finditer(body):
        for tag in _TAG_OR_END.finditer(body, position, heading.start()):
            if tag[3] or tag[2].lower() in _VOID:
                continue
            depth += -1 if tag[1] else 1
        position = heading.start()
        if depth == 0 and position > 0:
            cuts.append(position)
    cuts.append(len(body))
    return [body[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if a < b]


def stylesheet(templates_dir: Path) -> str:
    """The print stylesheet shipped with the templates, after the label colours the site
    shares (the paper size is added by layout.py)."""
    return "\n".join(
        (templates_dir / name).read_text(encoding="utf-8") for name in LABELS_CSS_AND_BOOK_CSS
    )
