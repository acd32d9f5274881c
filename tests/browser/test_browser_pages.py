"""Every kind of page, read in Chromium: it shows its heading and no raw Markdown, has no script
errors, no failed requests and no requests to other hosts (the site works offline, search
included), and axe-core finds no serious or critical accessibility violations in it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Response

pytestmark = pytest.mark.browser

# Markdown that reached the reader as text: a link or footnote inside raw HTML is not converted.
RAW_MARKDOWN = re.compile(r"\]\([^)\s]+\)|\[\^[\w-]+\]")

# One page of every kind the generator writes, plus the hand-written methodology.
PAGES = {
    "home": "/",
    "actor": "/actors/kirill-dmitriev/",
    "plan": "/plans/us-russia-28-point-plan/",
    "term": "/terms/crimea-recognised-as-russian/",
    "position": "/positions/volodymyr-zelenskyy-on-us-russia-28-point-plan/",
    "event": "/events/dmitriev-luna-faena-meeting/",
    "place": "/places/faena-hotel/",
    "source": "/sources/miami-peace-plan-report-2025-11/",
    "whos-who": "/actors/",
    "matrix": "/positions/",
    "timeline": "/events/",
    "open-questions": "/open-questions/",
    "sources-index": "/sources/",
    "terms-index": "/terms/",
    "places-index": "/places/",
    "plans-index": "/plans/",
    "review": "/review/",
    "methodology": "/methodology/",
}


def _is_search_index(response: Response) -> bool:
    return response.url.endswith("/search/search_index.json")


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_reads_cleanly_offline_and_accessibly(
    path: str,
    page: Page,
    open_page: Callable[[str], Page],
    watch,
    axe: Callable[[Page], list[str]],
) -> None:
    # Both checks share one page load: loading pages is most of this suite's time.
    # Material's search worker fetches its index on every page; wait for it, so that any
    # error it causes is seen, and so that search is known to work on every page kind.
    with page.expect_response(_is_search_index) as index:
        open_page(path)
    assert index.value.ok, f"{path}: search index {index.value.status}"
    failures = []
    if not page.locator("article h1").first.is_visible():
        failures.append("no visible heading")
    if not page.title().strip():
        failures.append("no page title")
    leaked = RAW_MARKDOWN.findall(page.locator("article").inner_text())
    if leaked:
        failures.append(f"Markdown shown as text: {leaked}")
    failures += axe(page)
    failures += watch.problems  # console errors, failed requests, other hosts: load and axe
    assert failures == [], f"{path}:\n" + "\n".join(failures)
