"""The build-time pictures: what they draw, how they link, and the graph's size cap."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from generator import svg
from generator.model import Briefing
from generator.render import SYMBOLS
from generator.schema import Sheet
from generator.validate import check

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def briefing() -> Briefing:
    return Briefing.from_check(check(REPO / "content", REPO))


def href(sheet: Sheet) -> str:
    return f"/{sheet.folder}/{sheet.id}/"


def test_matrix_cells_link_to_positions_with_symbol_and_word(briefing: Briefing) -> None:
    plan = briefing.get("us-russia-28-point-plan")
    symbols = {**SYMBOLS["stance"], **SYMBOLS["certainty"]}
    drawing = svg.matrix(briefing, plan, href, symbols)  # type: ignore[arg-type]
    cells = re.findall(r'<a href="([^"]+)" class="matrix-cell">.*?</a>', drawing)
    assert "/positions/volodymyr-zelenskyy-on-us-russia-28-point-plan/" in cells
    assert len(cells) == len(briefing.positions)
    assert "⊘ rejects" in drawing and "⚠ sceptical" in drawing
    assert drawing.count("<title") >= len(cells) + 1  # the picture's and each cell's


def test_timeline_draws_dates_with_their_precision(briefing: Briefing) -> None:
    drawing = svg.timeline(briefing, href)
    day = re.search(r'<a href="/events/thanksgiving-deadline-2025-11-27/">(.*?)</a>', drawing)
    month = re.search(r'<a href="/events/miami-drafting-meeting-2025-10/">(.*?)</a>', drawing)
    assert day and "<path" in day.group(1) and "day precision" in day.group(1)
    assert month and "<rect" in month.group(1) and "month precision" in month.group(1)
    assert "late October 2025: US officials and Kirill Dmitriev" in drawing


def test_graph_links_every_box(briefing: Briefing) -> None:
    drawing = svg.relations_graph(briefing, href)
    assert 'href="/actors/kirill-dmitriev/"' in drawing
    assert "most connected" not in drawing


def test_graph_keeps_only_the_most_connected(
    briefing: Briefing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(svg, "MAX_GRAPH_NODES", 3)
    drawing = svg.relations_graph(briefing, href)
    assert len(re.findall(r'<g id="node\d+" class="node">', drawing)) == 3
    assert "The 3 most connected of " in drawing
    assert 'href="/actors/kirill-dmitriev/"' in drawing  # the most connected actor


def test_text_in_pictures_is_escaped(briefing: Briefing) -> None:
    assert svg._x('<script>"&') == "&lt;script&gt;&quot;&amp;"


def test_what_graphviz_writes_cannot_stop_the_build(
    briefing: Briefing, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Graphviz's output is read as UTF-8 bytes, whatever the locale: a byte sequence that is
    not UTF-8 (a lone surrogate, as Graphviz wrote for the entity &#xD800;) or a control
    character (as it wrote for &#1;) shows as U+FFFD in the picture instead of stopping the
    build or reaching the page."""
    fake = tmp_path / "dot"
    fake.write_text(
        "#!/bin/sh\ncat >/dev/null\n"
        "printf '<svg xmlns=\"http://www.w3.org/2000/svg\"><text>a\\355\\240\\200b\\001c</text>"
        "</svg>\\n'\n", encoding="ascii")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(svg, "_LAYOUTS", {})
    drawing = svg.relations_graph(briefing, href)
    assert re.search("<text>a\ufffd+b\ufffdc</text>", drawing), drawing[-200:]


def test_labels_reach_graphviz_as_dot_strings_it_reads_no_escape_in() -> None:
    assert svg._dot('a\\N "b" &lt;') == '"a\\\\N \\"b\\" &amp;lt;"'
    assert svg._label("x" * 81) == '"' + "x" * 79 + '…"'
    assert svg._label("one\ntwo \u202e") == '"one two &amp;#x202e;"'
