"""The layout process's work for a book laid out in parts (``parts``), joined by ``pdfjoin``.

``layout.main`` hands a request in parts (``parts.INDEX_NAME`` and its units, ``book.css`` and
``request.json`` with ``part_size``) to ``lay_out``, which lays each part out in a process
forked from the layout process: WeasyPrint is loaded once, each part's memory goes back to the
system when its process ends, and no part waits for another's objects to be freed. Like
``worker``, it uses WeasyPrint's public interface: ``Document.pages`` and each page's
``bookmarks``, ``anchors`` and ``links``, ``Document.copy`` and ``write_pdf``'s ``finisher``
(and, through ``dependency_internals``, the compression level of the streams it writes).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.errors import BriefingError
from generator.pdf import dependency_internals, parts, pdfjoin
from generator.pdf.worker import (
    PDF_NAME,
    Laid,
    LayoutError,
    Records,
    in_a_roomy_frame,
    peak_memory,
    render,
)


class _Stop(BriefingError):
    """Raised by a finisher once it has written a part's objects into the book's file: the
    part's own file is not needed."""


def lay_out(folder: Path, css: str, paper: str, size: int, forks: Forks) -> Laid:
    """Lay out the book cut into units in ``folder`` (``parts``) in parts of at most ``size``
    characters, each in a process forked from this one, into ``folder / PDF_NAME``.

    First a probe says where the text starts on each chapter's pages. Then each part is laid
    out and cut where the book as one document would turn a page (``parts.cut``); its pages are
    drawn without their page number and appended to the book's file (``pdfjoin``). Last, the
    front document: the cover and contents, then an empty page for every page of the parts,
    laid out as that page is, with the chapters' anchors where they start (so that the
    contents' page numbers are the book's): its cover and contents become the book's first
    pages, and every other page, drawn with its page number of the whole book, is drawn on the
    parts' page it stands for. The peak memory is the largest of all these processes'.
    """
    index = parts.Index.read(folder)
    output = folder / PDF_NAME
    entries = pdfjoin.start(output)
    probed = forks.run(lambda: _probe(index, css, paper), "probe")
    tops = {int(chapter): y for chapter, y in probed["tops"].items()}
    number = pdfjoin.FIRST_FREE
    body: list[int] = []  # the body's pages, in order
    footers: list[int] = []  # the footer drawn on each
    owners: list[int] = []  # the chapter each page is laid out as
    starting: list[list[str]] = []  # the chapters starting on each
    sizes: list[list[float]] = []
    destinations: list[pdfjoin.Destination] = []
    bookmarks: list[pdfjoin.Bookmark] = []
    parsers: list[str] = []
    relaid = 0  # pages laid out in a part and again in the next
    count = 0
    first = 0
    while first < len(index.units):
        stop = parts.plan(index.units, first, size)
        done = forks.run(
            functools.partial(_part, index, folder, css, paper, tops, first, stop, number),
            "parts",
        )
        first, number = done["next"], done["end"]
        body += done["pages"]
        footers += done["footers"]
        owners += done["owners"]
        starting += done["starting"]
        sizes += done["sizes"]
        destinations += [pdfjoin.Destination(*d) for d in done["destinations"]]
        bookmarks += [pdfjoin.Bookmark(*b) for b in done["bookmarks"]]
        entries += [pdfjoin.Entry(*e) for e in done["entries"]]
        parsers.append(done["parser"])
        relaid += done["relaid"]
        count += 1
    front = forks.run(
        functools.partial(_front, index, folder, css, paper, number, footers, owners, starting,
                          sizes),
        "front",
    )
    entries += [pdfjoin.Entry(*e) for e in front["entries"]]
    pages = front["pages"] + body
    with dependency_internals.streams_at_default_level():
        pdfjoin.finish(
            output, front["end"], entries, pages, destinations,
            [pdfjoin.Bookmark(*b) for b in front["bookmarks"]] + bookmarks,
            info=front["info"],
            language=None if front["language"] is None else front["language"].encode("latin-1"),
        )
    parser = next((p for p in [*parsers, front["parser"]] if p != "xml"), "xml")
    forks.parts, forks.relaid = count, relaid
    return Laid(b"", len(pages), parser)


class Forks:
    """Runs work in processes forked from this one, one at a time, and gathers what they
    logged and their peak memory."""

    def __init__(self, folder: Path, records: Records):
        self.folder = folder
        self.records = records
        self.peak = 0
        #: How many parts the book was laid out in, and how many pages were laid out twice.
        self.parts = self.relaid = 0
        #: CPU seconds by kind of work: the probe, the parts, the front (cover, contents and
        #: every page's footer).
        self.cpu: dict[str, float] = {}
        self._count = 0
        self._logged: set[tuple[str, int, str]] = set()

    def run(self, work: Callable[[], dict[str, Any]], kind: str) -> dict[str, Any]:
        """``work()``'s result, computed in a child process; its CPU time is added to
        ``cpu[kind]``."""
        self._count += 1
        result_path = self.folder / f"part-{self._count}.json"
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: lay out, say how it went, and go without cleaning up
            self.records.records = []
            try:
                result = in_a_roomy_frame(work)
            except LayoutError as exc:
                result = {"error": str(exc)}
            except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
                result = {"error": f"{type(exc).__name__}: {exc}"}
            result["log"] = self.records.records
            result["peak_memory"] = peak_memory()
            result_path.write_text(json.dumps(result), encoding="utf-8")
            os._exit(0)
        _, status, usage = os.wait4(pid, 0)
        self.cpu[kind] = self.cpu.get(kind, 0.0) + usage.ru_utime + usage.ru_stime
        try:
            result = dict(json.loads(result_path.read_text(encoding="utf-8")))
            result_path.unlink()
        except (OSError, ValueError):
            signal = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            how = (f"was killed by signal {signal}" if signal is not None
                   else f"exited with status {os.waitstatus_to_exitcode(status)}")
            raise LayoutError(f"the layout of a part of the book {how}") from None
        self.peak = max(self.peak, int(result.get("peak_memory", 0)))
        for name, level, message in result.get("log", []):
            if (name, level, message) not in self._logged:  # each part may say the same
                self._logged.add((name, level, message))
                self.records.records.append([name, level, message])
        if "error" in result:
            raise LayoutError(result["error"])
        return result


def _probe(index: parts.Index, css: str, paper: str) -> dict[str, Any]:
    """Where the text starts on each chapter's pages (CSS pixels from the page's top)."""
    document, _ = render(parts.probe(index), css, paper, parts.PROBE_CSS)
    found = parts.marks(_bookmarks(document.pages))
    return {"tops": {chapter: y for _, chapter, y in found}}


def _bookmarks(pages: list[Any]) -> list[tuple[int, str, float]]:
    return [
        (number, label, y)
        for number, page in enumerate(pages)
        for _, label, (_, y), _ in page.bookmarks
    ]


def _pdf_point(page: Any, x: float, y: float) -> tuple[float, float]:
    """A point on a page from CSS pixels from its top-left corner to PDF points from its
    bottom-left corner, as WeasyPrint writes them."""
    return x * 0.75, (page.height - y) * 0.75


def _outline_entries(pages: list[Any], numbers: list[int]) -> list[list[Any]]:
    """The pages' bookmarks that are not marks, as ``pdfjoin.Bookmark`` fields."""
    return [
        [level, label, number, *_pdf_point(page, x, y), state != "closed"]
        for page, number in zip(pages, numbers, strict=True)
        for level, label, (x, y), state in page.bookmarks
        if not label.startswith(parts.MARK)
    ]


def _part(
    index: parts.Index, folder: Path, css: str, paper: str, tops: dict[int, float],
    first: int, stop: int, number: int,
) -> dict[str, Any]:
    """Lay out units ``first`` to ``stop``, cut the part, and append its pages to the book;
    ``number``: the first object number it may take."""
    import pydyf  # noqa: PLC0415 - WeasyPrint's PDF writer, loaded with it

    html = parts.compose(index, index.texts(folder, first, stop), first)
    document, parser = render(html, css, paper, parts.PART_CSS)
    found = list(parts.marks(_bookmarks(document.pages)))
    keep, following = parts.cut(index, found, tops, first, stop, len(document.pages))
    kept = document.pages[:keep]
    chapter_ids = {chapter.id for chapter in index.chapters}
    starting = [sorted(chapter_ids & page.anchors.keys()) for page in kept]
    # Links to another part keep their named destination, which the book's catalog holds:
    # a stand-in anchor here keeps WeasyPrint from dropping them; its own destination is not
    # kept. The stand-in is a copy of an anchor WeasyPrint made (its documented form, an
    # (x, y) point, is not the one it reads), so that its form is WeasyPrint's own.
    anchors = {name for page in kept for name in page.anchors}
    stand_in = next((point for page in kept for point in page.anchors.values()), None)
    elsewhere: set[str] = set()
    for page in kept:
        for kind, target, _, _ in page.links:
            if kind == "internal" and target not in anchors and stand_in is not None:
                page.anchors[target] = stand_in
                anchors.add(target)
                elsewhere.add(target)
    footers = list(range(number, number + keep))
    done: dict[str, Any] = {}

    def write(_document: Any, pdf: Any) -> None:
        chunk = pdfjoin.Chunk(pdf, number + keep)
        pages = pdfjoin.page_objects(pdf)
        before = [page.number for page in pages]
        for page, footer in zip(pages, footers, strict=True):
            name = f"BookFooter{footer}"
            resources = pdfjoin.object_of(pdf, page["Resources"])
            resources["XObject"][name] = pdfjoin.BookReference.to(footer)
            draw = pydyf.Stream([b"", f"/{name} Do".encode()])
            pdf.add_object(draw)
            page["Contents"] = pydyf.Array([
                pdfjoin.BookReference.to(pdfjoin.SAVE), page["Contents"],
                pdfjoin.BookReference.to(pdfjoin.RESTORE), draw.reference,
            ])
            page["Parent"] = pdfjoin.BookReference.to(pdfjoin.PAGE_TREE)
            chunk.keep(page)
        written = chunk.write(folder / PDF_NAME)
        moved = {old: page.number for old, page in zip(before, pages, strict=True)}
        names = pdf.catalog.get("Names", {}).get("Dests", {}).get("Names", [])
        done["destinations"] = [
            [name.string, moved[int(target[0].split()[0])], target[2], target[3]]
            for name, target in zip(names[::2], names[1::2], strict=True)
            if name.string not in elsewhere
        ]
        done.update(pages=[page.number for page in pages], end=written.end,
                    entries=written.entries)
        raise _Stop

    with dependency_internals.streams_at_default_level(), contextlib.suppress(_Stop):
        document.copy(kept).write_pdf(finisher=write)
    return {
        **done,
        "next": following,
        "relaid": len(document.pages) - keep,
        "footers": footers,
        "owners": parts.owners(index, found, first, keep),
        "starting": starting,
        "sizes": [[page.width, page.height] for page in kept],
        "bookmarks": _outline_entries(kept, done["pages"]),
        "parser": parser,
    }


def _front(
    index: parts.Index, folder: Path, css: str, paper: str, number: int, footers: list[int],
    owners: list[int], starting: list[list[str]], sizes: list[list[float]],
) -> dict[str, Any]:
    """Lay out the cover, the contents and a footer page per page of the parts, and append
    the cover and contents as pages and the footers as pictures (form XObjects) to draw on
    the parts' pages; ``number``: the first object number it may take."""
    html = index.start + index.front + parts.footer_slots(index, owners, starting) + index.end
    document, parser = render(html, css, paper, parts.FOOTER_CSS)
    front = len(document.pages) - len(footers)
    slots = document.pages[front:]
    if front < 1 or any(
        abs(page.width - w) > parts.TOLERANCE or abs(page.height - h) > parts.TOLERANCE
        for page, (w, h) in zip(slots, sizes, strict=True)
    ):
        raise LayoutError("the page numbers could not be laid out as the book's pages are")
    done: dict[str, Any] = {}

    def write(_document: Any, pdf: Any) -> None:
        chunk = pdfjoin.Chunk(pdf, number)
        pages = pdfjoin.page_objects(pdf)
        for page in pages[:front]:
            page["Parent"] = pdfjoin.BookReference.to(pdfjoin.PAGE_TREE)
            chunk.keep(page)
        for page, footer in zip(pages[front:], footers, strict=True):
            content = pdfjoin.object_of(pdf, page["Contents"])
            content.extra.update({
                "Type": "/XObject", "Subtype": "/Form", "BBox": page["MediaBox"],
                "Resources": page["Resources"],
            })
            chunk.keep(content, footer)
        if pdf.info:
            chunk.keep(pdf.info)
        written = chunk.write(folder / PDF_NAME)
        language = pdf.catalog.get("Lang")
        done.update(
            pages=[page.number for page in pages[:front]], end=written.end,
            entries=written.entries, info=pdf.info.number if pdf.info else None,
            language=None if language is None else language.data.decode("latin-1"),
        )
        raise _Stop

    with dependency_internals.streams_at_default_level(), contextlib.suppress(_Stop):
        document.write_pdf(finisher=write)
    numbers = done["pages"]
    return {**done, "bookmarks": _outline_entries(document.pages[:front], numbers),
            "parser": parser}
