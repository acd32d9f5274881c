"""Shared fixtures: a minimal valid project to lay broken files over, and the golden switch."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from generator.reference.jsonschema import schema_line


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the expected output of golden cases instead of comparing with it",
    )


@pytest.fixture(scope="session", autouse=True)
def _session_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled templates are kept in a cache folder of the test session's own (builds in
    subprocesses inherit it), not the user's: the tests' projects live in new temporary folders
    on every run, and each would leave its entries there for good."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(autouse=True)
def _source_date_epoch_as_it_was() -> Iterator[None]:
    """`briefing build` and `briefing pdf` set SOURCE_DATE_EPOCH in the process's environment
    (from git or file times) for MkDocs and the PDF. Run in this process by a test, they must
    not hand that day to the tests after it: each test fixes the day it needs."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    yield
    if saved is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = saved


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when the run was started with --update-goldens."""
    return bool(request.config.getoption("--update-goldens"))


def sheet(kind: str, body: str) -> str:
    """A fact sheet's text: the schema line for ``kind``, then ``body``."""
    return f"{schema_line(kind)}\n{body.lstrip(chr(10))}"


# The smallest project that exercises every kind and every reference, with nothing unused,
# so that `briefing check` reports no problems at all. Cases in tests/cases/ are laid over it.
SAMPLE_FILES: dict[str, str] = {
    "briefing.yml": "title: Test briefing\n",
    "content/sources/test-report.yml": sheet(
        "sources",
        """
id: test-report
title: A test report on the peace plan
kind: news
publisher: Test Wire
published: 2025-11
url: https://example.org/report
facts:
  - text: The report is a test fixture.
    sources: [test-report]
    certainty: confirmed
""",
    ),
    "content/sources/second-report.yml": sheet(
        "sources",
        """
id: second-report
title: A second report
kind: analysis
published: 2025-11-20
""",
    ),
    "content/actors/alice-envoy.yml": sheet(
        "actors",
        """
id: alice-envoy
name: Alice Envoy
kind: person
aliases: [AE]
side: Northland
summary: Envoy of Northland.
roles:
  - title: Special envoy
    of: northland
    since: 2025
    facts:
      - text: Serves as Northland's special envoy.
        sources: [test-report]
        certainty: reported
relations:
  - to: bob-broker
    kind: met
    facts:
      - text: Met Bob Broker in Capital City.
        sources: [test-report, second-report]
        certainty: possible
        as_of: late 2025-10
facts:
  - text: Took part in drafting the plan.
    sources: [test-report]
    certainty: reported
    as_of: 2025-11
""",
    ),
    "content/actors/bob-broker.yml": sheet(
        "actors",
        """
id: bob-broker
name: Bob Broker
kind: person
side: Intermediaries
facts:
  - text: Passed the draft to Southland.
    sources: [second-report]
    certainty: disputed
""",
    ),
    "content/actors/northland.yml": sheet(
        "actors",
        """
id: northland
name: Northland
kind: state
side: Northland
""",
    ),
    "content/plans/peace-plan.yml": sheet(
        "plans",
        """
id: peace-plan
title: Test peace plan
status: leaked
points: 12
drafted_by: [alice-envoy]
drafted_at: drafting-meeting
deadline:
  date: 2025-11-27
  label: Thanksgiving (US)
summary: A twelve-point plan.
facts:
  - text: Has twelve points.
    sources: [test-report]
    certainty: confirmed
""",
    ),
    "content/terms/ceasefire.yml": sheet(
        "terms",
        """
id: ceasefire
plan: peace-plan
number: 1
title: Ceasefire along the line of contact
category: territory
facts:
  - text: Freezes the line of contact.
    sources: [test-report]
    certainty: reported
""",
    ),
    "content/positions/northland-on-peace-plan.yml": sheet(
        "positions",
        """
id: northland-on-peace-plan
actor: northland
on: peace-plan
stance: supports
as_of: 2025-11
facts:
  - text: Northland backs the plan.
    sources: [test-report]
    certainty: reported
""",
    ),
    "content/positions/northland-on-ceasefire.yml": sheet(
        "positions",
        """
id: northland-on-ceasefire
actor: northland
on: ceasefire
stance: seeks-changes
facts:
  - text: Northland wants the line moved.
    sources: [test-report]
    certainty: possible
""",
    ),
    "content/events/drafting-meeting.yml": sheet(
        "events",
        """
id: drafting-meeting
date: late 2025-10
title: Drafting meeting
place: grand-hotel
participants: [alice-envoy, bob-broker]
plans: [peace-plan]
facts:
  - text: The plan was drafted here.
    sources: [test-report]
    certainty: reported
""",
    ),
    "content/places/grand-hotel.yml": sheet(
        "places",
        """
id: grand-hotel
name: Grand Hotel
kind: venue
city: Capital City
country: Northland
linked_to: [bob-broker]
facts:
  - text: Hosted the drafting meeting.
    sources: [test-report]
    certainty: reported
""",
    ),
}


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write ``{relative path: text or bytes}`` under ``root``, making folders as needed."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="\n")


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Returns a function that writes the sample project (plus ``files`` over it) and its root."""

    def make(files: Mapping[str, str | bytes] | None = None, name: str = "project") -> Path:
        root = tmp_path / name
        write_files(root, SAMPLE_FILES)
        write_files(root, files or {})
        return root

    return make


@pytest.fixture
def project(make_project: Callable[..., Path]) -> Path:
    """The sample project, untouched."""
    return make_project()


#: The sample project's Bob Broker with a certainty not in the vocabulary (line 8, column 5).
BAD_CERTAINTY_FILES: dict[str, str] = {
    "content/actors/bob-broker.yml": """\
# yaml-language-server: $schema=../../schemas/actors.schema.json
id: bob-broker
name: Bob Broker
kind: person
facts:
  - text: Passed the draft to Southland.
    sources: [second-report]
    certainty: likely
"""
}


@pytest.fixture
def bad_certainty() -> dict[str, str]:
    """Files that, over the sample project, give one vocabulary error (see above)."""
    return dict(BAD_CERTAINTY_FILES)


@pytest.fixture
def file_in_the_way(tmp_path: Path) -> Path:
    """A file where a command would need a folder (to write its output into)."""
    path = tmp_path / "not-a-folder"
    path.write_text("a file where a folder should be", encoding="utf-8")
    return path
