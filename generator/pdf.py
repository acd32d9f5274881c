"""The PDF print edition: the only module that knows WeasyPrint. (Being written.)"""

from __future__ import annotations

from pathlib import Path

from generator.pipeline import Prepared

PDF_NAME = "briefing.pdf"
PAPERS = ("a4", "letter")


def write_pdf(prepared: Prepared, output: Path, *, paper: str = "a4") -> int:
    raise NotImplementedError("the PDF edition is being written")
