"""Real-browser fixtures: the shipped briefing built once, served on 127.0.0.1, read in Chromium.

Chromium is Debian's (/usr/bin/chromium, installed by scripts/test.sh), driven by Playwright's
Python package; no browser is ever downloaded. axe-core comes from npm into .cache/node (also
installed by scripts/test.sh). A missing browser or axe-core is a failure, not a skip: the suite
must not pass by not running.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Response,
    sync_playwright,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO_ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "tests" / "artifacts" / "browser"
HOST = "127.0.0.1"

# This machine has no network and refuses Chromium's background connections (DESIGN.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000

# Violations that come from Material for MkDocs' own markup, which the briefing does not write
# and cannot change without copying Material's templates into an override: (axe rule, target).
THEME_VIOLATIONS = {
    # Material's search overlay is <div class="md-search" role="dialog"> without a label.
    # The search field inside it is labelled ("Search"); the dialog itself is theme markup.
    ("aria-dialog-name", ".md-search"),
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped briefing built (site only, no PDF) into a temporary folder."""
    from generator.cli import main

    site = tmp_path_factory.mktemp("browser") / "site"
    saved = os.environ.copy()  # the build sets SOURCE_DATE_EPOCH; keep other tests' env as it was
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    try:
        status = main(["--root", str(REPO_ROOT), "build", "--no-pdf", "--site-dir", str(site)])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert status == 0, f"briefing build exited {status}"
    assert (site / "index.html").is_file()
    assert (site / "search" / "search_index.json").is_file()
    return site


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` served over HTTP on 127.0.0.1 and a free port; yields the base address."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer((HOST, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def server() -> Callable[[Path], contextlib.AbstractContextManager[str]]:
    """Serves another folder, as ``base_url`` serves the shipped site: ``with server(f) as url``."""
    return serve


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """The built site served over HTTP on 127.0.0.1 and a free port, for the whole session."""
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, launched once; Playwright gives it a fresh profile folder."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's 'chromium' package "
            "(scripts/test.sh does this); the browser tests cannot run without it",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Watch:
    """What went wrong while a page was open: console errors, script errors, bad requests."""

    problems: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({message.location})")

    def _request(self, request: Request) -> None:
        self.requested.append(request.url)
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != HOST:
            self.problems.append(f"request to another host: {request.url}")

    def _failed(self, request: Request) -> None:
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Browser, watch: Watch) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies, storage or cache from other tests)."""
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        new_page = context.new_page()
        watch.attach(new_page)
        yield new_page
    finally:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(
            f"{AXE_JS.relative_to(REPO_ROOT)} is missing: run 'bash scripts/setup.sh test' "
            "(it runs: npm install --no-audit --no-fund --prefix .cache/node axe-core@4)",
            pytrace=False,
        )
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source: str) -> Callable[[Page], list[str]]:
    """Returns a function running axe-core in a page: its serious and critical violations."""

    def run(page: Page) -> list[str]:
        page.add_script_tag(content=axe_source)
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                                              summary: n.failureSummary})),
                }));
            }"""
        )
        found = []
        for violation in violations:
            if violation["impact"] not in ("serious", "critical"):
                continue
            for node in violation["nodes"]:
                if (violation["id"], node["target"]) in THEME_VIOLATIONS:
                    continue
                found.append(
                    f"{violation['impact']} {violation['id']} ({violation['help']}) at "
                    f"{node['target']}: {node['html'][:200]}\n    {node['summary']}"
                )
        return found

    return run


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (tests/artifacts/ is gitignored; CI keeps it as an artifact)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def open_page(page: Page, base_url: str) -> Callable[[str], Page]:
    """Returns a function that opens a site path, checks it answered 200, and returns the page."""

    def go(path: str) -> Page:
        response = page.goto(base_url + path, wait_until="load")
        assert response is not None and response.status == 200, f"{path}: {response}"
        return page

    return go
