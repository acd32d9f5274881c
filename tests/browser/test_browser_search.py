"""The search box, as a reader uses it: Material's client-side search, served offline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sitekit import SECOND, built, commit_sample, make_second

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


def _names(root: Path = REPO_ROOT) -> list[tuple[str, str]]:
    """(query, the page it must find first): the name and each alias of every actor, plan and
    term of the briefing at ``root``, read through the generator's own checks."""
    from generator.config import load_project
    from generator.content.check import check
    from generator.content.schema import Actor, Plan, Term

    words = load_project(root).settings.words  # the briefing's own vocabularies
    result = check(root / "content", root, vocabularies=words)
    assert result.ok, [problem.format() for problem in result.errors]
    briefing = result.briefing()
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
    # Material searches on keyup. Playwright types a character that is not on a US keyboard
    # (Кириллица, Ελληνικά, العربية, æ) as inserted text, with no key events: a last key
    # that moves nothing does what a reader's keyboard does after every character.
    field.press("End")
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


# --- the second sample briefing (tests/cases/second): other scripts, its own vocabularies ------

SECOND_NAMES = _names(SECOND)


def test_second_sample_is_searched() -> None:
    """Its names in other scripts and its plans' and terms' abbreviations are among those
    searched."""
    assert {"Веледия", "السهلية", "Καλυδρία", "SBT", "ESF"} <= {q for q, _ in SECOND_NAMES}


@pytest.fixture(scope="module")
def second_url(tmp_path_factory: pytest.TempPathFactory,
               server: Callable[[Path], AbstractContextManager[str]]) -> Iterator[str]:
    """The second sample built as the sample project is (sitekit.make_second), served on
    127.0.0.1."""
    root = commit_sample(make_second(tmp_path_factory.mktemp("second") / "project"))
    site = built(root, root / "site")
    with server(site) as address:
        yield address


@pytest.mark.parametrize(("query", "href"), SECOND_NAMES, ids=[q for q, _ in SECOND_NAMES])
def test_second_samples_own_page_is_the_first_result(
    query: str, href: str, second_url: str, page: Page, watch
) -> None:
    page.goto(f"{second_url}/", wait_until="load")
    shown = _results(page, query)
    assert shown, f"{query!r} found nothing"
    assert shown[0] == f"/{href}", f"{query!r}: first result {shown[0]}; all: {shown}"
    assert watch.problems == [], "\n".join(watch.problems)
