"""A book laid out in parts: which units each part holds, where a part is cut, and the HTML of
each part, of the probe that finds where a page's text starts, and of the footer document.

A book's layout needs memory in proportion to its length (about 270 MB per million characters
of HTML here), and WeasyPrint keeps every page until it writes the file, so a long book is laid
out in parts of at most ``size`` characters, each in a process of its own (``worker``), and
joined into one PDF as they are made (``pdfjoin``). The book arrives cut into *units*
(``book.Book``): each chapter's start (its section, heading and intro) and its pages or sections.
A part is a run of units; one that goes on with a chapter opens with the chapter's ``resume``.

Parts are cut where the book as one document would turn a page anyway, so that both have the
same pages. A part is laid out with a few units more than it keeps: it keeps its pages up to
the last page whose text starts with one of its units (every unit is marked with a bookmark,
whose position says so), and the next part starts with that unit. WeasyPrint lays pages out one
after another, so the pages before are the ones the whole book would have; the next part starts
at the top of a page as the whole book did there (the unit's top margin, which the whole book
drops at a page break, is dropped too). A part where no unit starts a page (one unit longer
than a part) is kept whole, and the next starts on a new page: there the book in parts has a
page break the book as one document would not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The longest book laid out as one document, and the longest part of a longer book, in
#: characters of its HTML. Measured here (WeasyPrint 70): a layout takes about 70 MB, plus 135
#: to 270 MB per million characters (the most for fact sheets, dense with links and notes),
#: and the process it is forked from about 100 MB more. The 1,000-sheet book (4.2 million
#: characters, 1.27 GB) is laid out as one document: a book in parts takes a little longer per
#: page (the footers are laid out apart, and a few pages twice where parts are cut). A longer
#: book is cut into parts of 2 million characters (about 0.6 GB each), because the briefing's
#: own process holds its pages meanwhile (about 0.5 GB at 10,000 sheets) and the goal is
#: 1.5 GB for all the processes together.
WHOLE_SIZE = 4_500_000
PART_SIZE = 2_000_000
#: The index of a book cut into units (the request of a layout in parts) and the units' text.
INDEX_NAME, UNITS_NAME = "parts.json", "units.html"
#: A mark's bookmark label starts with this (a private-use character no heading holds).
MARK = "\ue000"
#: What marks every unit of a part, and the first one, whose top margin the page top drops.
UNIT_ATTRIBUTE, FIRST_ATTRIBUTE = "data-book-unit", "data-book-unit-first"
#: Added to the book's style sheet for every part: marks as bookmarks, the first unit's top
#: margin dropped, and no page number, which needs the whole book's page count (book.css puts
#: it in @bottom-center; the footer document draws it).
PART_CSS = f"""
[{UNIT_ATTRIBUTE}] {{
  bookmark-level: 1; bookmark-label: "\\{ord(MARK):X} " attr({UNIT_ATTRIBUTE});
}}
[{FIRST_ATTRIBUTE}] {{ margin-top: 0 !important; }}
@page {{ @bottom-center {{ content: none; }} }}
"""
#: The probe: every chapter on a page of its own.
PROBE_CSS = PART_CSS + "body > * { break-before: page !important; }\n"
#: The footer document: a page per page of the book after its cover and contents, each with
#: nothing but its footer, drawn on the book's page afterwards; the header is the parts'.
SLOT_CLASS = "book-slot"
FOOTER_CSS = f"""
.{SLOT_CLASS} {{ break-before: page; }}
@page {{
  @top-left {{ content: none; border: none; }}
  @top-right {{ content: none; border: none; }}
}}
"""
#: How far (in CSS pixels) a mark may be from the top of a page's text and still stand there.
TOLERANCE = 0.01

_FIRST_TAG = re.compile(r"^(\s*<[A-Za-z][^\s/>]*)")


@dataclass(frozen=True)
class Unit:
    """One unit of the book: its chapter, whether it starts the chapter, its length in
    characters, and where its text is in the units file (bytes)."""

    chapter: int
    starts_chapter: bool
    size: int
    offset: int
    length: int


@dataclass(frozen=True)
class Chapter:
    id: str
    resume: str
    end: str


@dataclass(frozen=True)
class Index:
    """A book cut into units, as ``edition`` writes it for the layout process."""

    start: str
    front: str
    end: str
    chapters: tuple[Chapter, ...]
    units: tuple[Unit, ...]

    @classmethod
    def read(cls, folder: Path) -> Index:
        data = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))
        return cls(
            data["start"],
            data["front"],
            data["end"],
            tuple(Chapter(*c) for c in data["chapters"]),
            tuple(Unit(c, bool(s), n, o, length) for c, s, n, o, length in data["units"]),
        )

    def texts(self, folder: Path, first: int, stop: int) -> list[str]:
        """The text of units ``first`` to ``stop`` (not included)."""
        units = self.units[first:stop]
        if not units:
            return []
        with (folder / UNITS_NAME).open("rb") as data:
            data.seek(units[0].offset)
            block = data.read(units[-1].offset + units[-1].length - units[0].offset)
        base = units[0].offset
        return [block[u.offset - base:u.offset - base + u.length].decode() for u in units]


def write_index(
    folder: Path, start: str, front: str, end: str,
    chapters: Sequence[tuple[str, str, str, str, Sequence[str]]],
) -> None:
    """Write a book cut into units: ``chapters`` as (id, start, resume, end, units)."""
    index: dict[str, Any] = {"start": start, "front": front, "end": end, "chapters": [],
                             "units": []}
    offset = 0
    with (folder / UNITS_NAME).open("wb") as out:
        for number, (chapter_id, chapter_start, resume, chapter_end, units) in enumerate(
            chapters
        ):
            index["chapters"].append([chapter_id, resume, chapter_end])
            for starts, text in [(1, chapter_start), *((0, unit) for unit in units)]:
                data = text.encode()
                out.write(data)
                index["units"].append([number, starts, len(text), offset, len(data)])
                offset += len(data)
    (folder / INDEX_NAME).write_text(json.dumps(index), encoding="utf-8")


def plan(units: Sequence[Unit], first: int, size: int) -> int:
    """Where a part that starts at unit ``first`` ends (the unit after its last): as many
    units as ``size`` characters hold, at least one."""
    total = 0
    stop = first
    while stop < len(units) and (stop == first or total + units[stop].size <= size):
        total += units[stop].size
        stop += 1
    return stop


def compose(index: Index, texts: Sequence[str], first: int) -> str:
    """The HTML of a part: the units from ``first`` on, each marked, in their chapters."""
    out = [index.start]
    chapter: int | None = None
    for number, text in enumerate(texts, start=first):
        unit = index.units[number]
        if unit.chapter != chapter:
            if chapter is not None:
                out.append(index.chapters[chapter].end)
            chapter = unit.chapter
            if not unit.starts_chapter:
                out.append(index.chapters[chapter].resume)
        out.append(mark(text, str(number), first=number == first))
    if chapter is not None:
        out.append(index.chapters[chapter].end)
    out.append(index.end)
    return "".join(out)


def mark(text: str, label: str, *, first: bool = False) -> str:
    """A unit's text with its first start tag marked (``label``: the mark's name)."""
    extra = f' {UNIT_ATTRIBUTE}="{label}"' + (f' {FIRST_ATTRIBUTE}=""' if first else "")
    marked, found = _FIRST_TAG.subn(lambda m: m[1] + extra, text, count=1)
    if not found:
        raise ValueError(f"a unit of the book does not start with a tag: {text[:60]!r}")
    return marked


def probe(index: Index) -> str:
    """A document with every chapter's ``resume`` on a page of its own, holding an empty
    marked block: where its mark stands is where the text starts on that chapter's pages."""
    out = [index.start]
    for number, chapter in enumerate(index.chapters):
        out.append(chapter.resume)
        out.append(mark("<div></div>", str(number)))
        out.append(chapter.end)
    out.append(index.end)
    return "".join(out)


def marks(bookmarks: Sequence[tuple[int, str, float]]) -> Iterator[tuple[int, int, float]]:
    """The marks among (page, label, y) bookmarks: (page, unit or chapter, y)."""
    for page, label, y in bookmarks:
        if label.startswith(MARK):
            yield page, int(label[len(MARK):].strip()), y


def cut(
    index: Index,
    found: Sequence[tuple[int, int, float]],
    tops: dict[int, float],
    first: int,
    stop: int,
    pages: int,
) -> tuple[int, int]:
    """Where a part laid out with units ``first`` to ``stop`` is cut: (how many of its
    ``pages`` it keeps, the unit the next part starts with).

    The last unit that starts a page (its mark at the top of the page's text, ``tops`` by
    chapter), after the first quarter of the part (so that a part moves on), on a page where
    no chapter starts after it (a chapter's heading sets the running header, which the next
    part's start would set before it). Without one, the whole part, and the next starts on a
    new page.
    """
    if stop >= len(index.units):
        return pages, stop
    sizes = [u.size for u in index.units[first:stop]]
    quarter = sum(sizes) / 4
    before = {first + n: sum(sizes[:n]) for n in range(len(sizes))}
    starts_after: dict[int, int] = {}  # page -> the last unit starting a chapter on it
    for page, unit, _ in found:
        if first <= unit < stop and index.units[unit].starts_chapter:
            starts_after[page] = max(starts_after.get(page, -1), unit)
    best: tuple[int, int] | None = None
    for page, unit, y in found:
        if not first < unit < stop or page == 0 or before[unit] < quarter:
            continue
        top = tops.get(index.units[unit].chapter)
        if top is None or abs(y - top) > TOLERANCE:
            continue
        if starts_after.get(page, -1) > unit:
            continue
        best = (page, unit)
    if best is None:
        return pages, stop
    return best


def owners(
    index: Index, found: Sequence[tuple[int, int, float]], first: int, pages: int
) -> list[int]:
    """The chapter each of a part's first ``pages`` is laid out as (its size and margins):
    that of the first unit that starts on it, or of the page before where none does. A
    chapter laid out otherwise than the text before it starts a page (CSS breaks the page
    where the named page changes), so a chapter starting lower on a page is laid out alike."""
    first_mark: dict[int, int] = {}
    for page, unit, _ in found:
        first_mark.setdefault(page, unit)
    result = []
    chapter = index.units[first].chapter
    for page in range(pages):
        if page in first_mark:
            chapter = index.units[first_mark[page]].chapter
        result.append(chapter)
    return result


def footer_slots(index: Index, chapters: Sequence[int], anchors: Sequence[Sequence[str]]) -> str:
    """The footer document's pages after the cover and contents: for every page of the book,
    an empty page laid out as its chapter's pages are, holding the anchors of the chapters
    that start on it (so that the contents' page numbers come out right)."""
    out = []
    current: int | None = None
    for chapter, names in zip(chapters, anchors, strict=True):
        if chapter != current:
            if current is not None:
                out.append(index.chapters[current].end)
            out.append(index.chapters[chapter].resume)
            current = chapter
        inner = "".join(f'<div id="{name}"></div>' for name in names)
        out.append(f'<div class="{SLOT_CLASS}">{inner}</div>\n')
    if current is not None:
        out.append(index.chapters[current].end)
    return "".join(out)
