"""The PDF print edition: the book assembled here, laid out by WeasyPrint in a process of its own.

``book`` assembles the briefing as one HTML document from the site's own pages; ``worker`` (the
only module that knows WeasyPrint) lays it out in a separate process, for the reasons its
docstring gives; this module starts that process, waits for it, passes on what it logged and
writes the file atomically. The same content and ``SOURCE_DATE_EPOCH`` give the same bytes:
dates come from the epoch, the file identifier from the content, and nothing is fetched from
outside the document.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import generator
from generator.build.workspace import Prepared, source_date_epoch
from generator.build.write import why_not_written, write_if_changed
from generator.errors import BriefingError
from generator.gcpause import collector_paused
from generator.pdf import book, parts
from generator.pdf import worker as layout

log = logging.getLogger(__name__)

PDF_NAME = "briefing.pdf"
PAPERS = tuple(layout.PAPER_SIZES)
_STDERR_NAME = "stderr.txt"
_STDERR_LINES = 20  # of a layout process that died, shown in the error


class PdfError(BriefingError):
    """The print edition could not be made; the message says why."""


class Layout:
    """A book laid out by a process of its own.

    Making one starts the process, which loads WeasyPrint meanwhile; ``submit`` hands it the
    book; ``finish`` waits for it and writes the PDF. Used as a context manager, leaving the
    block stops a process that has not been waited for (an error elsewhere, Ctrl-C) and
    removes its files.
    """

    def __init__(
        self, *, paper: str = "a4", part_size: int = parts.PART_SIZE,
        whole_size: int = parts.WHOLE_SIZE,
    ) -> None:
        if paper not in PAPERS:
            raise PdfError(f"paper must be one of {', '.join(PAPERS)}; got {paper!r}")
        if not sys.executable:
            raise PdfError("the print edition needs a Python interpreter to lay the book out "
                           "in, and sys.executable is empty")
        self.paper = paper
        #: A book longer than this (in characters of HTML) is laid out in parts (``parts``).
        self.part_size = part_size
        #: A book no longer than this is laid out as one document.
        self.whole_size = whole_size
        #: CPU seconds the layout process spent starting (interpreter and WeasyPrint loaded),
        #: once ``finish`` has returned.
        self.startup_cpu = 0.0
        #: Its peak resident memory in bytes, once ``finish`` has returned.
        self.peak_memory = 0
        #: Which parser read the book's HTML, once ``finish`` has returned: ``xml``, or
        #: ``html5: `` and why the markup could not be read as XML (see ``polyglot``).
        self.parser = ""
        #: How many parts the book was laid out in (1: as one document) and how many pages
        #: were laid out twice (where parts are cut), once ``finish`` has returned.
        self.parts = 1
        self.relaid = 0
        #: For a book in parts, CPU seconds of the processes that laid it out, by kind of work
        #: (``layout_parts.Forks.cpu``).
        self.part_cpu: dict[str, float] = {}
        self._submitted = False
        self._folder = Path(tempfile.mkdtemp(prefix="briefing-pdf-"))
        try:
            with (self._folder / _STDERR_NAME).open("wb") as stderr:
                self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                    [sys.executable, "-m", "generator.pdf.process", str(self._folder)],
                    stdin=subprocess.PIPE,
                    stdout=stderr,
                    stderr=stderr,
                    env=_child_environment(),
                    # A group of its own, with the processes it forks for a book in parts:
                    # stopping the layout stops them all (``_stop``).
                    start_new_session=True,
                )
        except BaseException:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise

    def submit(self, html: str, css: str) -> None:
        """Hand the book (an HTML document and its style sheet) to the layout process."""
        self._check_unsubmitted()
        (self._folder / layout.HTML_NAME).write_text(html, encoding="utf-8")
        self._go(css, {"paper": self.paper})

    def submit_book(self, assembled: book.Book, css: str) -> None:
        """Hand an assembled book to the layout process: as one document, or cut into its
        units to be laid out in parts of ``part_size`` when it is longer than ``whole_size``."""
        if assembled.size <= self.whole_size:
            self.submit(assembled.html, css)
            return
        self._check_unsubmitted()
        parts.write_index(
            self._folder, assembled.start, assembled.front, assembled.end,
            [(c.id, c.start, c.resume, c.end, c.units) for c in assembled.chapters],
        )
        self._go(css, {"paper": self.paper, "part_size": self.part_size})

    def _check_unsubmitted(self) -> None:
        if self._process is None or self._submitted:
            raise PdfError("this layout has already been given its book")

    def _go(self, css: str, request: dict[str, Any]) -> None:
        (self._folder / layout.CSS_NAME).write_text(css, encoding="utf-8")
        (self._folder / layout.REQUEST_NAME).write_text(json.dumps(request), encoding="utf-8")
        self._submitted = True
        assert self._process is not None and self._process.stdin is not None  # a pipe, above
        try:
            self._process.stdin.write(f"{layout.GO}\n".encode())
            self._process.stdin.close()
        except OSError:
            pass  # it has ended already (it could not load WeasyPrint): finish says why

    def submit_briefing(self, prepared: Prepared) -> None:
        """Assemble the briefing's book and hand it to the layout process."""
        epoch = source_date_epoch(prepared.project.root)
        with collector_paused():  # the book's pages all live until it is assembled
            assembled = book.assemble(prepared, epoch)
        self.submit_book(assembled, book.stylesheet(prepared.project.templates_dir))

    def finish(self, output: Path | BinaryIO) -> int:
        """Wait for the layout, write the PDF to ``output`` (a path, or a stream such as
        standard output); its page count."""
        if self._process is None:
            raise PdfError("this layout has already finished")
        if not self._submitted:
            raise PdfError("this layout has not been given its book")
        code = self._process.wait()
        _stop_group(self._process)  # what it forked, if it died before waiting for them
        self._process = None
        try:
            result = self._result(code)
            for name, level, message in result.get("log", []):
                logging.getLogger(name).log(level, "%s", message)
            if "error" in result:
                raise PdfError(result["error"])
            self.startup_cpu = float(result.get("startup_cpu", 0.0))
            self.peak_memory = int(result.get("peak_memory", 0))
            self.parser = str(result.get("parser", ""))
            self.parts = int(result.get("parts", 1))
            self.relaid = int(result.get("relaid", 0))
            self.part_cpu = dict(result.get("part_cpu", {}))
            data = (self._folder / layout.PDF_NAME).read_bytes()
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)
        try:
            if isinstance(output, Path):
                # Not private as a temporary file is (0600): the PDF is published next to the
                # site's pages and read like them.
                write_if_changed(output, data, mode=0o644)
            else:
                output.write(data)
                output.flush()
        except OSError as exc:
            where = output if isinstance(output, Path) else "standard output"
            raise PdfError(f"cannot write {where}: {why_not_written(exc)}") from None
        pages = int(result["pages"])
        log.info("wrote %s: %d pages", output, pages)
        log.debug("the book's HTML was read by the %s parser", self.parser)
        if self.parts > 1:
            log.debug("laid out in %d parts, %d pages of them twice", self.parts, self.relaid)
        return pages

    def cancel(self) -> None:
        """Stop the process if it is still running, and remove its files."""
        if self._process is not None:
            _stop_group(self._process)
            self._process.wait()
            if self._process.stdin is not None:
                self._process.stdin.close()
            self._process = None
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> Layout:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cancel()

    def _result(self, code: int) -> dict[str, Any]:
        try:
            text = (self._folder / layout.RESULT_NAME).read_text(encoding="utf-8")
            return dict(json.loads(text))
        except (OSError, ValueError):
            pass
        if code < 0:
            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with status {code}"
        message = f"the layout process {how} before it had laid the book out"
        try:
            lines = (self._folder / _STDERR_NAME).read_text(errors="replace").splitlines()
        except OSError:
            lines = []
        if lines:
            message += "; it said:\n" + "\n".join(lines[-_STDERR_LINES:])
        raise PdfError(message)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the layout process and every process it forked (its group is its own)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # all gone already


def _child_environment() -> dict[str, str]:
    """This environment, with this generator package first on the layout process's path."""
    env = dict(os.environ)
    package_root = str(Path(generator.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (package_root, env.get("PYTHONPATH", "")) if part
    )
    return env


def start(
    prepared: Prepared, *, paper: str = "a4", part_size: int = parts.PART_SIZE,
    whole_size: int = parts.WHOLE_SIZE,
) -> Layout:
    """Start laying out the briefing's book; ``finish`` the result to write the PDF."""
    # WeasyPrint loads there while the book is assembled here.
    job = Layout(paper=paper, part_size=part_size, whole_size=whole_size)
    try:
        job.submit_briefing(prepared)
    except BaseException:
        job.cancel()
        raise
    return job


def write_pdf(
    prepared: Prepared, output: Path, *, paper: str = "a4", part_size: int = parts.PART_SIZE,
    whole_size: int = parts.WHOLE_SIZE,
) -> int:
    """Write the briefing's print edition to ``output``; returns its page count."""
    with start(prepared, paper=paper, part_size=part_size, whole_size=whole_size) as job:
        return job.finish(output)
