"""How the pictures are laid out to fit: the timeline's axis for spans from a week to centuries,
labels measured in the font the PDF embeds, and a matrix too wide for the column in parts."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from figurekit import FACTS, SPANS, briefing_of, event
from fontTools.ttLib import TTFont

from generator.content.briefing import Briefing
from generator.content.check import check
from generator.content.schema import Plan, Sheet
from generator.render import axis, fontmetrics, svg
from generator.render.renderer import SYMBOLS

NS = {"svg": "http://www.w3.org/2000/svg"}
SYMBOLS_ALL = {**SYMBOLS["stance"], **SYMBOLS["certainty"]}


def href(sheet: Sheet) -> str:
    return f"/{sheet.folder}/{sheet.id}/"


def width(text: str) -> float:
    return fontmetrics.text_width(text, svg.FONT_SIZE)


# --- measuring text --------------------------------------------------------------------------


def test_widths_are_the_advances_of_the_font_the_pdf_embeds() -> None:
    """Widths come from DejaVu Sans itself (found through fontconfig, as the PDF finds it), not
    from an estimate: the sum of the glyphs' advances in the font's own tables."""
    assert fontmetrics.measured(), "DejaVu Sans not found: install fonts-dejavu-core"
    path = fontmetrics._font_file()
    assert path is not None
    font = TTFont(path)
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    text = "Vârnesia, Ведомство, Αθήνα 2031"
    expected = sum(metrics[cmap[ord(c)]][0] for c in text) / font["head"].unitsPerEm * 16
    assert fontmetrics.text_width(text, 16) == pytest.approx(expected)
    assert fontmetrics.text_width("MMMM", 16) > fontmetrics.text_width("iiii", 16) * 2
    # A character the font lacks (a browser draws it from another) is estimated, not zero.
    assert fontmetrics.text_width("\u4e2d", 16) == 16.0


def test_fit_and_wrap_keep_within_the_width() -> None:
    assert fontmetrics.fit("Short", 16, 200) == "Short"
    cut = fontmetrics.fit("A title far too long for the room it is given", 16, 120)
    assert cut.endswith("…") and fontmetrics.text_width(cut, 16) <= 120
    lines = fontmetrics.wrap("The provision on the sharing of water in dry years", 16, 100, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(fontmetrics.text_width(line, 16) <= 100 for line in lines)
    whole = fontmetrics.wrap("One two three four five six", 16, 60)
    assert " ".join(whole) == "One two three four five six" and len(whole) > 2


# --- the timeline's axis ---------------------------------------------------------------------

@pytest.mark.parametrize("span", SPANS, ids=SPANS.keys())
def test_axis_step_suits_the_span(span: str) -> None:
    first, last, _, unit, counts = SPANS[span]
    scale = axis.choose(dt.date.fromisoformat(first), dt.date.fromisoformat(last), 656, width)
    assert (scale.step.unit, scale.step.count in counts) == (unit, True), scale.step
    labels = [t.label for t in scale.ticks if t.label]
    assert len(labels) >= 4, labels
    # The axis covers the span, from a tick to a tick.
    assert scale.start <= dt.date.fromisoformat(first).toordinal()
    assert scale.end > dt.date.fromisoformat(last).toordinal()
    # Every label says its year, or follows one that does in the same year.
    assert re.search(r"\d{4}", labels[0]), labels


def axis_labels(drawing: svg.Drawing) -> list[tuple[float, float, str]]:
    """The axis labels of a timeline as (left, right, text), measured in the font."""
    root = ET.fromstring(drawing.markup)
    group = root.find(".//svg:g[@class='timeline-axis']", NS)
    assert group is not None
    found = []
    for text in group.findall("svg:text", NS):
        left = float(text.get("x", "0"))
        found.append((left, left + width(text.text or ""), text.text or ""))
    return found


def view_width(drawing: svg.Drawing) -> float:
    match = re.search(r'viewBox="0 0 ([0-9.]+) ', drawing.markup)
    assert match
    return float(match[1])


@pytest.mark.parametrize("span", SPANS, ids=SPANS.keys())
def test_timeline_labels_never_overlap(span: str, tmp_path: Path) -> None:
    """Each axis label's box (its width in DejaVu Sans at the labels' size) ends before the next
    begins, all inside the picture, and the picture fits the text column."""
    _, _, dates, _, _ = SPANS[span]
    drawing = svg.timeline(briefing_of(tmp_path, *(event(n, d) for n, d in enumerate(dates))),
                           href)
    labels = axis_labels(drawing)
    assert len(labels) >= 4
    for (_, right, text), (left, _, following) in zip(labels, labels[1:], strict=False):
        assert right + axis.GAP <= left, f"{text!r} runs into {following!r}"
    assert labels[0][0] >= 0 and labels[-1][1] <= view_width(drawing)
    assert drawing.width <= svg.COLUMN_EM


def test_timeline_events_sit_on_their_days(tmp_path: Path) -> None:
    """A day is a diamond over its day, a month a bar from its first to its last day."""
    events = [event(1, "2031-03-03"), event(2, "2031-05"), event(3, "2031-08-31")]
    drawing = svg.timeline(briefing_of(tmp_path, *events), href)
    scale = axis.choose(dt.date(2031, 3, 3), dt.date(2031, 8, 31), view_width(drawing) - 16,
                        width)
    bar = re.search(r'<a href="/events/event-2/">.*?<rect x="([0-9.]+)" [^>]*width="([0-9.]+)"',
                    drawing.markup)
    assert bar
    assert float(bar[1]) == pytest.approx(8 + scale.x(dt.date(2031, 5, 1)), abs=0.05)
    assert float(bar[1]) + float(bar[2]) == pytest.approx(8 + scale.x(dt.date(2031, 6, 1)),
                                                          abs=0.1)


@pytest.mark.parametrize("dates", [["0001", "0003-05-02"], ["9998", "9999-12-31"],
                                   ["0001-01-01", "9999-12-31"], ["2031-03-03"]],
                         ids=["year 1", "year 9999", "every year", "one day"])
def test_timeline_draws_the_edges_of_the_calendar(dates: list[str], tmp_path: Path) -> None:
    drawing = svg.timeline(briefing_of(tmp_path, *(event(n, d) for n, d in enumerate(dates))),
                           href)
    labels = axis_labels(drawing)
    assert labels
    for (_, right, _), (left, _, _) in zip(labels, labels[1:], strict=False):
        assert right <= left


def test_axis_labels_are_english_whatever_the_step() -> None:
    assert axis.Step("week", 1).label(dt.date(2031, 3, 3), None) == "3 Mar 2031"
    assert axis.Step("week", 1).label(dt.date(2031, 3, 10), dt.date(2031, 3, 3)) == "10 Mar"
    assert axis.Step("month", 3).label(dt.date(2032, 1, 1), dt.date(2031, 10, 1)) == "Jan 2032"
    assert axis.Step("month", 3).words() == "every quarter"
    assert axis.Step("year", 5).words() == "every 5 years"


# --- the matrix ------------------------------------------------------------------------------


def matrix_briefing(root: Path, terms: int, actors: int) -> tuple[Briefing, Plan]:
    sheets: list[dict[str, Any]] = [{"folder": "plans", "id": "water-accord",
                                     "title": "The water accord", "status": "drafted",
                                     "facts": FACTS}]
    for t in range(terms):
        sheets.append({"folder": "terms", "id": f"term-{t:02d}", "plan": "water-accord",
                       "number": t + 1, "category": "other", "facts": FACTS,
                       "title": f"Provision {t + 1} on the sharing of the river in dry years"})
    stances = ["supports", "seeks-changes", "rejects", "conditional"]
    for a in range(actors):
        sheets.append({"folder": "actors", "id": f"actor-{a}", "name": f"Delegation {a}",
                       "kind": "state", "facts": FACTS})
        for t in range(0, terms, a + 1):
            sheets.append({"folder": "positions", "id": f"actor-{a}-on-term-{t:02d}",
                           "actor": f"actor-{a}", "on": f"term-{t:02d}",
                           "stance": stances[(a + t) % 4], "facts": FACTS})
    briefing = briefing_of(root, *sheets)
    plan = briefing.get("water-accord")
    assert isinstance(plan, Plan)
    return briefing, plan


def test_a_wide_matrix_comes_in_parts_that_fit_the_column(tmp_path: Path) -> None:
    briefing, plan = matrix_briefing(tmp_path, terms=14, actors=5)
    parts = svg.matrix(briefing, plan, href, SYMBOLS_ALL)
    assert len(parts) > 1
    assert all(part.width <= svg.WIDE_COLUMN_EM for part in parts)
    # Each part says which columns it holds; together they hold all, in order, once.
    titles = [re.search(r"<title[^>]*>([^<]*)</title>", p.markup)[1] for p in parts]  # type: ignore[index]
    spans = [tuple(map(int, re.findall(r"columns (\d+) to (\d+) of 15", t)[0])) for t in titles]
    assert spans[0][0] == 1 and spans[-1][1] == 15
    assert all(b[0] == a[1] + 1 for a, b in zip(spans, spans[1:], strict=False))
    cells = [link for p in parts for link in re.findall(r'<a href="([^"]+)" class="matrix-cell"',
                                                         p.markup)]
    assert sorted(cells) == sorted(href(p) for p in briefing.positions)
    # Ids stay unique on the page across the parts.
    ids = [i for p in parts for i in re.findall(r' id="([^"]+)"', p.markup)]
    assert len(ids) == len(set(ids))


def test_a_narrow_matrix_is_one_picture(tmp_path: Path) -> None:
    briefing, plan = matrix_briefing(tmp_path, terms=3, actors=2)
    (part,) = svg.matrix(briefing, plan, href, SYMBOLS_ALL)
    assert "columns" not in part.markup
    assert part.width <= svg.WIDE_COLUMN_EM


def test_matrix_cells_and_headings_stay_in_their_column(tmp_path: Path) -> None:
    briefing, plan = matrix_briefing(tmp_path, terms=4, actors=3)
    (part,) = svg.matrix(briefing, plan, href, SYMBOLS_ALL)
    root = ET.fromstring(part.markup)
    for link in root.iter("{http://www.w3.org/2000/svg}a"):
        rect = link.find("svg:rect", NS)
        text = link.find("svg:text", NS)
        if rect is None or text is None:
            continue
        assert width(text.text or "") <= float(rect.get("width", "0")), text.text


# --- the figure around a picture ---------------------------------------------------------------


def test_figure_gives_its_width_for_the_hint_and_prints_wide_pictures_landscape() -> None:
    wide = svg.figure("graph", svg.Drawing("<svg/>", 40.0))
    huge = svg.figure("graph", svg.Drawing("<svg/>", svg.PORTRAIT_EM + 1))
    assert wide == ('<figure class="briefing-figure briefing-graph" style="--figure-width: '
                    '40.000em"><p class="scroll-hint" aria-hidden="true"></p><svg/></figure>')
    assert 'class="briefing-figure briefing-graph briefing-wide"' in huge


def test_shipped_pictures_fit_their_columns() -> None:
    repo = Path(__file__).resolve().parent.parent.parent
    briefing = check(repo / "content", repo).briefing()
    assert svg.timeline(briefing, href).width <= svg.COLUMN_EM
    for plan in briefing.plans:
        assert all(p.width <= svg.WIDE_COLUMN_EM
                   for p in svg.matrix(briefing, plan, href, SYMBOLS_ALL))


def test_a_body_with_many_members_is_drawn_across(tmp_path: Path) -> None:
    """Twenty members of one body would stand side by side from top to bottom: the graph is
    laid out left to right instead, and fits the column."""
    members = [{"folder": "actors", "id": f"member-{n:02d}", "name": f"Delegate number {n}",
                "kind": "person", "facts": FACTS,
                "relations": [{"to": "joint-body", "kind": "member-of", "facts": FACTS}]}
               for n in range(20)]
    body = {"folder": "actors", "id": "joint-body", "name": "The joint body",
            "kind": "organisation", "facts": FACTS}
    drawing = svg.relations_graph(briefing_of(tmp_path, body, *members), href)
    assert drawing.width <= svg.WIDE_COLUMN_EM
    assert drawing.markup.count(">Member of</text>") == 20
