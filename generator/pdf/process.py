"""The layout process's entry point: ``python -m generator.pdf.process REQUEST_DIR``.

``pdf.edition`` starts it; it reads the request folder, lays the book out whole
(``worker.lay_out``) or in parts (``layout_parts``), and writes ``result.json`` (see
``generator.pdf.worker`` for the protocol). It sits above both, so that ``layout_parts`` can
use the worker's layout without the worker importing it back.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from generator.pdf import layout_parts
from generator.pdf.worker import (
    CSS_NAME,
    GO,
    HTML_NAME,
    PDF_NAME,
    REQUEST_NAME,
    RESULT_NAME,
    LayoutError,
    Records,
    cpu_seconds,
    lay_out,
    page_css,
    peak_memory,
)


def main(argv: list[str]) -> int:
    """Lay out the book of a request folder (see the module's docstring)."""
    if len(argv) != 1:
        print("usage: python -m generator.pdf.process REQUEST_DIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    records = Records()
    logging.getLogger().addHandler(records)
    logging.getLogger().setLevel(logging.WARNING)
    result: dict[str, Any] = {}
    try:
        import weasyprint  # noqa: F401, PLC0415 - loaded before the clock below is read

        # Starting up (the interpreter, and WeasyPrint finding and loading Pango, HarfBuzz and
        # fontconfig) is paid once per book, whatever its length; the benchmark reports it
        # apart from the time per page.
        result["startup_cpu"] = cpu_seconds()
        if sys.stdin.readline().strip() != GO:
            return 0  # the book is not coming (an error, Ctrl-C): nothing to do or say
        request = json.loads((folder / REQUEST_NAME).read_text(encoding="utf-8"))
        css = (folder / CSS_NAME).read_text(encoding="utf-8")
        page_css(request["paper"])  # a paper it does not know: said before anything starts
        if "part_size" in request:
            forks = layout_parts.Forks(folder, records)
            laid = layout_parts.lay_out(folder, css, request["paper"], request["part_size"], forks)
            result.update(peak_memory=forks.peak, parts=forks.parts, relaid=forks.relaid,
                          part_cpu=forks.cpu)
        else:
            laid = lay_out(
                (folder / HTML_NAME).read_text(encoding="utf-8"), css, paper=request["paper"]
            )
            (folder / PDF_NAME).write_bytes(laid.data)
        result["pages"] = laid.pages
        result["parser"] = laid.parser
    except LayoutError as exc:
        result["error"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        result["error"] = f"{type(exc).__name__}: {exc}"
    result["peak_memory"] = max(result.get("peak_memory", 0), peak_memory())
    result["log"] = records.records
    (folder / RESULT_NAME).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Straight out: the layout's objects go with the process, not one by one (see
    # ``generator.pdf.worker``).
    os._exit(code)
