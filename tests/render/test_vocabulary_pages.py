"""Pages show the briefing's words as it declares them: labels, not raw words, in the
vocabulary's order (term categories), the declared order of sides on who's who with one group
for actors without a side or on Other, and added stances with their symbol, label and colour."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from vocabkit import RATIFIED, STOCKPILE, UNSIDED, VOCABULARIES, sheet

from generator.build.workspace import prepare
from generator.render.renderer import RenderedPage

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

def pages_of_prepared(root: Path) -> list[RenderedPage]:
    shutil.copytree(REPO_ROOT / "briefings", root / "briefings")
    return prepare(root).pages


def pages_of(root: Path) -> dict[str, str]:
    return {page.path: page.markdown for page in pages_of_prepared(root)}


@pytest.fixture
def declared(make_project: Callable[..., Path]) -> dict[str, str]:
    """The pages of a briefing with its own words (tests/content/test_vocabularies.py)."""
    return pages_of(make_project({
        "briefing.yml": VOCABULARIES,
        "content/terms/stockpile-cap.yml": STOCKPILE,
        "content/positions/northland-on-stockpile-cap.yml": RATIFIED,
        **UNSIDED,
    }))


def headings(markdown: str, level: str = "##") -> list[str]:
    return re.findall(rf"^{level} (.*)$", markdown, re.MULTILINE)


def test_term_categories_follow_the_vocabulary_and_show_its_labels(
    declared: dict[str, str]
) -> None:
    """The briefing declares territory before storage: alphabetical order, by word or by
    label, would put storage first."""
    expected = ["Territory and zones", "Amounts in storage"]
    assert headings(declared["terms/index.md"], "###") == expected
    assert headings(declared["plans/peace-plan.md"], "###") == expected
    assert "Category: **Amounts in storage**." in declared["terms/stockpile-cap.md"]


def test_default_categories_show_labels_not_raw_words(
    make_project: Callable[..., Path]
) -> None:
    pages = pages_of(make_project({"content/terms/stockpile-cap.yml": STOCKPILE.replace(
        "category: storage", "category: military-aid")}))
    assert headings(pages["terms/index.md"], "###") == ["Territory", "Military aid"]


def test_labels_replace_words_on_every_page(declared: dict[str, str]) -> None:
    assert "| Status | **Leaked** |" in declared["plans/peace-plan.md"]
    assert "- Status: **Leaked**" in declared["index.md"]
    assert "| [Test peace plan](peace-plan.md) | Leaked |" in declared["plans/index.md"]
    assert "Person, grouped with **Go-betweens**." in declared["actors/bob-broker.md"]
    assert "- Met: [Bob Broker](bob-broker.md)" in declared["actors/alice-envoy.md"]
    assert "| Kind | News |" in declared["sources/test-report.md"]
    assert "Venue in Capital City, Northland." in declared["places/grand-hotel.md"]


def test_whos_who_follows_the_declared_sides_with_one_other_group_last(
    declared: dict[str, str]
) -> None:
    """Declared: Northland, then Intermediaries (shown as its label); the actor without a
    side and the one on Other share one group, once, last."""
    page = declared["actors/index.md"]
    assert headings(page)[-3:] == ["Northland", "Go-betweens", "Other"]
    other = page.split("\n## Other\n", 1)[1]
    assert re.findall(r"^- \[([^]]+)\]", other, re.MULTILINE) == ["Carol Clerk", "Dan Drifter"]


def test_whos_who_without_declared_sides_keeps_one_other_group(
    make_project: Callable[..., Path]
) -> None:
    """Undeclared: sides alphabetically, as before; still one Other group, last."""
    pages = pages_of(make_project(UNSIDED))
    assert headings(pages["actors/index.md"])[-3:] == ["Intermediaries", "Northland", "Other"]


def test_a_declared_other_side_gives_the_group_its_label(
    make_project: Callable[..., Path]
) -> None:
    settings = VOCABULARIES.replace("  stance:\n", (
        "    - word: Other\n      label: Observers and clerks\n"
        "      meaning: Everyone else.\n  stance:\n"), 1)
    pages = pages_of(make_project({"briefing.yml": settings, **UNSIDED,
                                   "content/terms/stockpile-cap.yml": STOCKPILE}))
    assert headings(pages["actors/index.md"])[-3:] == [
        "Northland", "Go-betweens", "Observers and clerks"]
    assert "grouped with **Observers and clerks**" in pages["actors/dan-drifter.md"]


def test_an_added_stance_has_its_symbol_label_and_borrowed_colour(
    declared: dict[str, str]
) -> None:
    label = '<span class="stance stance-supports" title="Has ratified it.">★ Ratified</span>'
    assert label in declared["positions/northland-on-stockpile-cap.md"]
    matrix = declared["positions/index.md"]
    assert f"- {label}: Has ratified it." in matrix  # the legend
    cell = re.search(r'<title>Northland: Ratified on A cap on the stockpile \(confirmed\)'
                     r'</title><rect [^>]*fill="([^"]+)"', matrix)
    assert cell and cell[1] == "#c8e6c9"  # the fill of supports
    assert ">★ Ratified</text>" in matrix


def test_an_actor_of_the_briefings_own_kind_has_its_page(
    make_project: Callable[..., Path]
) -> None:
    """A kind the defaults do not have is shown by its label; its JSON-LD claims no more than
    a Thing."""
    settings = "title: Test briefing\n" + "\n".join([
        "vocabularies:", "  actor_kind:",
        "    - {word: person, label: Person, meaning: Someone.}",
        "    - {word: state, label: State, meaning: A party.}",
        "    - {word: legislature, label: Legislature, meaning: A parliament.}", ""])
    pages = {page.path: page for page in (pages_of_prepared(make_project({
        "briefing.yml": settings,
        "content/actors/assembly.yml": sheet("actors", """
id: assembly
name: The Assembly
kind: legislature
side: Northland
facts:
  - text: Must vote on the plan.
    sources: [test-report]
    certainty: reported
""")})))}
    assert "Legislature, grouped with **Northland**." in pages["actors/assembly.md"].markdown
    assert '"@type": "Thing"' in (pages["actors/assembly.md"].jsonld or "")
