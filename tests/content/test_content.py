"""The shipped briefing: it validates cleanly, and breaking it is reported precisely."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.content.check import check
from generator.content.checked import CheckResult
from generator.content.schema import KINDS, Fact, Node
from generator.reference.jsonschema import schema_line, stale

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
CONTENT = REPO_ROOT / "content"


@pytest.fixture(scope="module")
def shipped() -> CheckResult:
    return check(CONTENT, REPO_ROOT)


def test_shipped_content_has_no_problems(shipped: CheckResult) -> None:
    assert [p.format() for p in shipped.problems] == []
    assert shipped.files == len(list(CONTENT.rglob("*.yml")))
    assert len(shipped.sheets) == shipped.files


def test_every_content_file_starts_with_its_schema_line() -> None:
    files = sorted(CONTENT.glob("*/*.yml"))
    assert files
    for path in files:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first == schema_line(path.parent.name), path.relative_to(REPO_ROOT)


def test_committed_schemas_are_up_to_date() -> None:
    assert stale(REPO_ROOT) == []


def facts_in(node: Node) -> Iterator[Fact]:
    for name in type(node).model_fields:
        value = getattr(node, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Fact):
                yield item
            elif isinstance(item, Node):
                yield from facts_in(item)


def test_the_briefing_lists_every_kind_by_its_folder(shipped: CheckResult) -> None:
    """The kinds are declared once (``schema.SHEET_TYPES``, from each sheet class's folder):
    a page reads ``briefing.<folder>`` for every kind, each sheet of it and no other."""
    briefing = shipped.briefing()
    assert set(KINDS) == {"sources", "actors", "plans", "terms", "positions", "events", "places"}
    for kind in KINDS:
        listed = getattr(briefing, kind)
        assert listed, kind
        assert sorted(s.id for s in listed) == sorted(
            i for i, s in briefing.sheets.items() if s.folder == kind), kind


def test_every_fact_cites_a_source(shipped: CheckResult) -> None:
    count = 0
    for located in shipped.sheets.values():
        for fact in facts_in(located.sheet):
            count += 1
            assert fact.sources, f"{located.raw.path}: '{fact.text}' cites no source"
            for source in fact.sources:
                assert shipped.sheets[source].sheet.folder == "sources"
    assert count > 0


# --- five broken at once -------------------------------------------------------------------------


def first_file(content: Path, kind: str, containing: str = "") -> Path:
    for path in sorted((content / kind).glob("*.yml")):
        if containing in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError(f"no {kind} sheet contains {containing!r}")


def line_of(lines: list[str], start: str) -> int:
    """1-based number of the first line that starts with ``start`` after its indentation."""
    return next(i for i, line in enumerate(lines, 1) if line.lstrip().startswith(start))


def test_five_broken_files_give_exactly_five_located_problems(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    expected: list[str] = []

    def edit(path: Path, lines: list[str], line: str) -> str:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return f"content/{path.parent.name}/{path.name}:{line}"

    # 1. An unknown key, appended at the end of an actor.
    actor = first_file(content, "actors")
    lines = actor.read_text(encoding="utf-8").splitlines() + ["summery: Misspelt."]
    where = edit(actor, lines, f"{len(lines)}:1")
    expected.append(
        f"{where}: unknown key 'summery'; expected one of id, reviewed, name, kind, aliases, "
        "side, summary, roles, relations, facts; did you mean 'summary'? [unknown-key]"
    )

    # 2. A certainty outside the vocabulary, in a term.
    term = first_file(content, "terms", "certainty: ")
    lines = term.read_text(encoding="utf-8").splitlines()
    n = line_of(lines, "certainty: ")
    column = lines[n - 1].index("certainty") + 1
    lines[n - 1] = lines[n - 1][: column - 1] + "certainty: likely"
    where = edit(term, lines, f"{n}:{column}")
    expected.append(
        f"{where}: 'certainty' must be one of confirmed, reported, possible, disputed, denied; "
        "got 'likely' [vocabulary]"
    )

    # 3. A source that does not exist, put first in a plan's fact.
    plan = first_file(content, "plans", "sources: [")
    lines = plan.read_text(encoding="utf-8").splitlines()
    n = line_of(lines, "sources: [")
    lines[n - 1] = lines[n - 1].replace("sources: [", "sources: [no-such-report, ", 1)
    where = edit(plan, lines, f"{n}:{lines[n - 1].index('no-such-report') + 1}")
    expected.append(
        f"{where}: 'sources' refers to source 'no-such-report', which does not exist [reference]"
    )

    # 4. A duplicate key, appended at the end of a place.
    place = first_file(content, "places")
    lines = place.read_text(encoding="utf-8").splitlines()
    first_name = line_of(lines, "name: ")
    lines.append("name: Twice")
    where = edit(place, lines, f"{len(lines)}:1")
    expected.append(
        f"{where}: duplicate key 'name' (first given on line {first_name}) [duplicate-key]"
    )

    # 5. A day that does not exist, as an event's date.
    event = first_file(content, "events")
    lines = event.read_text(encoding="utf-8").splitlines()
    n = line_of(lines, "date: ")
    lines[n - 1] = "date: 2025-11-31"
    where = edit(event, lines, f"{n}:1")
    expected.append(f"{where}: 'date' has no day 31 in November 2025; got '2025-11-31' [date]")

    result = check(content, tmp_path)
    assert [p.format() for p in result.problems] == sorted(expected)
