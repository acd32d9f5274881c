"""Helpers shared by the site tests: project copies, builds, file trees and an HTML reader.

Builds run ``python -m generator build`` in a subprocess: the CLI and the plugin set
``SOURCE_DATE_EPOCH`` in the process environment, and MkDocs keeps logging state per process,
so a build in the test process would leak into the tests that follow it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CASES = REPO_ROOT / "tests" / "cases"
SAMPLE = CASES / "sample"
INJECTION = CASES / "injection"

#: A fixed build time (2025-11-24T16:00:00Z), so that builds can be compared byte for byte.
EPOCH = "1764000000"
#: Its day: what builds in this process are for (``pipeline.prepare(root, today=EPOCH_DAY)``).
EPOCH_DAY = dt.datetime.fromtimestamp(int(EPOCH), tz=dt.UTC).date()
BUILD_TIMEOUT = 180
SAMPLE_SITE_NAME = "The Harbour Accord (sample)"


#: The second sample: another kind of negotiation, with its own vocabularies (its README).
SECOND = CASES / "second"
SECOND_SITE_NAME = "The Sarvena Basin Treaty (sample)"


def make_sample(dest: Path, case: Path = SAMPLE, site_name: str = SAMPLE_SITE_NAME) -> Path:
    """A runnable copy of a sample project (``case``, the first sample by default) at ``dest``.

    A sample keeps only what is its own (briefing.yml and content/); templates, hand-written
    docs and mkdocs.yml (with the sample's site name and a neutral description: the
    repository's are its own briefing's) are the repository's, so that the goldens and the
    site tests follow the real ones. (The errors page comes with the generator.)
    """
    shutil.copytree(case, dest, ignore=shutil.ignore_patterns("expected", "README.md"))
    shutil.copytree(REPO_ROOT / "briefings", dest / "briefings")
    shutil.copytree(REPO_ROOT / "docs", dest / "docs")
    config = (REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config, count = re.subn(r"(?m)^site_name: .*$", f"site_name: {site_name}", config)
    assert count == 1, "mkdocs.yml has no site_name line"
    config = re.sub(r"(?m)^site_description: .*$", "site_description: A sample briefing.",
                    config)
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    return dest


def make_second(dest: Path) -> Path:
    """A runnable copy of the second sample project at ``dest``."""
    return make_sample(dest, SECOND, SECOND_SITE_NAME)


#: Author and date of the sample's one commit, so that its history (the "What changed" page)
#: is the same on every machine.
SAMPLE_COMMIT = {
    "GIT_AUTHOR_NAME": "Sample editor",
    "GIT_AUTHOR_EMAIL": "editor@example.org",
    "GIT_AUTHOR_DATE": "@1763640000 +0000",  # 2025-11-20T12:00:00Z
    "GIT_COMMITTER_NAME": "Sample editor",
    "GIT_COMMITTER_EMAIL": "editor@example.org",
    "GIT_COMMITTER_DATE": "@1763640000 +0000",
}


def commit_sample(root: Path) -> Path:
    """Make ``root`` (a copy of the sample) a git repository with its content committed once.

    Only briefing.yml and content/ are committed, so the commit (and with it the goldens)
    changes only when the sample itself does.
    """
    env = {**os.environ, **SAMPLE_COMMIT}
    for args in (
        ["init", "-q"],
        ["add", "briefing.yml", "content"],
        ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "Sample briefing"],
    ):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True,
                       timeout=60)
    return root


def copy_shipped(dest: Path) -> Path:
    """A copy of the repository's own project (the shipped briefing), so that a session's
    builds all see the same files while people keep editing the repository."""
    dest.mkdir(parents=True)
    for name in ("briefing.yml", "mkdocs.yml"):
        shutil.copy2(REPO_ROOT / name, dest / name)
    for name in ("content", "briefings", "docs"):
        shutil.copytree(REPO_ROOT / name, dest / name)
    return dest


def read_payloads() -> list[str]:
    """The injection corpus (tests/cases/injection/payloads.txt), one payload a line;
    ``\\uXXXX`` stands for that character, so that invisible ones stay visible in the file."""
    lines = (INJECTION / "payloads.txt").read_text(encoding="utf-8").splitlines()
    return [
        re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), line)
        for line in lines
        if line.strip()
    ]


def build_env(epoch: str | None = EPOCH) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    return env


def build(
    root: Path, site_dir: Path, *options: str, epoch: str | None = EPOCH
) -> subprocess.CompletedProcess[str]:
    """``briefing --root ROOT build --no-pdf --site-dir SITE_DIR [OPTIONS]``; ``epoch=None``
    leaves SOURCE_DATE_EPOCH unset so that the CLI derives it (git, else file times)."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), "build", "--no-pdf",
         "--site-dir", str(site_dir), *options],
        cwd=root,
        env=build_env(epoch),
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )


def mkdocs_build(root: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` in ``root`` into ``site_dir``, as an editor runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site_dir)],
        cwd=root,
        env=build_env(),
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )


def built(root: Path, site_dir: Path, *, epoch: str | None = EPOCH) -> Path:
    """Build and fail the test with what the user saw unless the build succeeds."""
    result = build(root, site_dir, epoch=epoch)
    assert result.returncode == 0, result.stdout + result.stderr
    return site_dir


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: relative POSIX path -> bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def page(site: Path, url: str) -> str:
    """The HTML of the page at ``url`` (directory URLs, e.g. ``actors/x/``)."""
    return (site / url / "index.html").read_text(encoding="utf-8")


# --- mkdocs serve ----------------------------------------------------------------------------

SERVE_START_TIMEOUT = 60.0
SERVE_STOP_TIMEOUT = 10.0
#: How long one request may take before the preview counts as hanging. MkDocs holds every
#: request while it rebuilds, and a rebuild of the sample takes seconds on a busy machine (it
#: has taken 9 s here with other jobs running): a hang is a request that gets no answer at all,
#: so the bound is far above any rebuild's time.
REQUEST_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str | None:
    """The page at ``url``, or None when the server does not answer (in time)."""
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(
    check: Callable[[], bool], timeout: float, what: str, server: subprocess.Popen[str]
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"mkdocs serve exited with {server.returncode} while waiting for {what}")
        if check():
            return
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@contextmanager
def serving(
    root: Path, *flags: str, ready: str = "actors/ben-south/"
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``mkdocs serve`` of ``root`` on a free port, once the page at ``ready`` answers;
    stopped (terminate, then kill) when the block ends. Its output is printed on failure."""
    port = free_port()
    log_path = root.parent / f"serve-{port}.log"
    log = log_path.open("w", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", *flags, "-a", f"127.0.0.1:{port}"],
        cwd=root,
        env=build_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: fetch(base + ready) is not None, SERVE_START_TIMEOUT, "the server",
                 server)
        yield base, server
    except BaseException:
        log.flush()
        print(log_path.read_text(encoding="utf-8")[-4000:])
        raise
    finally:
        server.terminate()
        try:
            server.wait(timeout=SERVE_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=SERVE_STOP_TIMEOUT)
        log.close()


# --- reading HTML -------------------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    in_article: bool
    text: str = ""  # the text inside
    # Elements inside, in order; left out of the repr, which would otherwise nest every
    # element of the page into a failing assertion's message.
    inner: list[Element] = field(default_factory=list, repr=False)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def find(self, tag: str, cls: str | None = None) -> list[Element]:
        return [e for e in self.inner if e.tag == tag and (cls is None or cls in e.classes)]


@dataclass(repr=False)
class Html:
    """What the tests look at in one page."""

    title: str = ""
    elements: list[Element] = field(default_factory=list)  # every start tag, in order
    scripts: list[Element] = field(default_factory=list)
    headings: list[Element] = field(default_factory=list)  # h1..h6 inside the article
    tables: list[list[int]] = field(default_factory=list)  # cells per row, per article table
    article_text: str = ""

    def article(self) -> list[Element]:
        return [e for e in self.elements if e.in_article]

    def find(self, tag: str, cls: str | None = None) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and (cls is None or cls in e.classes)]

    def jsonld(self) -> list[str]:
        return [s.text for s in self.scripts if s.attrs.get("type") == "application/ld+json"]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html = Html()
        self._stack: list[str] = []
        self._article_depth: int | None = None
        self._open: list[tuple[Element, list[str]]] = []
        self._text: list[str] = []
        self._rows: list[list[int]] = []

    @property
    def _in_article(self) -> bool:
        return self._article_depth is not None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self._in_article)
        self.html.elements.append(element)
        for outer, _parts in self._open:
            outer.inner.append(element)
        if tag == "article" and self._article_depth is None:
            self._article_depth = len(self._stack)
        if tag not in _VOID:
            self._open.append((element, []))
        if self._in_article:
            if tag == "table":
                self._rows = []
            elif tag == "tr":
                self._rows.append([])
            elif tag in ("td", "th") and self._rows:
                self._rows[-1].append(1)
        if tag not in _VOID:
            self._stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if tag in self._stack:
            while self._stack:
                if self._stack.pop() == tag:
                    break
        for i in range(len(self._open) - 1, -1, -1):
            element, parts = self._open[i]
            if element.tag == tag:
                element.text = "".join(parts)
                del self._open[i]
                self._finish(element)
                break
        if self._in_article and tag == "table":
            self.html.tables.append([len(row) for row in self._rows])
        if self._article_depth is not None and len(self._stack) <= self._article_depth:
            self._article_depth = None

    def _finish(self, element: Element) -> None:
        if element.tag == "title" and not element.in_article and not self.html.title:
            self.html.title = element.text  # the page's; SVG pictures have titles too
        elif element.tag == "script":
            self.html.scripts.append(element)
        elif element.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and element.in_article:
            self.html.headings.append(element)

    def handle_data(self, data: str) -> None:
        for _element, parts in self._open:
            parts.append(data)
        if self._in_article and (not self._stack or self._stack[-1] != "script"):
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self.html.article_text = "".join(self._text)


def read_html(text: str) -> Html:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader.html


def squash(text: str) -> str:
    """Whitespace folded to single spaces, as pages show text."""
    return " ".join(text.split())


_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def shown(payload: str) -> str:
    """How content text reads on a page: whitespace folded, and invisible direction
    controls written out as their character reference (``&#x202e;``) instead of applied."""
    return _BIDI.sub(lambda m: f"&#x{ord(m.group()):04x};", squash(payload))
