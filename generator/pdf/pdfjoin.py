"""One PDF from a book laid out in parts, written as the parts are made; nothing is read back.

A book too long to lay out at once (``worker``) is laid out in parts, each in a process of its
own. WeasyPrint hands each part's PDF objects (pydyf's, through ``write_pdf``'s ``finisher``,
before it writes them) to a ``Chunk``, which appends the objects the kept pages need to the
book's file under the book's object numbers, the small ones packed into an object stream as
pydyf packs them, and says where each one went. The process that started the parts then
writes what ties the book together with ``finish``: the page tree, the catalog with the named
destinations and the outline, and the cross-reference stream, whose identifier is a hash of
everything before it.

References between the objects of one part are renumbered; a reference that already names an
object of the book (the page tree, or what another process writes) is a ``BookReference`` and
stays as it is. Only this module and ``worker`` know pydyf, WeasyPrint's PDF writer, and only
the layout process imports them.

Public interfaces only, and why not pypdf. WeasyPrint's ``write_pdf(finisher=...)`` is
documented as the place to post-process the PDF before it is written, with the document and
a ``pydyf.PDF``; this module reads and changes that PDF only through what pydyf's API
reference documents (``PDF.objects``, ``pages``, ``catalog``, ``info``, ``add_object``; an
object's ``number``, ``data``, ``indirect``, ``reference``, ``compressible``; the classes
``Dictionary``, ``Array``, ``String`` and ``Stream`` with its ``extra``), and the PDF's own
structure as the PDF 1.7 specification defines it (page dictionaries, a flat name tree of
destinations). Checked against WeasyPrint 70.0 and pydyf 0.13.0; ``tests/pdf/test_parts.py``
compares a book in parts with the same book laid out at once (text, outline, links,
contents' page numbers). Joining finished part files with pypdf instead was not chosen:
pypdf reads each part back whole and keeps the joined document in memory until it writes
it (every page of a 6,000-page book), drawing each page's number on it would mean merging
a page of the footer document into each page (pypdf rewrites both content streams), and the
outline, named destinations and links across parts would have to be rebuilt by hand all the
same. Here each part's objects go straight from WeasyPrint to the file, and the memory of
the join is that of one part. The one reach into pydyf's internals on this path, the
compression level, is ``dependency_internals.streams_at_default_level``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pydyf

HEADER = b"%PDF-1.7\n%\xf0\x9f\x96\xa4\n"  # as pydyf writes it
CATALOG, PAGE_TREE, SAVE, RESTORE = 1, 2, 3, 4  # objects the book's own process writes
FIRST_FREE = 5  # the first number a part may take

_REFERENCE = re.compile(rb"(\d+) 0 R")


class BookReference(bytes):
    """A reference to an object in the book's numbering, which renumbering leaves alone."""

    @classmethod
    def to(cls, number: int) -> BookReference:
        return cls(b"%d 0 R" % number)


class Entry(NamedTuple):
    """Where an object is: (1, offset, 0) in the file, or (2, stream, index) in an object
    stream (the fields of its cross-reference entry)."""

    number: int
    kind: int
    field2: int
    field3: int


class Destination(NamedTuple):
    """A named destination: a point on a page, in PDF points from its bottom-left corner."""

    name: str
    page: int  # the page object's number in the book
    x: float
    y: float


class Bookmark(NamedTuple):
    """An outline entry as WeasyPrint's pages give it, on a page object of the book."""

    level: int
    label: str
    page: int
    x: float
    y: float
    open: bool


@dataclass
class Written:
    """What a chunk wrote: the numbers it took up to ``end``, and where its objects are."""

    end: int = FIRST_FREE
    entries: list[Entry] = field(default_factory=list)


def start(path: Path) -> list[Entry]:
    """Begin the book's file at ``path``: the header, and the two streams that every page of
    the parts wraps its drawing in (``q`` and ``Q``), so that its footer, drawn after them, is
    drawn from the page's own origin; where they are."""
    entries = []
    with path.open("wb") as out:
        out.write(HEADER)
        for number, data in ((SAVE, [b"q", b""]), (RESTORE, [b"", b"Q"])):
            stream = pydyf.Stream(data)
            stream.number = number
            entries.append(Entry(number, 1, out.tell(), 0))
            out.write(stream.indirect + b"\n")
    return entries


def object_of(pdf: Any, reference: bytes) -> Any:
    """The pydyf object a part's reference names."""
    match = _REFERENCE.fullmatch(reference)
    if match is None:
        raise ValueError(f"not a reference: {reference!r}")
    return pdf.objects[int(match[1])]


def page_objects(pdf: Any) -> list[Any]:
    """The pages of a part's PDF, in order (pydyf lists them as number, 0, 'R')."""
    kids = pdf.pages["Kids"]
    return [pdf.objects[number] for number in kids[::3]]


def _references(value: Any) -> Iterator[bytes]:
    """Every reference inside a direct value (a dictionary, an array, a stream's dictionary)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, pydyf.Stream):
            stack.append(item.extra)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif (
            isinstance(item, bytes)
            and not isinstance(item, BookReference)
            and _REFERENCE.fullmatch(item)
        ):
            yield item


def _renumber(value: Any, numbers: dict[int, int]) -> Any:
    """``value`` with its part's references made the book's (containers changed in place)."""
    if isinstance(value, pydyf.Stream):
        value.extra = _renumber(value.extra, numbers)
    elif isinstance(value, dict):
        for key, item in value.items():
            value[key] = _renumber(item, numbers)
    elif isinstance(value, list):
        value[:] = [_renumber(item, numbers) for item in value]
    elif isinstance(value, bytes) and not isinstance(value, BookReference):
        match = _REFERENCE.fullmatch(value)
        if match:
            return BookReference.to(numbers[int(match[1])])
    return value


class Chunk:
    """The objects of one part, appended to the book's file under the book's numbers."""

    def __init__(self, pdf: Any, first: int):
        self.pdf = pdf
        self.first = first
        self._order: list[int] = []  # the part's numbers of the objects to write, in order
        self._seen: set[int] = set()
        self._fixed: dict[int, int] = {}  # part's number -> book's, for numbers given out before

    def keep(self, obj: Any, number: int | None = None) -> None:
        """Write ``obj`` and everything it refers to; under ``number`` if it is given."""
        if obj.number is None:
            self.pdf.add_object(obj)
        if number is not None:
            self._fixed[obj.number] = number
        seen = self._seen
        stack = [obj.number]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            self._order.append(current)
            found = [int(r.split()[0]) for r in _references(self.pdf.objects[current])]
            stack.extend(reversed(found))

    def write(self, path: Path) -> Written:
        """Append the kept objects to the book's file at ``path``."""
        written = Written()
        numbers = dict(self._fixed)
        number = self.first
        for part_number in self._order:
            if part_number not in numbers:
                numbers[part_number] = number
                number += 1
        objects = [self.pdf.objects[n] for n in self._order]
        for obj in objects:
            _renumber(obj, numbers)
        for part_number, obj in zip(self._order, objects, strict=True):
            obj.number = numbers[part_number]
        packed = [obj for obj in objects if obj.compressible]
        with path.open("ab") as out:
            for obj in objects:
                if not obj.compressible:
                    written.entries.append(Entry(obj.number, 1, out.tell(), 0))
                    out.write(obj.indirect + b"\n")
            if packed:
                stream = _object_stream(packed, number)
                written.entries.append(Entry(number, 1, out.tell(), 0))
                written.entries.extend(
                    Entry(obj.number, 2, number, index) for index, obj in enumerate(packed)
                )
                out.write(stream.indirect + b"\n")
                number += 1
        written.end = number
        return written


def _object_stream(objects: Sequence[Any], number: int) -> Any:
    """The objects packed into one compressed object stream, as pydyf packs them."""
    offsets: list[int] = []
    data: list[bytes] = []
    position = 0
    for obj in objects:
        item = obj.data
        offsets += [obj.number, position]
        data.append(item)
        position += len(item) + 1
    header = " ".join(map(str, offsets)).encode()
    extra = {"Type": "/ObjStm", "N": len(objects), "First": len(header) + 1}
    stream = pydyf.Stream([header, *data], extra, compress=True)
    stream.number = number
    return stream


def outline(bookmarks: Sequence[Bookmark]) -> list[tuple[Bookmark, list[Any]]]:
    """The bookmarks as a tree: each a child of the nearest one before it of a lower level,
    however much lower (as ``Document.make_bookmark_tree`` nests them)."""
    root: list[tuple[Bookmark, list[Any]]] = []
    open_by_depth: list[tuple[int, list[Any]]] = [(0, root)]  # (level, children list)
    for bookmark in bookmarks:
        while len(open_by_depth) > 1 and open_by_depth[-1][0] >= bookmark.level:
            open_by_depth.pop()
        children: list[Any] = []
        open_by_depth[-1][1].append((bookmark, children))
        open_by_depth.append((bookmark.level, children))
    return root


def finish(
    path: Path,
    end: int,
    entries: Iterable[Entry],
    pages: Sequence[int],
    destinations: Iterable[Destination],
    bookmarks: Sequence[Bookmark],
    *,
    info: int | None,
    language: bytes | None,
) -> None:
    """Append the page tree, the catalog, the outline and the cross-reference stream.

    ``end`` is the first number no part took; ``entries`` say where the parts' objects are.
    """
    known = {entry.number: entry for entry in entries}
    objects: list[Any] = []
    number = end

    def add(obj: Any, fixed: int | None = None) -> bytes:
        nonlocal number
        if fixed is None:
            obj.number = number
            number += 1
        else:
            obj.number = fixed
        objects.append(obj)
        return bytes(BookReference.to(obj.number))

    def ref(number: int) -> bytes:
        return bytes(BookReference.to(number))

    page_tree = pydyf.Dictionary(
        {"Type": "/Pages", "Kids": pydyf.Array(ref(p) for p in pages), "Count": len(pages)}
    )
    add(page_tree, PAGE_TREE)
    catalog = pydyf.Dictionary({"Type": "/Catalog", "Pages": ref(PAGE_TREE)})
    add(catalog, CATALOG)
    _add_outline(catalog, outline(bookmarks), add)
    if language is not None:
        catalog["Lang"] = language
    names = pydyf.Array()
    for destination in sorted(destinations):
        names.append(pydyf.String(destination.name))
        names.append(
            pydyf.Array([ref(destination.page), "/XYZ", destination.x, destination.y, 0])
        )
    if names:
        catalog["Names"] = pydyf.Dictionary({"Dests": pydyf.Dictionary({"Names": names})})

    with path.open("ab") as out:
        stream_number = number
        number += 1
        stream = _object_stream(objects, stream_number)
        known[stream_number] = Entry(stream_number, 1, out.tell(), 0)
        for index, obj in enumerate(objects):
            known[obj.number] = Entry(obj.number, 2, stream_number, index)
        out.write(stream.indirect + b"\n")
        xref_position = out.tell()
    digest = _md5(path)
    size = number + 1
    missing = [n for n in range(1, size - 1) if n not in known]
    if missing:
        raise ValueError(f"objects never written: {missing[:10]}")
    rows = [(0, 0, 65535)] + [known[n][1:] for n in range(1, size - 1)]
    rows.append((1, xref_position, 0))
    widths = (
        1,
        _bytes_for(max(row[1] for row in rows)),
        _bytes_for(max(row[2] for row in rows)),
    )
    table = b"".join(
        value.to_bytes(width, "big") for row in rows for width, value in zip(widths, row,
                                                                           strict=True)
    )
    extra = {
        "Type": "/XRef",
        "Index": pydyf.Array((0, size)),
        "W": pydyf.Array(widths),
        "Size": size,
        "Root": ref(CATALOG),
        "ID": pydyf.Array((pydyf.String(digest).data, pydyf.String(digest).data)),
    }
    if info is not None:
        extra["Info"] = ref(info)
    xref = pydyf.Stream([table], extra, compress=True)
    xref.number = size - 1
    with path.open("ab") as out:
        out.write(xref.indirect + b"\n")
        out.write(b"startxref\n%d\n%%%%EOF\n" % xref_position)


def _md5(path: Path) -> bytes:
    """The file's MD5 as hexadecimal digits: the book's identifier, as pydyf makes one."""
    digest = hashlib.md5()
    with path.open("rb") as data:
        while block := data.read(1 << 20):
            digest.update(block)
    return digest.hexdigest().encode()


def _bytes_for(value: int) -> int:
    return max(1, math.ceil(math.log(value + 1, 256)))


def _add_outline(catalog: Any, tree: list[tuple[Bookmark, list[Any]]], add: Any) -> None:
    """The outline's dictionaries, as WeasyPrint writes them (``pdf/anchors.py``)."""

    def items(tree: list[tuple[Bookmark, list[Any]]], parent: Any) -> tuple[list[Any], int]:
        count = len(tree)
        made: list[Any] = []
        for bookmark, children in tree:
            item = pydyf.Dictionary({
                "Title": pydyf.String(bookmark.label),
                "Dest": pydyf.Array(
                    (bytes(BookReference.to(bookmark.page)), "/XYZ", bookmark.x, bookmark.y, 0)
                ),
            })
            reference = add(item)
            kids, kids_count = items(children, item)
            item["Count"] = kids_count
            if not bookmark.open:
                item["Count"] *= -1
            else:
                count += kids_count
            if made:
                item["Prev"] = made[-1].reference
                made[-1]["Next"] = reference
            if kids:
                item["First"] = kids[0].reference
                item["Last"] = kids[-1].reference
            if parent is not None:
                item["Parent"] = parent.reference
            made.append(item)
        return made, count

    made, count = items(tree, None)
    if made:
        root = pydyf.Dictionary(
            {"Count": count, "First": made[0].reference, "Last": made[-1].reference}
        )
        reference = add(root)
        for item in made:
            item["Parent"] = reference
        catalog["Outlines"] = reference
