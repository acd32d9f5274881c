"""The build-time SVG pictures in a real browser: visible, inside the page, and their links work;
and screenshots of the pages a reader sees first, kept as test artifacts."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

FIGURES = {
    "matrix": ("/positions/", "figure.briefing-matrix svg"),
    "graph": ("/actors/", "figure.briefing-graph svg"),
    "timeline": ("/events/", "figure.briefing-timeline svg"),
}
ZELENSKYY_ON_PLAN = "volodymyr-zelenskyy-on-us-russia-28-point-plan/"


@pytest.mark.parametrize(("path", "selector"), FIGURES.values(), ids=FIGURES.keys())
def test_figure_is_visible_and_fits_its_page(
    path: str, selector: str, open_page: Callable[[str], Page]
) -> None:
    page = open_page(path)
    drawing = page.locator(selector)
    assert drawing.count() >= 1, f"{path}: no {selector}"
    drawing.first.scroll_into_view_if_needed()
    box = drawing.first.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0, f"{selector}: {box}"
    # Its title names it, and its links are there for keyboard and screen-reader users.
    assert drawing.first.locator("title").first.text_content()
    assert drawing.first.locator("a").count() > 0
    # The page never scrolls sideways: a wide figure scrolls inside its own box.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path}: the page is {overflow}px wider than the window"


def test_matrix_cell_opens_the_position(open_page: Callable[[str], Page]) -> None:
    page = open_page("/positions/")
    cell = page.locator(f'figure.briefing-matrix a.matrix-cell[href$="{ZELENSKYY_ON_PLAN}"]')
    assert cell.count() == 1
    assert "rejects" in (cell.locator("text").text_content() or "")
    cell.scroll_into_view_if_needed()
    cell.click()
    page.wait_for_url(f"**/positions/{ZELENSKYY_ON_PLAN}")
    assert "Zelenskyy" in page.locator("article h1").inner_text()


def test_graph_node_opens_the_actor(open_page: Callable[[str], Page]) -> None:
    page = open_page("/actors/")
    # Find the node as a reader does, by the name written in its box.
    node = page.locator("figure.briefing-graph a", has_text="Kirill Dmitriev")
    assert node.count() >= 1
    node.first.scroll_into_view_if_needed()
    node.first.click()
    page.wait_for_url("**/actors/kirill-dmitriev/")
    assert page.locator("article h1").inner_text() == "Kirill Dmitriev"


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


SCREENSHOTS = {
    "home": "/",
    "actor-kirill-dmitriev": "/actors/kirill-dmitriev/",
    "matrix": "/positions/",
}


@pytest.mark.parametrize("path", SCREENSHOTS.values(), ids=SCREENSHOTS.keys())
def test_screenshot(
    path: str, open_page: Callable[[str], Page], artifacts: Path, request: pytest.FixtureRequest
) -> None:
    page = open_page(path)
    name = request.node.callspec.id
    target = artifacts / f"{name}.png"
    target.unlink(missing_ok=True)
    page.screenshot(path=str(target), full_page=True, animations="disabled")
    width, height = _png_size(target)
    assert width == 1280, f"{target}: {width}px wide"
    assert height >= 900, f"{target}: {height}px high"
