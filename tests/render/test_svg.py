"""The build-time pictures: what they draw, how they link, and the graph's size cap."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

from generator.content.briefing import Briefing
from generator.content.check import check
from generator.content.schema import Sheet
from generator.render import svg
from generator.render.renderer import SYMBOLS

REPO = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def briefing() -> Briefing:
    return check(REPO / "content", REPO).briefing()


def href(sheet: Sheet) -> str:
    return f"/{sheet.folder}/{sheet.id}/"


def test_matrix_cells_link_to_positions_with_symbol_and_word(briefing: Briefing) -> None:
    plan = briefing.get("us-russia-28-point-plan")
    symbols = {**SYMBOLS["stance"], **SYMBOLS["certainty"]}
    parts = svg.matrix(briefing, plan, href, symbols)  # type: ignore[arg-type]
    drawing = "".join(part.markup for part in parts)
    cells = re.findall(r'<a href="([^"]+)" class="matrix-cell">.*?</a>', drawing)
    assert "/positions/volodymyr-zelenskyy-on-us-russia-28-point-plan/" in cells
    assert len(cells) == len(briefing.positions)
    assert "⊘ rejects" in drawing and "⚠ sceptical" in drawing
    assert drawing.count("<title") >= len(cells) + 1  # the picture's and each cell's


def test_timeline_draws_dates_with_their_precision(briefing: Briefing) -> None:
    drawing = svg.timeline(briefing, href).markup
    day = re.search(r'<a href="/events/thanksgiving-deadline-2025-11-27/">(.*?)</a>', drawing)
    month = re.search(r'<a href="/events/miami-drafting-meeting-2025-10/">(.*?)</a>', drawing)
    assert day and "<path" in day.group(1) and "day precision" in day.group(1)
    assert month and "<rect" in month.group(1) and "month precision" in month.group(1)
    assert "late October 2025: US officials and Kirill Dmitriev" in drawing


def test_graph_links_every_box(briefing: Briefing) -> None:
    drawing = svg.relations_graph(briefing, href).markup
    assert 'href="/actors/kirill-dmitriev/"' in drawing
    assert "most connected" not in drawing


def test_graph_keeps_only_the_most_connected(
    briefing: Briefing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(svg, "MAX_GRAPH_NODES", 3)
    drawing = svg.relations_graph(briefing, href).markup
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
    drawing = svg.relations_graph(briefing, href).markup
    assert re.search("<text>a\ufffd+b\ufffdc</text>", drawing), drawing[-200:]


def test_labels_reach_graphviz_as_dot_strings_it_reads_no_escape_in() -> None:
    assert svg._dot('a\\N "b" &lt;') == '"a\\\\N \\"b\\" &amp;lt;"'
    assert svg._label("x" * 81) == '"' + "x" * 79 + '…"'
    assert svg._label("one\ntwo \u202e") == '"one two &amp;#x202e;"'


def test_graph_keeps_the_case_of_roles_and_writes_ties_as_words(briefing: Briefing) -> None:
    """A role's title as the actor's page writes it ("President of ..."), never lower-cased;
    a relation's kind as its label ("Collaborated with"), never its slug; two ties between
    the same two actors on one arrow, one under the other."""
    drawing = svg.relations_graph(briefing, href).markup
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", drawing)]
    joined = " ".join(texts)
    zelenskyy = briefing.get("volodymyr-zelenskyy")
    title = next(r.title for r in zelenskyy.roles)  # type: ignore[attr-defined]
    assert title[0].isupper() and title in joined
    assert title.lower() not in joined
    assert "collaborated-with" not in joined and "Collaborated with" in joined
    arrow = re.search(r"<title>kirill&#45;dmitriev&#45;&gt;jared&#45;kushner</title>(.*?)</g>",
                      drawing)
    assert arrow, "one arrow from Kirill Dmitriev to Jared Kushner"
    words = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", arrow[1])]
    assert " ".join(words) == "Collaborated with, Met"


def test_graph_labels_wrap_but_lose_no_word(briefing: Briefing) -> None:
    """A box's name wraps at spaces into lines about _NODE_EM wide; its lines, put together,
    are the name (a word longer than a line keeps a line of its own, whole)."""
    name = "Ministry of Foreign Affairs of a Very Long Country"
    lines = svg._label_lines(name, 9.0)
    assert len(lines) > 1 and " ".join(lines) == name
    assert svg._label_lines("x" * 60, 9.0) == ["x" * 60]
    # The line breaks are the only escapes written: text that spells one stays as written.
    assert svg._label('a\\n "b"\\N &lt;', 1.0) == '"a\\\\n\\n\\"b\\"\\\\N\\n&amp;lt;"'


def test_graph_fits_the_wide_text_column(briefing: Briefing) -> None:
    drawing = svg.relations_graph(briefing, href)
    assert 10 < drawing.width <= svg.WIDE_COLUMN_EM
    head = drawing.markup[: drawing.markup.index(">")]
    assert re.search(r' width="[0-9.]+em" height="[0-9.]+em"', head), head
    # Every label is one em: the size of the text around the picture.
    sizes = set(re.findall(r'<text[^>]* font-size="([0-9.]+)"', drawing.markup))
    assert sizes == {f"{svg.GRAPH_FONT:.2f}"}
