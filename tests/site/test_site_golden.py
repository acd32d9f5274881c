"""Golden Markdown: every page the sample project generates, compared byte for byte with
tests/cases/sample/expected/<page path>; the JSON export likewise (expected/briefing.json).

Regenerate after an intended change, then review the diff before committing it:

    python -m pytest tests/site --update-goldens
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sitekit import EPOCH_DAY, SAMPLE

from generator.build import workspace as pipeline

EXPECTED = SAMPLE / "expected"
JSON_NAME = "briefing.json"


def generated(root: Path) -> dict[str, str]:
    # The day the site tests build for: the review page counts from it.
    prepared = pipeline.prepare(root, today=EPOCH_DAY)
    files = {page.path: page.markdown for page in prepared.pages}
    files[JSON_NAME] = pipeline.briefing_json(prepared.project, prepared.briefing)
    return files


def expected_files() -> dict[str, str]:
    return {
        path.relative_to(EXPECTED).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(EXPECTED.rglob("*"))
        if path.is_file()
    }


def update(files: dict[str, str]) -> None:
    for stale in set(expected_files()) - set(files):
        (EXPECTED / stale).unlink()
    for relative, text in files.items():
        path = EXPECTED / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
    for folder in sorted(EXPECTED.rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


@pytest.fixture(scope="module")
def pages(sample_root: Path) -> dict[str, str]:
    return generated(sample_root)


def test_goldens_cover_every_generated_page(
    pages: dict[str, str], request: pytest.FixtureRequest
) -> None:
    # tests/conftest.py registers --update-goldens; read it without depending on its fixtures.
    if request.config.getoption("--update-goldens", default=False):
        update(pages)
    assert sorted(expected_files()) == sorted(pages), (
        "generated pages and tests/cases/sample/expected/ differ; "
        "run `python -m pytest tests/site --update-goldens` and review the diff"
    )


def _page_ids() -> list[str]:
    return sorted(expected_files()) or ["<no goldens yet>"]


@pytest.mark.parametrize("relative", _page_ids())
def test_golden_page(
    relative: str, pages: dict[str, str], request: pytest.FixtureRequest
) -> None:
    if request.config.getoption("--update-goldens", default=False):
        pytest.skip("goldens rewritten by test_goldens_cover_every_generated_page")
    if relative not in pages:
        pytest.fail(f"{relative}: golden file for a page that is no longer generated")
    expected = (EXPECTED / relative).read_bytes()
    assert pages[relative].encode("utf-8") == expected, (
        f"{relative} differs from its golden file; if the change is intended, run "
        "`python -m pytest tests/site --update-goldens` and review the diff"
    )


def test_sample_has_the_edge_cases(pages: dict[str, str]) -> None:
    """The goldens only pin what the sample contains: keep its edge cases in it."""
    assert "November 2025" in pages["sources/wire-report.md"]  # month precision
    assert "late October 2025" in pages["events/index.md"]  # a qualified date
    assert "? possible</span>" in pages["actors/ada-north.md"]
    assert "✕ denied</span>" in pages["actors/ada-north.md"]
    # aliases, in the heading (where the search weighs them), of an actor, a plan, a term
    assert ('# Ada North <span class="aliases">(<bdi>A. North</bdi>, <bdi>The Harbourmaster'
            '</bdi>)</span>') in pages["actors/ada-north.md"]
    assert '# The Harbour Accord <span class="aliases">(<bdi>HA</bdi>)' in pages[
        "plans/harbour-accord.md"]
    assert "(<bdi>SPA</bdi>, <bdi>Open port</bdi>)" in pages["terms/shared-port-access.md"]
    assert "of [Northland Development Fund](northland-fund.md)" in pages["actors/ada-north.md"]
    assert "- Met: [Ben South](ben-south.md)" in pages["actors/ada-north.md"]  # a relation
    assert "(../positions/ben-south-on-harbour-accord.md)" in pages["plans/harbour-accord.md"]
    assert "(../positions/ada-north-on-shared-port-access.md)" in pages[
        "terms/shared-port-access.md"
    ]
    assert "<https://example.org/news/" in pages["sources/wire-report.md"]  # with a url
    assert "| Publisher | not stated |" in pages["sources/ministry-statement.md"]
    assert "| Address | none given |" in pages["sources/ministry-statement.md"]
