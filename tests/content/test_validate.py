"""What the golden corpus cannot show: discovery of files, links, and the result object."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.cli import main
from generator.content.check import check
from generator.errors import ContentError, Problem, Severity, did_you_mean
from generator.reference.jsonschema import schema_line


def test_check_result_of_the_sample(project: Path) -> None:
    result = check(project / "content", project)
    assert result.ok
    assert result.problems == []
    assert result.files == 11
    assert sorted(result.sheets) == [
        "alice-envoy",
        "bob-broker",
        "ceasefire",
        "drafting-meeting",
        "grand-hotel",
        "northland",
        "northland-on-ceasefire",
        "northland-on-peace-plan",
        "peace-plan",
        "second-report",
        "test-report",
    ]
    assert result.sheets["grand-hotel"].raw.path == "content/places/grand-hotel.yml"


def test_hidden_files_and_other_suffixes_are_ignored(make_project: Callable[..., Path]) -> None:
    root = make_project(
        {
            "content/actors/.draft.yml": "not: [valid",
            "content/actors/notes.txt": "anything",
            "content/README.md": "# notes",
        }
    )
    result = check(root / "content", root)
    assert (result.problems, result.files) == ([], 11)


def test_missing_content_folder_is_a_problem(tmp_path: Path) -> None:
    result = check(tmp_path / "content", tmp_path)
    assert [p.format() for p in result.problems] == ["content: content folder not found [io]"]
    assert not result.ok


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_links_out_of_the_content_folder_are_refused(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_project()
    outside = tmp_path / "secret.yml"
    outside.write_text("id: secret\n", encoding="utf-8")
    (root / "content" / "places" / "secret.yml").symlink_to(outside)
    # A link inside the content folder is an ordinary sheet.
    (root / "content" / "places" / "hotel.yml").symlink_to(root / "content/places/grand-hotel.yml")
    result = check(root / "content", root)
    assert [p.format() for p in result.problems] == [
        "content/places/hotel.yml:2:5: 'id' must equal the file name 'hotel'; got 'grand-hotel' "
        "[id-mismatch]",
        "content/places/secret.yml: is a link to a file outside the content folder; "
        "fact sheets must live inside it [symlink]",
    ]


def test_content_error_sorts_and_lists_errors_only() -> None:
    problems = [
        Problem("b.yml", 1, 1, "second", "type"),
        Problem("a.yml", 2, 1, "first", "type"),
        Problem("a.yml", 1, 1, "just a warning", "schema-line", Severity.WARNING),
    ]
    error = ContentError(problems)
    assert [p.message for p in error.problems] == ["just a warning", "first", "second"]
    assert str(error) == "a.yml:2:1: first [type]\nb.yml:1:1: second [type]"


@pytest.mark.parametrize(
    ("word", "choices", "hint"),
    [
        ("summery", ["summary", "side"], "; did you mean 'summary'?"),
        ("zzz", ["summary", "side"], ""),
        ("x", [], ""),
    ],
)
def test_did_you_mean(word: str, choices: list[str], hint: str) -> None:
    assert did_you_mean(word, choices) == hint


def test_a_field_error_does_not_hide_a_bad_reference(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """One run, both lines: before, the bad certainty kept the sheet from being linked, so the
    missing source showed only once the certainty was fixed."""
    root = make_project({"content/actors/bob-broker.yml": schema_line("actors") + """
id: bob-broker
name: Bob Broker
kind: person
facts:
  - text: Passed the draft to Southland.
    sources: [second-reprot]
    certainty: likely
"""})
    assert main(["--root", str(root), "check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "content/actors/bob-broker.yml:7:15: 'sources' refers to source 'second-reprot', which "
        "does not exist; did you mean 'second-report'? [reference]",
        "content/actors/bob-broker.yml:8:5: 'certainty' must be one of confirmed, reported, "
        "possible, disputed, denied; got 'likely' [vocabulary]",
        "11 files checked: 2 errors",
    ]
