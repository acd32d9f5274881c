"""The search box, as a reader uses it: Material's client-side search, served offline."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

QUERIES = [
    ("RDIF", "actors/kirill-dmitriev/", "Kirill Dmitriev"),
    ("Faena", "places/faena-hotel/", "Faena Hotel"),
    ("Umerov", "actors/rustem-umerov/", "Rustem Umerov"),
]


@pytest.mark.parametrize(("query", "href", "title"), QUERIES, ids=[q for q, _, _ in QUERIES])
def test_search_finds_the_page(
    query: str, href: str, title: str, open_page: Callable[[str], Page], watch
) -> None:
    page = open_page("/")
    page.keyboard.press("/")  # Material's shortcut to the search box, as a reader might press
    field = page.locator("input.md-search__input")
    if not field.evaluate("el => el === document.activeElement"):
        field.click()
    field.type(query, delay=20)
    link = page.locator(f'.md-search-result__item a.md-search-result__link[href*="{href}"]')
    link.first.wait_for(state="visible")
    assert title in link.first.inner_text()
    assert any(url.endswith("/search/search_index.json") for url in watch.requested)
    assert watch.problems == [], "\n".join(watch.problems)
    link.first.click()
    page.wait_for_url(f"**/{href}*")
    assert title in page.locator("article h1").inner_text()
