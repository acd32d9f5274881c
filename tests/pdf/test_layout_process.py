"""The print edition's layout runs in a process of its own: what comes back from it.

Failures of that process reach the user as one clear line (and the site is left alone), what
WeasyPrint logs there is logged here, and a stopped build stops it. The speed-ups on
dependencies' internals are tested in test_dependency_internals.py.
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.cli import EXIT_PROBLEMS, main
from generator.pdf import edition as pdf
from generator.pdf import layout_parts
from generator.pdf import process as layout_process
from generator.pdf import worker as layout

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.pdf
SMALL = "<!DOCTYPE html><html lang=en><head><title>T</title></head><body><p>Hello</p></body></html>"


def _interpreter(tmp_path: Path, body: str) -> str:
    """A stand-in for the Python interpreter the layout process is started with."""
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


@pytest.fixture(autouse=True)
def private_temp(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test its own temporary folder, here and in the processes it starts: the tests
    look for the layout's request folders left behind, and builds that other tests run at
    the same time (in another pytest process) make theirs in the shared one. (Not in
    tmp_path, which some tests expect to hold only what they put there.)"""
    private = tmp_path_factory.mktemp("tmp")
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(tempfile, "tempdir", str(private))


def _folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("briefing-pdf-*")}


def test_a_layout_process_that_fails_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _folders()
    broken = _interpreter(tmp_path, 'echo "first line" >&2\necho "libpango: not found" >&2\nexit 3')
    monkeypatch.setattr("sys.executable", broken)
    with pytest.raises(pdf.PdfError) as caught, pdf.Layout() as job:
        job.submit(SMALL, "")
        job.finish(tmp_path / "out.pdf")
    assert str(caught.value) == (
        "the layout process exited with status 3 before it had laid the book out; it said:\n"
        "first line\nlibpango: not found"
    )
    assert not (tmp_path / "out.pdf").exists()
    assert _folders() == before  # its request folder is removed


def test_a_killed_layout_process_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.executable", _interpreter(tmp_path, "kill -9 $$"))
    with pytest.raises(pdf.PdfError, match=r"^the layout process was killed by SIGKILL before "
                       r"it had laid the book out$"), pdf.Layout() as job:
        job.submit(SMALL, "")
        job.finish(tmp_path / "out.pdf")


def test_the_command_reports_a_failed_layout_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.executable", _interpreter(tmp_path, "echo 'no fonts' >&2; exit 1"))
    output = tmp_path / "book.pdf"
    code = main(["--root", str(REPO_ROOT), "pdf", "--output", str(output)])
    err = capsys.readouterr().err
    assert code == EXIT_PROBLEMS
    assert err == (
        "briefing: the print edition failed: the layout process exited with status 1 before it "
        "had laid the book out; it said:\nno fonts\n"
    )
    assert not output.exists()


@pytest.mark.slow
def test_a_build_whose_pdf_fails_leaves_the_site_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("the site as it was", encoding="utf-8")
    (site / "briefing.json").write_text("{}\n", encoding="utf-8")  # what every build writes
    monkeypatch.setattr("sys.executable", _interpreter(tmp_path, "exit 1"))
    code = main(["--root", str(REPO_ROOT), "build", "--site-dir", str(site)])
    err = capsys.readouterr().err
    assert code == EXIT_PROBLEMS
    assert err.startswith(
        "briefing: build failed; site/ was left as it was\nthe print edition failed: the layout "
        "process exited with status 1 before it had laid the book out"
    )
    assert sorted(p.name for p in site.iterdir()) == ["briefing.json", "old.html"]


def test_leaving_early_stops_the_layout_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _folders()
    marker = tmp_path / "finished"
    monkeypatch.setattr("sys.executable", _interpreter(tmp_path, f"sleep 30; touch {marker}"))
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), pdf.Layout() as job:
        job.submit(SMALL, "")
        raise KeyboardInterrupt  # Ctrl-C while MkDocs builds the site
    assert time.monotonic() - started < 10
    assert _folders() == before
    time.sleep(0.2)
    assert not marker.exists()


def test_what_weasyprint_logs_there_is_logged_here(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    html = SMALL.replace("<p>Hello</p>", '<p>Hello</p><img src="https://example.org/x.png">')
    with caplog.at_level(logging.WARNING), pdf.Layout() as job:
        job.submit(html, "")
        pages = job.finish(tmp_path / "out.pdf")
    assert pages == 1
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF-")
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [(
        "weasyprint",
        logging.ERROR,
        "Failed to load image at 'https://example.org/x.png': LayoutError: the print edition "
        "fetches nothing; it asked for https://example.org/x.png",
    )]


def test_the_worker_reports_a_bad_request_in_its_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / layout.HTML_NAME).write_text(SMALL, encoding="utf-8")
    (tmp_path / layout.CSS_NAME).write_text("", encoding="utf-8")
    (tmp_path / layout.REQUEST_NAME).write_text(json.dumps({"paper": "legal"}), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{layout.GO}\n"))
    assert layout_process.main([str(tmp_path)]) == 0
    result = json.loads((tmp_path / layout.RESULT_NAME).read_text(encoding="utf-8"))
    assert result["error"] == "paper must be one of a4, letter; got 'legal'"
    assert not (tmp_path / layout.PDF_NAME).exists()


def test_the_paper_is_checked_before_anything_starts() -> None:
    with pytest.raises(pdf.PdfError, match=r"^paper must be one of a4, letter; got 'legal'$"):
        pdf.Layout(paper="legal")


def test_a_layout_is_given_one_book_and_finished_once(tmp_path: Path) -> None:
    with pdf.Layout() as job:
        with pytest.raises(pdf.PdfError, match="^this layout has not been given its book$"):
            job.finish(tmp_path / "a.pdf")
        job.submit(SMALL, "")
        with pytest.raises(pdf.PdfError, match="^this layout has already been given its book$"):
            job.submit(SMALL, "")
        assert job.finish(tmp_path / "a.pdf") == 1
        with pytest.raises(pdf.PdfError, match="^this layout has already finished$"):
            job.finish(tmp_path / "b.pdf")


def test_a_worker_told_anything_but_go_ends_without_a_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # its parent went away
    assert layout_process.main([str(tmp_path)]) == 0
    assert list(tmp_path.iterdir()) == []


def test_a_build_stopped_by_content_errors_stops_its_layout_process(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    before = _folders()
    root = make_project({"content/actors/broken.yml": "id: broken\nname: [unclosed\n"})
    code = main(["--root", str(root), "build"])
    assert code == EXIT_PROBLEMS
    # Every problem, then how many files were checked (not "0 files", as the build once said).
    assert capsys.readouterr().out.splitlines() == [
        "content/actors/broken.yml:3:1: YAML syntax: did not find expected ',' or ']' (while "
        "parsing a flow sequence that starts on line 2, column 7) [yaml-syntax]",
        "12 files checked: 1 error",
    ]
    assert not (root / "site").exists()
    assert _folders() == before


def test_a_pdf_that_cannot_be_written_is_one_line(
    file_in_the_way: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = file_in_the_way / "book.pdf"
    code = main(["--root", str(REPO_ROOT), "pdf", "--output", str(output)])
    assert code == EXIT_PROBLEMS
    assert capsys.readouterr().err == (
        f"briefing: the print edition failed: cannot write {output}: "
        f"{file_in_the_way} is not a folder\n"
    )


# --- a book in parts: the processes the layout process forks ---------------------------------


def _forks(tmp_path: Path) -> tuple[layout_parts.Forks, Any]:
    records = layout.Records()
    return layout_parts.Forks(tmp_path, records), records


def test_a_part_whose_process_dies_is_one_clear_error(tmp_path: Path) -> None:
    forks, _ = _forks(tmp_path)

    def killed() -> dict[str, Any]:
        os.kill(os.getpid(), signal.SIGKILL)
        return {}

    with pytest.raises(layout.LayoutError, match=r"^the layout of a part of the book was "
                       r"killed by signal 9$"):
        forks.run(killed, "parts")
    with pytest.raises(layout.LayoutError, match=r"^ValueError: no such unit$"):
        forks.run(lambda: (_ for _ in ()).throw(ValueError("no such unit")), "parts")
    assert list(tmp_path.iterdir()) == []


def test_what_the_parts_log_is_passed_on_once_and_their_peak_memory_kept(
    tmp_path: Path,
) -> None:
    forks, records = _forks(tmp_path)

    def part(size: int) -> dict[str, Any]:
        logging.getLogger("weasyprint").warning("Ignored `hyphens: auto`")
        held = bytearray(size)  # touched, so resident
        return {"size": len(held)}

    logging.getLogger().addHandler(records)
    try:
        assert forks.run(lambda: part(1 << 20), "parts") == {
            "size": 1 << 20,
            "log": [["weasyprint", logging.WARNING, "Ignored `hyphens: auto`"]],
            "peak_memory": forks.peak,
        }
        forks.run(lambda: part(300 << 20), "parts")
    finally:
        logging.getLogger().removeHandler(records)
    assert records.records == [["weasyprint", logging.WARNING, "Ignored `hyphens: auto`"]]
    # The largest of the parts', which each held their bytes until they ended.
    assert forks.peak > 300 << 20


def _running(pid: int) -> bool:
    """Whether a process is alive (a zombie that nobody reaped yet is not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_stopping_a_layout_stops_what_it_forked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A book in parts is laid out by processes the layout process forks: Ctrl-C stops them
    too, not only the layout process."""
    pid_file = tmp_path / "part.pid"
    script = (f"sh -c 'echo $$ > {pid_file}.tmp; mv {pid_file}.tmp {pid_file}; exec sleep 30' &"
              "\nwait")
    monkeypatch.setattr("sys.executable", _interpreter(tmp_path, script))
    with pytest.raises(KeyboardInterrupt), pdf.Layout() as job:
        job.submit(SMALL, "")
        deadline = time.monotonic() + 10
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        raise KeyboardInterrupt
    part = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _running(part) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(part)


def _command(pid: int) -> bytes:
    """The command line of process ``pid`` (empty once it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
            except OSError:
                continue  # gone meanwhile
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes in /proc")
def test_a_book_in_parts_whose_part_dies_leaves_nothing_behind(tmp_path: Path) -> None:
    """A part's process killed (as the system does when memory runs out): one line, the
    last good PDF as it was, and nothing left in the temporary folder."""
    from generator.build.workspace import prepare

    before = _folders()
    output = tmp_path / "briefing.pdf"
    output.write_bytes(b"the last good edition")
    prepared = prepare(REPO_ROOT)
    killed: list[int] = []

    def kill_a_part() -> None:
        deadline = time.monotonic() + 120
        while not killed and time.monotonic() < deadline:
            for process in _children(os.getpid()):
                for part in _children(process):
                    # A part is forked from the layout process, so it has its command line;
                    # loading WeasyPrint also runs short-lived helpers (a compiler asked where
                    # a library is), which are no part.
                    if _command(part) != _command(process):
                        continue
                    os.kill(part, signal.SIGKILL)
                    killed.append(part)
                    return
            time.sleep(0.005)

    killer = threading.Thread(target=kill_a_part)
    killer.start()
    try:
        with pytest.raises(pdf.PdfError, match=r"^the layout of a part of the book was killed "
                           r"by signal 9$"), pdf.start(prepared, part_size=30_000,
                                            whole_size=30_000) as job:
            job.finish(output)
    finally:
        killer.join()
    assert killed
    assert output.read_bytes() == b"the last good edition"
    assert _folders() == before
