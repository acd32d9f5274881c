"""Time the preview as an editor feels it: from a saved sheet to the served page.

``mkdocs serve`` runs on a copy of a project (the repository's own briefing, or a synthetic one
of N sheets made by ``synth.py``). The script waits for the first answer, then, five times
over (``--repeat``), on one sheet:

* **break**: writes a certainty no vocabulary has into the sheet, and waits until the sheet's
  page answers with the error page (the preview lists the problem instead of hanging);
* **fix**: writes the sheet back, and waits until the page shows the sheet again;
* **edit**: changes one word of a fact, and waits until the page shows the new word.

Each time runs from the moment the file is written to the first answer that shows the change;
the page is asked for every 20 ms (a request made while MkDocs rebuilds waits for the build).
The report gives the median and the spread of each, and the time to the first answer.

Usage::

    python benchmarks/preview.py [--sheets 0,1000] [--repeat 5] [--seed 0] [--output FILE]

``--sheets 0`` is the repository's own briefing. The Markdown report is printed, and written
to ``--output`` when given. Wall-clock times: run it on a quiet machine and say how quiet.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import synth  # noqa: E402  (beside this script, found through the path set just above)

ERROR_HEADING = "Errors in the briefing"
POLL_S = 0.02
START_TIMEOUT_S = 1800.0
CHANGE_TIMEOUT_S = 600.0
_CERTAINTY = re.compile(r"^(\s*certainty:\s*)(\S+)\s*$", re.MULTILINE)
_TEXT = re.compile(r"^(\s*-?\s*text:\s*)(\S+)", re.MULTILINE)


#: What a project is, beside the generator it is built with (which is installed).
PROJECT = ("content", "docs", "briefings", "schemas", "mkdocs.yml", "briefing.yml")


def copy_project(destination: Path) -> Path:
    """The repository's own project (what ``mkdocs serve`` reads), without its outputs."""
    destination.mkdir(parents=True)
    for name in PROJECT:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, symlinks=False)
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=CHANGE_TIMEOUT_S) as answer:
            return str(answer.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds until ``condition`` holds, asked every ``POLL_S``."""
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"preview.py: {what} did not happen within {timeout:.0f} s")
        time.sleep(POLL_S)
    return time.perf_counter() - start


@contextmanager
def serving(root: Path, page: str) -> Iterator[tuple[str, float]]:
    """``mkdocs serve`` of ``root``; yields the address and the seconds to its first answer."""
    port = free_port()
    log = (root.parent / "serve.log").open("w", encoding="utf-8")
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}"],
        cwd=root, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        def answered() -> bool:
            if server.poll() is not None:
                log.flush()
                tail = (root.parent / "serve.log").read_text(encoding="utf-8")[-2000:]
                raise SystemExit(f"preview.py: mkdocs serve ended before it answered:\n{tail}")
            return fetch(base + page) is not None

        wait_until(answered, START_TIMEOUT_S, "the first answer")
        yield base, time.perf_counter() - start
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def a_sheet(root: Path) -> tuple[Path, str]:
    """An actor's sheet with a fact, and its page's address (the plugin's /kind/id/ layout)."""
    for path in sorted((root / "content" / "actors").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if _CERTAINTY.search(text) and _TEXT.search(text):
            return path, f"actors/{path.stem}/"
    raise SystemExit(f"preview.py: no actor with a fact in {root}")


def change(sheet: Path, text: str, address: str, shows: Callable[[str], bool]) -> float:
    """Write ``text`` to ``sheet``; seconds until the page at ``address`` ``shows`` it."""
    sheet.write_text(text, encoding="utf-8")
    return wait_until(lambda: shows(fetch(address) or ""), CHANGE_TIMEOUT_S,
                      f"the change to {sheet.name} on {address}")


def measure(root: Path, repeat: int) -> tuple[float, dict[str, list[float]]]:
    """Seconds to the first answer, and the times of each kind of change."""
    sheet, page = a_sheet(root)
    original = sheet.read_text(encoding="utf-8")
    broken = _CERTAINTY.sub(r"\1not-a-certainty", original, count=1)
    times: dict[str, list[float]] = {"break": [], "fix": [], "edit": []}
    with serving(root, page) as (base, first):
        address = base + page
        for round_ in range(repeat):
            times["break"].append(change(sheet, broken, address, lambda h: ERROR_HEADING in h))
            times["fix"].append(change(sheet, original, address,
                                       lambda h: bool(h) and ERROR_HEADING not in h))
            word = f"Benchmarked{round_}"
            edited = _TEXT.sub(lambda m, w=word: f"{m.group(1)}{w} {m.group(2)}", original,
                               count=1)
            times["edit"].append(change(sheet, edited, address, lambda h, w=word: w in h))
            change(sheet, original, address, lambda h, w=word: bool(h) and w not in h)
    return first, times


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
            f"load average at the start {load}")


def report(rows: list[tuple[str, float, dict[str, list[float]]]], repeat: int) -> str:
    lines = [
        "## Preview: from a saved sheet to the served page (`benchmarks/preview.py`)",
        "",
        f"Machine: {machine()}. Median of {repeat} (min–max), wall-clock seconds.",
        "",
        "| project | first answer | break → error page | fix → page | edit → page |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, first, result in rows:
        cells = [f"{first:.1f}"]
        for key in ("break", "fix", "edit"):
            times = result[key]
            cells.append(f"{statistics.median(times):.2f} ({min(times):.2f}–{max(times):.2f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sheets", default="0,1000",
                        help="comma-separated sizes; 0 is the repository's own briefing")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path)
    arguments = parser.parse_args(argv)
    sizes = [int(size) for size in arguments.sheets.split(",")]
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="briefing-preview-") as temporary:
            folder = Path(temporary) / "project"
            if size == 0:
                root, name = copy_project(folder), "this repository's briefing"
            else:
                synth.make_project(folder, size, arguments.seed)
                root, name = folder, f"{size} sheets"
            rows.append((name, *measure(root, arguments.repeat)))
    text = report(rows, arguments.repeat)
    print(text)
    if arguments.output:
        arguments.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
