"""WeasyPrint's part of the print edition: with ``layout_parts``, the only module that knows
WeasyPrint.

It runs in a process of its own (``python -m generator.pdf.process REQUEST_DIR``, started by
``pdf.edition``). Laying out a book of 600 pages makes millions of objects, tied together in
reference cycles, that all live until the PDF is written: at 1,000 sheets, freeing them took
Python's collector 2.5 s of a 42 s PDF. A process that ends hands its memory back to the system
at once; the briefing's own process (the CLI's, which builds the site meanwhile) never grows by
the layout's 1.2 GB; and ``briefing build`` lays the book out while MkDocs builds the site.

The process is started before the book is assembled, so that loading WeasyPrint (about 0.4 s)
overlaps that work; it then waits for a line on its standard input: ``go`` once the request
folder is ready (anything else, or the end of the input, and it ends without a word). The
request folder holds ``book.html``, ``book.css`` and ``request.json`` (``{"paper": ...}``);
or, for a book longer than ``parts.WHOLE_SIZE`` (its memory would grow past 1.4 GB),
the book cut into units (``parts.INDEX_NAME`` and ``parts.UNITS_NAME``) and ``{"paper": ...,
"part_size": n}``, which ``layout_parts`` lays out in parts, each in a process forked from
this one. The worker writes ``book.pdf`` and then ``result.json``: ``{"pages": n, "parser":
..., "log": [...]}`` on success, ``{"error": message, "log": [...]}`` when the book could not
be laid out. ``log`` holds the log records emitted meanwhile (WeasyPrint's warnings among
them) as ``[name, level, message]``, for the parent to emit again. Only this module and
``layout_parts`` import WeasyPrint; of the generator this one imports only ``polyglot``
(stdlib and WeasyPrint's parser) and ``dependency_internals`` (stdlib), so starting it loads
WeasyPrint and no more. The speed-ups that rest on WeasyPrint's, pydyf's and CPython's
internals are all in ``dependency_internals``, each on only with the versions it was verified
on; everything else here uses WeasyPrint's public interface.
"""

from __future__ import annotations

import gc
import logging
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from generator.errors import BriefingError
from generator.pdf import dependency_internals

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
HTML_NAME, CSS_NAME, REQUEST_NAME = "book.html", "book.css", "request.json"
PDF_NAME, RESULT_NAME = "book.pdf", "result.json"
GO = "go"  # the parent's word that the request folder is ready


class LayoutError(BriefingError):
    """The book could not be laid out; the message says why."""


def _refusing_fetcher() -> Any:
    """A URL fetcher that fetches nothing.

    The book is one self-contained document: pictures are inline SVG and fonts come from
    fontconfig. Fetching anything would make the output depend on the network or on paths;
    WeasyPrint logs the refusal and lays the page out without the resource.
    """
    from weasyprint.urls import URLFetcher  # noqa: PLC0415 - with WeasyPrint, as above

    class Refuse(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no type hints
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise LayoutError(f"the print edition fetches nothing; it asked for {url}")

    return Refuse()


def page_css(paper: str) -> str:
    """The paper size, for the book's pages and its landscape (``wide``) pages."""
    if paper not in PAPER_SIZES:
        raise LayoutError(f"paper must be one of {', '.join(PAPER_SIZES)}; got {paper!r}")
    size = PAPER_SIZES[paper]
    return f"@page {{ size: {size}; }}\n@page wide {{ size: {size} landscape; }}\n"


class Laid(NamedTuple):
    """A laid-out book: the PDF's bytes, its page count, and which parser read its HTML."""

    data: bytes
    pages: int
    parser: str


def lay_out(html: str, css: str, *, paper: str = "a4") -> Laid:
    """Lay out an HTML document into a PDF.

    The collector stays off: what layout makes lives until the PDF is written, and every full
    pass would walk all of it (26 % of the time at 1,000 sheets). The process ends right after.
    """

    def laid_out() -> Laid:
        document, parser = render(html, css, paper)
        # The file identifier is a hash of the document's own objects: stable for stable
        # content.
        with dependency_internals.streams_at_default_level():
            data = document.write_pdf(
                pdf_identifier=True, finisher=dependency_internals.serialise_once
            )
        return Laid(data, len(document.pages), parser)

    return in_a_roomy_frame(laid_out)


def render(html: str, css: str, paper: str, *extra: str) -> tuple[Any, str]:
    """WeasyPrint's laid-out document of ``html`` with the book's style sheets (and ``extra``
    ones after them), and which parser read it; the collector off from here on (see
    ``lay_out``)."""
    import weasyprint  # noqa: PLC0415 - loads Pango; imported when a book is laid out

    gc.disable()
    stylesheets = [weasyprint.CSS(string=text) for text in (page_css(paper), css, *extra)]
    source, parser = html_document(html)
    return source.render(stylesheets=stylesheets), parser


_T = TypeVar("_T")


def in_a_roomy_frame(function: Callable[[], _T]) -> _T:
    """``function()``, with room on CPython's frame stack for WeasyPrint's recursion
    (``dependency_internals.roomy_call``)."""
    return dependency_internals.roomy_call(function)


def html_document(html: str) -> tuple[Any, str]:
    """WeasyPrint's document for ``html``, and which parser read it.

    The book's markup is polyglot, and expat reads it in a seventh of the time WeasyPrint's
    HTML5 parser takes, into the same tree (``polyglot``), which WeasyPrint is handed where
    ``dependency_internals`` knows how. Markup that might read differently goes to
    WeasyPrint's parser, and the parser's name says why.
    """
    import weasyprint  # noqa: PLC0415 - as in lay_out

    from generator.pdf import polyglot  # noqa: PLC0415 - imports tinyhtml5, WeasyPrint's parser

    why = dependency_internals.off("document_from_tree")
    if why is None:
        try:
            root = polyglot.parse(html)
        except polyglot.NotPolyglot as reason:
            why = str(reason)
        else:
            document = dependency_internals.document_from_tree(root, _refusing_fetcher())
            if document is not None:
                return document, "xml"
    return weasyprint.HTML(string=html, url_fetcher=_refusing_fetcher()), f"html5: {why}"


def cpu_seconds() -> float:
    """CPU seconds of this process and the children it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_memory() -> int:
    """Peak resident set size of this process, in bytes.

    VmHWM where there is one: on Linux, ru_maxrss of a process started by another carries the
    starter's size at the fork over the exec (measured: a child of a 500 MB process reported
    513 MB by ru_maxrss and 13 MB by VmHWM)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024


class Records(logging.Handler):
    """Keeps the log records emitted while laying out, for the parent process."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[list[Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append([record.name, record.levelno, record.getMessage()])
