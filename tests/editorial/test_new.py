"""`briefing new <kind> <id>`: a commented sheet that validates, written only where nothing is."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from generator.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from generator.content.check import check
from generator.content.schema import KINDS, SHEET_TYPES
from generator.editorial.scaffold import template
from generator.reference.jsonschema import schema_line


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--root", str(root), "new", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def problems_of(root: Path) -> list[str]:
    """Problems besides the TODO placeholders a new sheet is meant to have."""
    return [f"{p.rule}: {p.message}" for p in check(root / "content", root).problems
            if p.rule != "placeholder"]


def test_new_sheet_placeholders_are_warned_about(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(project, capsys, "actor", "new-actor")[0] == EXIT_OK
    found = [p for p in check(project / "content", project).problems if p.rule == "placeholder"]
    assert [(p.path, p.message) for p in found] == [
        ("content/actors/new-actor.yml",
         "'name' still holds a TODO placeholder; replace it before publishing"),
        ("content/actors/new-actor.yml",
         "'text' still holds a TODO placeholder; replace it before publishing"),
    ]
    assert all(not p.is_error for p in found)


TODO_WORD = re.compile(r"\bTODO\b")


@pytest.mark.parametrize("kind", KINDS)
def test_every_todo_written_is_a_warning_until_replaced(
    kind: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each line of a new sheet that holds a TODO (in its value, or in the comment after it,
    as on placeholder ids) is reported; comments on lines of their own (the description of a
    field, commented-out optional fields) are not. Replaced, the sheet is clean."""
    assert run(project, capsys, kind, "new-sheet")[0] == EXIT_OK
    path = project / "content" / kind / "new-sheet.yml"
    display = f"content/{kind}/new-sheet.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    todo = {number for number, line in enumerate(lines, 1)
            if TODO_WORD.search(line) and not line.lstrip().startswith("#")}
    assert todo, "every kind has a placeholder to replace"
    warned = [p for p in check(project / "content", project).problems if p.path == display]
    assert {p.line for p in warned if p.rule == "placeholder"} == todo
    assert all(not p.is_error for p in warned)
    if kind == "positions":  # several actors and plans to choose from: the ids are guesses
        assert "actor: alice-envoy  # TODO the right actor id" in lines
        assert any(p.message == "'actor' is marked TODO in a comment; set the right value and "
                   "delete the comment before publishing" for p in warned)
    for number in todo:
        line = lines[number - 1]
        value, _, comment = line.partition("  # ")
        lines[number - 1] = value if TODO_WORD.search(comment) else line.replace("TODO ", "Real ")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    left = [p.format() for p in check(project / "content", project).problems
            if p.path == display and p.rule != "unused-source"]
    assert left == []


@pytest.mark.parametrize("kind", KINDS)
def test_new_sheet_validates(kind: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    label = SHEET_TYPES[kind].label
    code, out, err = run(project, capsys, kind, f"new-{label}")
    assert code == EXIT_OK, out + err
    path = project / "content" / kind / f"new-{label}.yml"
    assert out.splitlines()[0] == f"wrote content/{kind}/new-{label}.yml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == schema_line(kind)
    assert f"\nid: new-{label}\n" in text
    expected = [f"unused-source: source 'new-{label}' is not cited by any fact"] \
        if kind == "sources" else []
    assert problems_of(project) == expected
    if kind == "sources":
        assert "warns that the source is unused" in out  # the note says why check will warn
    for name, info in SHEET_TYPES[kind].model_fields.items():
        # Every field is there, with its description as a comment just above it.
        match = re.search(rf"^# (.*)\n(# )?{name}:", text, flags=re.MULTILINE)
        assert match, f"{kind}: field '{name}' is missing from the template"
        assert info.description and match.group(1).startswith(info.description)
        assert (match.group(2) is None) == (info.is_required() or name == "facts" and
                                            kind != "sources"), name


@pytest.mark.parametrize("kind", KINDS)
def test_every_optional_field_validates_when_filled(kind: str, project: Path) -> None:
    """The commented-out examples are valid too: the template with every field filled in."""
    text = template(project / "content", kind, "filled-in", full=True, today=dt.date(2025, 11, 28))
    for name in SHEET_TYPES[kind].model_fields:
        assert re.search(rf"^{name}:", text, flags=re.MULTILINE), f"{name} is not filled in"
    (project / "content" / kind / "filled-in.yml").write_text(text, encoding="utf-8")
    errors = [p for p in problems_of(project) if not p.startswith("unused-source")]
    assert errors == []


def test_singular_kind_is_accepted(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(project, capsys, "actor", "carol-clerk")
    assert code == EXIT_OK, out
    assert (project / "content/actors/carol-clerk.yml").is_file()


def test_position_id_names_actor_and_target(project: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(project, capsys, "position", "alice-envoy-on-ceasefire")
    assert code == EXIT_OK
    text = (project / "content/positions/alice-envoy-on-ceasefire.yml").read_text(encoding="utf-8")
    assert "\nactor: alice-envoy\n" in text and "\non: ceasefire\n" in text
    assert "\nstance: unknown\n" in text  # the placeholder claims nothing


def test_facts_cite_the_source_saved_last(project: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, capsys, "source", "fresh-report")[0] == EXIT_OK
    later = (project / "content/sources/test-report.yml").stat().st_mtime + 60
    os.utime(project / "content/sources/fresh-report.yml", (later, later))
    assert run(project, capsys, "position", "alice-envoy-on-peace-plan-2")[0] == EXIT_OK
    text = (project / "content/positions/alice-envoy-on-peace-plan-2.yml").read_text("utf-8")
    assert "\n    sources: [fresh-report]  # the source(s) that say so\n" in text
    assert problems_of(project) == []  # cited now, so not unused


def test_refuses_to_overwrite(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "content/actors/bob-broker.yml"
    before = path.read_bytes()
    code, out, err = run(project, capsys, "actors", "bob-broker")
    assert code == EXIT_PROBLEMS
    assert "content/actors/bob-broker.yml already exists" in err and out == ""
    assert path.read_bytes() == before


def test_refuses_an_id_used_by_another_kind(project: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(project, capsys, "places", "northland")
    assert code == EXIT_PROBLEMS
    assert "id 'northland' is already used by content/actors/northland.yml" in err
    assert not (project / "content/places/northland.yml").exists()


@pytest.mark.parametrize("bad", ["Bad Id", "bad_id", "bad--id", "über", "-x", "x.yml", ""])
def test_refuses_ids_that_are_not_slugs(bad: str, project: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.name for p in (project / "content/actors").iterdir())
    code, out, err = run(project, capsys, "actors", "--", bad)
    assert code == EXIT_USAGE, out + err
    assert f"'{bad}' is not a valid id" in err
    assert sorted(p.name for p in (project / "content/actors").iterdir()) == before


def test_suggests_a_slug(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(project, capsys, "actors", "Andriy Yermak")
    assert "for example 'andriy-yermak'" in err


def test_refuses_unknown_kinds(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(project, capsys, "actres", "x")
    assert code == EXIT_USAGE
    assert "unknown kind 'actres'; expected one of " + ", ".join(KINDS) in err
    assert "did you mean 'actors'?" in err


def test_facts_need_a_source_first(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tmp_path / "empty"
    (root / "content").mkdir(parents=True)
    code, _, err = run(root, capsys, "actor", "first-actor")
    assert code == EXIT_PROBLEMS
    assert "run 'briefing new source <id>' first" in err
    assert not (root / "content/actors").exists() or not any((root / "content/actors").iterdir())
    assert run(root, capsys, "source", "first-report")[0] == EXIT_OK
    assert run(root, capsys, "actor", "first-actor")[0] == EXIT_OK
    assert problems_of(root) == []  # the actor's placeholder fact cites the new source
    code, _, err = run(root, capsys, "term", "first-term")
    assert code == EXIT_PROBLEMS and "run 'briefing new plan <id>' first" in err


def test_no_content_folder_is_a_usage_error(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(tmp_path, capsys, "actor", "x")
    assert code == EXIT_USAGE and "no content folder" in err
