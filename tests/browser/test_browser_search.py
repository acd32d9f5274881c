"""The search box, as a reader uses it: Material's client-side search, served offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]

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


# --- a sheet's own page first: every name and alias of the shipped briefing ------------------


def _names() -> list[tuple[str, str]]:
    """(query, the page it must find first): the name and each alias of every actor, plan and
    term of the shipped briefing, read through the generator's own checks."""
    from generator.content.check import check
    from generator.content.schema import Actor, Plan, Term

    briefing = check(REPO_ROOT / "content", REPO_ROOT).briefing()
    found = []
    for sheets in (briefing.actors, briefing.plans, briefing.terms):
        for sheet in sheets:
            assert isinstance(sheet, Actor | Plan | Term)
            for query in (sheet.name_text, *sheet.aliases):
                found.append((query, f"{sheet.folder}/{sheet.id}/"))
    return found


NAMES = _names()


def _results(page: Page, query: str) -> list[str]:
    """The pages the search box lists for ``query``, typed as a reader types it, in their
    order: once the list has stopped changing (each keystroke searches anew)."""
    page.keyboard.press("/")
    field = page.locator("input.md-search__input")
    if not field.evaluate("el => el === document.activeElement"):
        field.click()
    field.type(query, delay=20)
    links = page.locator(".md-search-result__list > li > a.md-search-result__link")
    links.first.wait_for(state="visible")
    shown: list[str] = []
    steady = 0
    for _ in range(50):  # at most 5 s; the worker answers in milliseconds
        now = links.evaluate_all("els => els.map(e => new URL(e.href).pathname)")
        steady = steady + 1 if now == shown else 0
        shown = now
        if steady == 3:
            break
        page.wait_for_timeout(100)
    return shown


def test_every_name_is_searched() -> None:
    """The list below is the briefing's own: every actor, plan and term, and the aliases."""
    queries = dict(NAMES)
    assert {"RDIF", "Kyiv", "28-point plan"} <= queries.keys()
    assert {page.split("/")[0] for page in queries.values()} == {"actors", "plans", "terms"}


@pytest.mark.parametrize(("query", "href"), NAMES, ids=[q for q, _ in NAMES])
def test_own_page_is_the_first_result(
    query: str, href: str, open_page: Callable[[str], Page], watch
) -> None:
    """Typed into the search box, a name or an alias finds its sheet's page first, above the
    events, positions and sources that name it."""
    page = open_page("/")
    shown = _results(page, query)
    assert shown, f"{query!r} found nothing"
    assert shown[0] == f"/{href}", f"{query!r}: first result {shown[0]}; all: {shown}"
    assert watch.problems == [], "\n".join(watch.problems)


@pytest.mark.parametrize("query", ["Needs review", "review"])
def test_editors_review_page_is_never_a_result(
    query: str, open_page: Callable[[str], Page]
) -> None:
    page = open_page("/")
    shown = _results(page, query)
    assert shown, f"{query!r} found nothing at all (the search did not run)"
    assert not [p for p in shown if p.startswith(("/review/", "/errors/"))], shown
