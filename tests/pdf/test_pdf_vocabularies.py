"""The print edition shows the briefing's own words as the site does: who's who in the declared
order of sides with one Other group, last; term categories in the vocabulary's order under
their labels; an added stance with its symbol and label."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from vocabkit import RATIFIED, STOCKPILE, UNSIDED, VOCABULARIES

from generator.build.workspace import prepare
from generator.pdf.edition import start

pytestmark = pytest.mark.pdf

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
EPOCH = "1764201600"  # 2025-11-27 00:00 UTC


def print_edition(root: Path) -> list[str]:
    """The lines of the print edition of the project at ``root``."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (scripts/test.sh does)")
    shutil.copytree(REPO_ROOT / "briefings", root / "briefings")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        with start(prepare(root)) as job:
            job.finish(root / "briefing.pdf")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(root / "briefing.pdf"), "-"],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def chapter(lines: list[str], title: str, following: str) -> list[str]:
    """The lines of a chapter: after its heading (the second time its title is printed, the
    first being the running header) up to the next chapter's running header."""
    start = [i for i, line in enumerate(lines) if line == title][1]
    end = next(i for i in range(start, len(lines)) if lines[i] == following)
    return lines[start:end]


def test_the_print_edition_shows_the_briefings_words(make_project: Callable[..., Path]) -> None:
    text = print_edition(make_project({
        "briefing.yml": VOCABULARIES,
        "content/terms/stockpile-cap.yml": STOCKPILE,
        "content/positions/northland-on-stockpile-cap.yml": RATIFIED,
        **UNSIDED,
    }))
    # Who's who: the declared sides, then one Other group (the graph's box for the actor
    # Northland comes before the group headings).
    lines = chapter(text, "Who's who", "Timeline")
    groups = [line for line in lines if line in ("Northland", "Go-betweens", "Intermediaries",
                                                 "Other")]
    assert groups[-3:] == ["Northland", "Go-betweens", "Other"]
    assert groups.count("Other") == 1
    other = lines[lines.index("Other", lines.index("Go-betweens")):]
    assert other[1:3] == ["• Carol Clerk", "• Dan Drifter"]
    # Term categories in the vocabulary's order, under their labels; an added stance.
    lines = chapter(text, "The plan and its terms", "Position matrix")
    assert [line for line in lines if line in ("Territory and zones", "Amounts in storage")
            ] == ["Territory and zones", "Amounts in storage"]
    assert "• ★ Ratified : Has ratified it." in text  # the matrix's legend
