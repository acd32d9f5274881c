"""Every speed-up that reaches into a dependency's private internals, in one place, each on only
with the versions it was verified on.

The print edition uses WeasyPrint and pydyf through their public interfaces everywhere else
(``worker``, ``layout_parts``, ``pdfjoin``). The four reaches here each buy a measured share
of a long book's layout time (ARCHITECTURE.md lists them, with the figures), and each rests on
something its dependency does not promise:

* ``roomy_call``: CPython 3.11 gives a chunk of its frame stack back to the system as soon as
  the first frame in it returns; a function whose code object claims a huge value stack
  (``co_stacksize``) gets a chunk of its own with room for the layout's recursion after it.
* ``streams_at_default_level``: pydyf compresses every stream at zlib's level 9, through the
  module global ``pydyf.zlib``, which is swapped for one that compresses at level 6.
* ``serialise_once``: pydyf serialises every object twice when it writes a file identifier;
  each object's class is swapped for a subclass that keeps its bytes.
* ``document_from_tree``: WeasyPrint's ``HTML`` is given a tree that expat read
  (``polyglot``) by setting the two attributes its constructor sets from its own parser.

The installed versions of Python, pydyf and WeasyPrint are read once, when this module is
imported, and each reach is on only within the range it was verified on (``REACHES``).
Outside it the reach is *off*, not an error: the PDF comes out right, only slower, because an
editor's build must never break over a speed-up. A maintainer learns of it from
``tests/pdf/test_dependency_internals.py``, which fails, naming the reach and the version, as soon
as one is off, and which checks that each internal it relies on is still there and behaves
as it did. To widen a range: run those tests and ``benchmarks/run.py`` with the new version,
then change the range here and the versions in ARCHITECTURE.md.

This module imports only the standard library when it is loaded; pydyf and WeasyPrint are
imported when a reach is used (in the layout process, which has loaded them already).
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
import types
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Any, TypeVar

_T = TypeVar("_T")


@dataclass(frozen=True)
class Reach:
    """A speed-up that uses a dependency's internals: the dependency, the versions it was
    verified on (``low`` included, ``high`` not), and what it relies on."""

    dependency: str  # "python" or a distribution's name
    low: tuple[int, ...]
    high: tuple[int, ...]
    relies_on: str


REACHES: dict[str, Reach] = {
    "roomy_call": Reach(
        "python", (3, 11), (3, 12),
        "CPython 3.11's frame stack: 16 KB chunks, freed when their first frame returns; a "
        "frame as large as its code's co_stacksize (gh-142183)",
    ),
    "streams_at_default_level": Reach(
        "pydyf", (0, 13), (0, 14),
        "pydyf calls zlib through its module global pydyf.zlib (compressobj(level=9))",
    ),
    "serialise_once": Reach(
        "pydyf", (0, 13), (0, 14),
        "pydyf's object classes work out their bytes in a property named data, which "
        "PDF.write reads twice per object when it writes an identifier",
    ),
    "document_from_tree": Reach(
        "weasyprint", (70,), (71,),
        "weasyprint.HTML keeps its parsed document in the attributes wrapper_element and "
        "etree_element, set by its constructor and read by render()",
    ),
}


def installed(dependency: str) -> tuple[int, ...] | None:
    """The installed version of ``dependency`` as numbers (``None``: not installed)."""
    if dependency == "python":
        return tuple(sys.version_info[:3])
    try:
        text = metadata.version(dependency)
    except metadata.PackageNotFoundError:
        return None
    return tuple(int(n) for n in re.findall(r"\d+", text.split("+")[0])[:3])


def why_off(name: str) -> str | None:
    """Why the reach ``name`` is off with the versions installed, or ``None`` if it is on."""
    reach = REACHES[name]
    version = installed(reach.dependency)
    if version is None:
        return f"{reach.dependency} is not installed"
    if reach.low <= version < reach.high:
        return None
    shown = ".".join(map(str, version))
    low, high = ".".join(map(str, reach.low)), ".".join(map(str, reach.high))
    return (f"{reach.dependency} {shown} is outside the versions it was verified on "
            f"(at least {low}, below {high})")


#: The reaches that are on, decided once, when the module is imported.
ON: frozenset[str] = frozenset(name for name in REACHES if why_off(name) is None)


def off(name: str) -> str | None:
    """Why the reach ``name`` is off in this process, or ``None`` if it is on."""
    if name in ON:
        return None
    return why_off(name) or "it was turned off"


# --- CPython's frame stack ---------------------------------------------------------------------


def roomy_call(function: Callable[[], _T]) -> _T:
    """``function()``, called from a frame with half a megabyte of CPython's frame stack free
    after it (on CPython 3.11; elsewhere a plain call).

    CPython 3.11 keeps Python frames in chunks of 16 KB and gives a chunk back to the system
    (munmap) as soon as the first frame in it returns. WeasyPrint's layout recurses through
    boxes nested dozens deep, back and forth across a chunk's edge, so each crossing mapped a
    fresh chunk and faulted its pages in again: at 1,000 sheets, 250,000 of the layout's
    500,000 page faults (CPython issue gh-142183; newer versions keep one chunk back). A frame
    is as large as its code's value stack says, and one too large for the current chunk gets
    a chunk of its own, rounded up to a power of two: this one's 66,000 slots (528 KB) get a
    chunk of 1 MB, and the frames called from it share the other 500 KB, far more than the
    layout's deepest recursion needs.
    """
    if "roomy_call" not in ON:
        return function()
    return _ROOMY_CALL(function)


def _call(function: Callable[[], _T]) -> _T:
    return function()


# CodeType.replace is public; what a large co_stacksize does to the frame stack is not.
_ROOMY_CALL = types.FunctionType(
    _call.__code__.replace(co_stacksize=66_000), _call.__globals__, "roomy_call"
)


# --- pydyf's compression level -----------------------------------------------------------------


class _ZlibAtDefaultLevel:
    """zlib as pydyf calls it, with every stream compressed at zlib's default level (6)."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level: int = zlib.Z_DEFAULT_COMPRESSION, **options: Any) -> Any:
        return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, **options)  # not pydyf's 9


@contextlib.contextmanager
def streams_at_default_level() -> Iterator[None]:
    """While the PDF is written, pydyf compresses its streams at level 6, not 9 (with pydyf
    0.13; with any other version, at pydyf's own level).

    Neither pydyf nor WeasyPrint lets a caller choose the level. The bytes stay the same for
    the same content; the PDF is about 2 % larger.
    """
    if "streams_at_default_level" not in ON:
        yield
        return
    import pydyf  # noqa: PLC0415 - WeasyPrint's PDF writer, only in the layout process

    saved = pydyf.zlib
    pydyf.zlib = _ZlibAtDefaultLevel
    try:
        yield
    finally:
        pydyf.zlib = saved


# --- pydyf's second serialisation --------------------------------------------------------------


def serialise_once(document: Any, pdf: Any) -> None:
    """A finisher for WeasyPrint's ``write_pdf``: each PDF object is serialised once, not twice
    (with pydyf 0.13; with any other version it does nothing).

    pydyf writes every object, then serialises (and compresses) every object again to hash
    them for the file identifier. The objects are final when WeasyPrint calls its finisher, so
    each one's bytes are remembered from the first time. The bytes, the identifier among
    them, are the same.
    """
    if "serialise_once" not in ON:
        return
    for obj in pdf.objects:
        obj.__class__ = _remembering(type(obj))


_REMEMBERING: dict[type, type] = {}


def _remembering(cls: type) -> type:
    """A subclass of a pydyf object class whose ``data`` is worked out once per object."""
    if cls not in _REMEMBERING:
        data = getattr(cls, "data", None)
        if not isinstance(data, property) or data.fget is None:
            _REMEMBERING[cls] = cls  # not a pydyf object as this module knows them: as it is
        else:
            fields = {"data": functools.cached_property(data.fget)}
            _REMEMBERING[cls] = type(cls.__name__, (cls,), fields)
    return _REMEMBERING[cls]


# --- WeasyPrint's parsed document --------------------------------------------------------------


def document_from_tree(root: Any, url_fetcher: Any) -> Any | None:
    """WeasyPrint's ``HTML`` for an ElementTree ``root`` read elsewhere (with WeasyPrint 70;
    ``None`` with any other version, and the caller lets WeasyPrint parse the text).

    WeasyPrint takes a document only as text, which its HTML5 parser (in Python) reads; the
    book's markup is polyglot and expat reads it into the same tree in a seventh of the time.
    What ``HTML`` makes of a text is made of the tree instead: an empty text sets the rest
    (the fetcher, no base URL since the book has no <base>, the media type).
    """
    if "document_from_tree" not in ON:
        return None
    import cssselect2  # noqa: PLC0415 - WeasyPrint's, only in the layout process
    import weasyprint  # noqa: PLC0415 - only in the layout process

    document = weasyprint.HTML(string="", url_fetcher=url_fetcher)
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(
        root, content_language=None
    )
    document.etree_element = document.wrapper_element.etree_element
    return document
