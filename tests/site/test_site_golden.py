"""Golden Markdown: every page each sample project generates, compared byte for byte with
tests/cases/<sample>/expected/<page path>; the JSON export likewise (expected/briefing.json).
The samples are the first one (tests/cases/sample) and the second, another kind of
negotiation with its own vocabularies (tests/cases/second).

Regenerate after an intended change, then review the diff before committing it:

    python -m pytest tests/site --update-goldens
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sitekit import EPOCH_DAY, SAMPLE, SECOND

from generator.build import workspace as pipeline

#: Each sample: its folder, and the fixture (tests/site/conftest.py) of its committed copy.
SAMPLES = {"sample": (SAMPLE, "sample_root"), "second": (SECOND, "second_root")}
JSON_NAME = "briefing.json"


def generated(root: Path) -> dict[str, str]:
    # The day the site tests build for: the review page counts from it.
    prepared = pipeline.prepare(root, today=EPOCH_DAY)
    files = {page.path: page.markdown for page in prepared.pages}
    files[JSON_NAME] = pipeline.briefing_json(prepared.project, prepared.briefing)
    return files


def expected_files(sample: str) -> dict[str, str]:
    expected = SAMPLES[sample][0] / "expected"
    return {
        path.relative_to(expected).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(expected.rglob("*"))
        if path.is_file()
    }


def update(sample: str, files: dict[str, str]) -> None:
    expected = SAMPLES[sample][0] / "expected"
    for stale in set(expected_files(sample)) - set(files):
        (expected / stale).unlink()
    for relative, text in files.items():
        path = expected / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
    for folder in sorted(expected.rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


_generated: dict[str, dict[str, str]] = {}


def generated_for(sample: str, request: pytest.FixtureRequest) -> dict[str, str]:
    """The pages of ``sample``, generated once per test process."""
    if sample not in _generated:
        _generated[sample] = generated(request.getfixturevalue(SAMPLES[sample][1]))
    return _generated[sample]


@pytest.fixture(scope="module")
def pages(request: pytest.FixtureRequest) -> dict[str, str]:
    return generated_for("sample", request)


@pytest.fixture(scope="module")
def second_pages(request: pytest.FixtureRequest) -> dict[str, str]:
    return generated_for("second", request)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_goldens_cover_every_generated_page(
    sample: str, request: pytest.FixtureRequest
) -> None:
    pages = generated_for(sample, request)
    # tests/conftest.py registers --update-goldens; read it without depending on its fixtures.
    if request.config.getoption("--update-goldens", default=False):
        update(sample, pages)
    assert sorted(expected_files(sample)) == sorted(pages), (
        f"generated pages and tests/cases/{SAMPLES[sample][0].name}/expected/ differ; "
        "run `python -m pytest tests/site --update-goldens` and review the diff"
    )


def _page_ids() -> list[tuple[str, str]]:
    return [(sample, relative) for sample in sorted(SAMPLES)
            for relative in sorted(expected_files(sample)) or ["<no goldens yet>"]]


@pytest.mark.parametrize(("sample", "relative"), _page_ids(),
                         ids=[f"{s}:{r}" for s, r in _page_ids()])
def test_golden_page(sample: str, relative: str, request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--update-goldens", default=False):
        pytest.skip("goldens rewritten by test_goldens_cover_every_generated_page")
    pages = generated_for(sample, request)
    if relative not in pages:
        pytest.fail(f"{relative}: golden file for a page that is no longer generated")
    expected = (SAMPLES[sample][0] / "expected" / relative).read_bytes()
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


def test_second_sample_reads_in_its_own_words(second_pages: dict[str, str]) -> None:
    """The second sample's goldens pin its own vocabularies, order and scripts: what they show
    where the first sample's words would be."""
    overview = second_pages["index.md"]
    # plan: leads the overview, though neither first by id nor by title
    assert overview.index("## [Treaty on the Waters") < overview.index("## [Framework Draft")
    assert "- Status: **In force**" in overview
    treaty = second_pages["plans/sarvena-basin-treaty.md"]
    headings = [line for line in treaty.splitlines() if line.startswith("### ")]
    assert headings == ["### Water allocation", "### Dams &amp; works", "### Monitoring and data",
                        "### Financing", "### Dispute settlement"]  # the vocabulary's order
    assert "Points" not in second_pages["plans/sarvena-drought-protocol.md"]
    whos_who = [line for line in second_pages["actors/index.md"].splitlines()
                if line.startswith("## ")]
    assert whos_who == ["## Vârnesia", "## Veledia", "## Sahliya", "## Kalydria",
                        "## Basin bodies, lenders and mediators"]
    # a relation's fact, cited away from its sheet, in readers' words and the actor's script
    assert "(Negotiated with Добромир Ясенев): May have worked out" in second_pages[
        "open-questions.md"]
    timeline = second_pages["events/index.md"]
    assert ("## late 2021: First round under the mediator, in Deltopoli\n\n"
            "By the order of events: 20 November to December 2021, after [The four states "
            "appoint Ottilie Brænne as mediator](mediator-appointed.md).") in timeline
    assert timeline.index("## 20 November 2021") < timeline.index("## late 2021")
