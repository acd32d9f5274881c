"""The PDF print edition: the only module that knows WeasyPrint.

``book`` assembles the briefing as one HTML document from the site's own pages; this module
lays it out on paper, sets the document's metadata and writes the file atomically. The same
content and ``SOURCE_DATE_EPOCH`` give the same bytes: dates come from the epoch, the file
identifier from the content, and nothing is fetched from outside the document.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import Any

from generator import book
from generator.pause import collector_paused
from generator.pipeline import Prepared, source_date_epoch
from generator.write import write_if_changed

log = logging.getLogger(__name__)

PDF_NAME = "briefing.pdf"
PAPERS = ("a4", "letter")
_PAGE_SIZES = {"a4": "A4", "letter": "letter"}


class PdfError(Exception):
    """The print edition could not be made; the message says why."""


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The book is one self-contained document: pictures are inline SVG and fonts come from
    # fontconfig. Fetching anything would make the output depend on the network or on paths;
    # WeasyPrint logs the refusal as a warning and lays the page out without the resource.
    raise PdfError(f"the print edition fetches nothing; it asked for {url}")


def render(html: str, css: str, *, paper: str = "a4") -> tuple[bytes, int]:
    """Lay out an HTML document; the PDF's bytes and its page count."""
    import weasyprint  # imported here: it loads Pango, which only the PDF needs

    if paper not in _PAGE_SIZES:
        raise PdfError(f"paper must be one of {', '.join(PAPERS)}; got {paper!r}")
    size = _PAGE_SIZES[paper]
    page_css = f"@page {{ size: {size}; }}\n@page wide {{ size: {size} landscape; }}\n"
    # Layout allocates millions of objects that all live until the PDF is written; every
    # full pass of the collector walks them all, and the bigger the book the more passes
    # (15 % of the time at 100 sheets, 26 % at 1,000). One collection at the end instead.
    with collector_paused():
        stylesheets = [weasyprint.CSS(string=page_css), weasyprint.CSS(string=css)]
        document = weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).render(
            stylesheets=stylesheets
        )
        # The file identifier is a hash of the document's own objects: stable for stable
        # content.
        data = document.write_pdf(pdf_identifier=True)
        pages = len(document.pages)
        del document  # the laid-out pages go before the collector comes back
    gc.collect()
    return data, pages


def write_pdf(prepared: Prepared, output: Path, *, paper: str = "a4") -> int:
    """Write the briefing's print edition to ``output``; returns its page count."""
    epoch = source_date_epoch(prepared.project.root)
    with collector_paused():  # as in render: the book's pages all live until it is laid out
        assembled = book.assemble(prepared, epoch)
    css = book.stylesheet(prepared.project.templates_dir)
    data, pages = render(assembled.html, css, paper=paper)
    write_if_changed(output, data)
    # The temporary file it was written through is private (0600); the PDF is published
    # next to the site's pages and read like them.
    output.chmod(0o644)
    log.info("wrote %s: %d pages", output, pages)
    return pages
