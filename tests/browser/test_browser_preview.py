"""The preview in Chromium: an editor breaks the sheet whose page is open, and the page turns
into the list of errors by itself; they fix it, and the page comes back by itself. The test
opens the page once and never navigates again: MkDocs' live reload does the rest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect
from sitekit import make_sample, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE = "actors/ben-south/"
#: Long enough for a rebuild on a busy machine; a hang never ends.
RELOAD_MS = 30_000


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_error_page_appears_and_goes_by_itself(
    tmp_path: Path, page: Page, artifacts: Path, axe: Callable[[Page], list[str]]
) -> None:
    root = make_sample(tmp_path / "project")
    sheet = root / "content" / "actors" / "ben-south.yml"
    loads: list[str] = []

    def loaded(frame: Frame) -> None:
        if frame == page.main_frame:
            loads.append(frame.url)

    with serving(root, "--livereload") as (base, _server):
        page.on("framenavigated", loaded)
        page.goto(base + PAGE, wait_until="load")
        heading = page.locator("article h1").first
        expect(heading).to_have_text("Ben South")

        replace(sheet, "certainty: reported\n", "certainty: likely\n")
        expect(heading).to_have_text("Errors in the briefing", timeout=RELOAD_MS)
        row = page.locator("article tbody tr").first
        expect(row.locator("td")).to_have_text([
            "content/actors/ben-south.yml:9:5",
            "'certainty' must be one of confirmed, reported, possible, disputed, denied; "
            "got 'likely'",
            "vocabulary",
        ])
        page.screenshot(path=str(artifacts / "preview-error-page.png"), full_page=True)
        # A plain page, without the theme's (which is what makes it quick to build), that
        # every reader can read: its language, its title, a main landmark, a table with heads.
        assert page.title() == "Errors in the briefing"
        assert page.locator("html").get_attribute("lang") == "en"
        expect(page.locator("main table thead th")).to_have_text(["Where", "Problem", "Rule"])
        expect(page.locator("nav")).to_have_count(0)
        assert axe(page) == []

        # The rule's link leads to its explanation (read in a second tab: this one stays).
        link = row.locator("td a")
        explained = page.context.new_page()
        explained.goto(str(link.evaluate("a => a.href")), wait_until="load")
        expect(explained.locator("h3#vocabulary")).to_be_visible()
        explained.close()

        replace(sheet, "certainty: likely\n", "certainty: reported\n")
        expect(heading).to_have_text("Ben South", timeout=RELOAD_MS)
        expect(page.locator("article")).to_contain_text("Negotiated for Southland")

    # One visit by the test; the error page and the page again came from the live reload.
    assert len(loads) >= 3, loads
    assert set(loads) == {base + PAGE}, loads
