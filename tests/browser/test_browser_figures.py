"""The build-time SVG pictures in a real browser: visible, inside the page, and their links work;
they fit the text column at desktop widths and scroll under a hint on a phone, with labels as
large as the text; the timeline's axis labels never overlap; and screenshots of the pages a
reader sees first and of every figure at 1400, 1024 and 390 pixels, kept as test artifacts."""

from __future__ import annotations

import html
import itertools
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from figurekit import SPANS, briefing_of, event
from playwright.sync_api import Page

from generator.render import fontmetrics, svg

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


# --- figures that fit: desktop, narrow screens, labels, the timeline's axis -------------------

FIGURE_PAGES = {"matrix": "/positions/", "graph": "/actors/", "timeline": "/events/"}
DESKTOP = (1400, 1024)
PHONE = 390

# Each figure and its column: how far the figure scrolls and how far it reaches past the
# article; whether its hint shows; the body text's size and every label's drawn size.
MEASURE = """() => {
    const article = document.querySelector("article").getBoundingClientRect();
    const body = parseFloat(getComputedStyle(document.querySelector("article p")).fontSize);
    return [...document.querySelectorAll("figure.briefing-figure")].map(f => {
        const box = f.getBoundingClientRect();
        const hint = f.querySelector(".scroll-hint");
        const sizes = [...f.querySelectorAll("svg text")].map(t =>
            parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
        return {
            scroll: f.scrollWidth - f.clientWidth,
            past: box.right - article.right,
            before: article.left - box.left,
            svg: f.querySelector("svg").getBoundingClientRect().width,
            hint: hint ? getComputedStyle(hint, "::before").content : null,
            shown: hint ? hint.getBoundingClientRect().height > 0 : false,
            body: body,
            smallest: Math.min(...sizes),
            labels: sizes.length,
        };
    });
}"""


def _screenshot(page: Page, artifacts: Path, name: str, width: int) -> None:
    target = artifacts / f"figure-{name}-{width}.png"
    target.unlink(missing_ok=True)
    page.screenshot(path=str(target), full_page=True, animations="disabled")
    assert _png_size(target)[0] == width, target


@pytest.mark.parametrize("width", DESKTOP)
@pytest.mark.parametrize("name", FIGURE_PAGES)
def test_figures_fit_the_column_on_desktop(
    name: str, width: int, open_page: Callable[[str], Page], artifacts: Path
) -> None:
    """At 1400 and 1024 pixels no figure scrolls or reaches past the article, its hint is
    hidden, and every label is drawn at least as large as the body text."""
    page = open_page(FIGURE_PAGES[name])
    page.set_viewport_size({"width": width, "height": 900})
    _screenshot(page, artifacts, name, width)
    figures = page.evaluate(MEASURE)
    assert figures, f"{name}: no figure"
    for figure in figures:
        assert figure["scroll"] <= 0, f"{name} at {width}px scrolls {figure['scroll']}px"
        assert figure["past"] <= 0.5 and figure["before"] <= 0.5, figure
        assert not figure["shown"], f"{name} at {width}px shows its hint"
        assert figure["labels"] > 0
        assert figure["smallest"] >= figure["body"] - 0.05, (
            f"{name} at {width}px: a label is {figure['smallest']:.2f}px, the text "
            f"{figure['body']}px")


@pytest.mark.parametrize("name", FIGURE_PAGES)
def test_a_narrow_screen_scrolls_a_figure_under_a_hint(
    name: str, open_page: Callable[[str], Page], artifacts: Path
) -> None:
    """At 390 pixels a figure wider than the column scrolls inside itself, under a visible
    hint, and one that fits shows none; the page itself never scrolls sideways, and labels keep
    the body text's size."""
    page = open_page(FIGURE_PAGES[name])
    page.set_viewport_size({"width": PHONE, "height": 844})
    _screenshot(page, artifacts, name, PHONE)
    figures = page.evaluate(MEASURE)
    assert any(f["scroll"] > 0 for f in figures), f"{name}: nothing to scroll at {PHONE}px"
    for figure in figures:
        assert figure["shown"] == (figure["scroll"] > 0), figure
        assert "Scroll sideways" in figure["hint"], figure
        assert figure["past"] <= 0.5, figure
        assert figure["smallest"] >= figure["body"] - 0.05, figure
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the window"


# The drawn boxes of a timeline's axis labels, in the order drawn.
AXIS_BOXES = """svg => [...svg.querySelectorAll("g.timeline-axis text")].map(t => {
    const b = t.getBBox();
    return {text: t.textContent, left: b.x, right: b.x + b.width, top: b.y,
            bottom: b.y + b.height, width: svg.viewBox.baseVal.width};
})"""


def _assert_apart(boxes: list[dict[str, Any]], where: str) -> None:
    assert len(boxes) >= 2, f"{where}: {boxes}"
    for a, b in itertools.combinations(boxes, 2):
        apart = (a["right"] <= b["left"] or b["right"] <= a["left"]
                 or a["bottom"] <= b["top"] or b["bottom"] <= a["top"])
        assert apart, f"{where}: {a['text']!r} and {b['text']!r} overlap: {a} {b}"
    assert all(0 <= box["left"] and box["right"] <= box["width"] for box in boxes), boxes


def test_shipped_timeline_axis_labels_do_not_overlap(open_page: Callable[[str], Page]) -> None:
    page = open_page("/events/")
    boxes = page.locator("figure.briefing-timeline svg").first.evaluate(AXIS_BOXES)
    _assert_apart(boxes, "/events/")


@pytest.mark.parametrize("span", SPANS, ids=SPANS.keys())
def test_timeline_axis_labels_do_not_overlap_for_any_span(
    span: str, page: Page, site_dir: Path, tmp_path: Path
) -> None:
    """The timelines of synthetic event sets, a week to twenty years long, drawn by Chromium
    with the site's styles: no two axis labels' boxes (getBBox) intersect."""
    dates = SPANS[span][2]
    drawing = svg.timeline(briefing_of(tmp_path, *(event(n, d) for n, d in enumerate(dates))),
                           lambda sheet: f"/{sheet.folder}/{sheet.id}/")
    styles = "".join(
        f"<style>{(site_dir / 'assets' / css).read_text(encoding='utf-8')}</style>"
        for css in ("labels.css", "briefing.css"))
    page.set_content(f'<html><head>{styles}</head><body><article class="md-typeset">'
                     f'{svg.figure("timeline", drawing)}</article></body></html>')
    boxes = page.locator("figure.briefing-timeline svg").evaluate(AXIS_BOXES)
    assert len(boxes) >= 4
    _assert_apart(boxes, span)


#: Text in the scripts a briefing's names come in. Chromium draws it with the same font as
#: the PDF embeds, so the widths the pictures are laid out with are what a reader sees.
MEASURED = ["Jan 2031", "27 November 2031", "Vârnesia tables the framework in Dălmăreni",
            "Добромир Ясенев", "Αριάδνη Δρόσου", "Qaṣr al-Māʾ", "Ottilie Brænne",
            "⊘ rejects ⚠", "AVATAR Wave", "نور الهدى القصبي"]


def test_label_widths_are_what_chromium_draws(page: Page) -> None:
    """The widths the pictures are laid out with (DejaVu Sans' advances) are what Chromium
    draws to within 1% for unkerned Latin, Cyrillic and Greek, and never less where it kerns
    or shapes (Arabic): a label never runs longer than its room."""
    texts = "".join(f'<text x="0" y="{20 * (i + 1)}">{html.escape(t)}</text>'
                    for i, t in enumerate(MEASURED))
    page.set_content(f'<svg xmlns="http://www.w3.org/2000/svg" width="900" height="300" '
                     f'font-family="DejaVu Sans, Verdana, sans-serif" font-size="16">{texts}'
                     "</svg>")
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('text')].map(t => t.getComputedTextLength())")
    for text, length in zip(MEASURED, drawn, strict=True):
        ours = fontmetrics.text_width(text, 16)
        assert ours >= length - 0.5, f"{text!r}: measured {ours:.2f}, drawn {length:.2f}"
        if text in MEASURED[:8]:
            assert ours == pytest.approx(length, rel=0.01), text


@pytest.mark.parametrize(("width", "hinted"), [(390, [False, True]), (1024, [False, False])])
def test_the_hint_shows_exactly_where_a_picture_is_wider_than_its_column(
    width: int, hinted: list[bool], page: Page, site_dir: Path
) -> None:
    """Of two pictures, 15 and 40 em wide (the column is about 22 em on a phone), only the
    one wider than its column shows the hint, and only it scrolls."""
    styles = "".join(
        f"<style>{(site_dir / 'assets' / css).read_text(encoding='utf-8')}</style>"
        for css in ("labels.css", "briefing.css"))
    figures = "".join(
        svg.figure("graph", svg.Drawing(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{em}em" height="2em" '
            f'viewBox="0 0 {em * 16} 32"><text x="0" y="20">{em} em</text></svg>', em))
        for em in (15, 40))
    page.set_viewport_size({"width": width, "height": 800})
    page.set_content(f'<html><head>{styles}</head><body style="margin: 16px; font-size: 16px">'
                     f'<article class="md-typeset">{figures}</article></body></html>')
    found = page.evaluate(MEASURE.replace('document.querySelector("article p")',
                                          'document.querySelector("article")'))
    assert [f["shown"] for f in found] == hinted
    assert [f["scroll"] > 0 for f in found] == hinted
