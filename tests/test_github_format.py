"""`briefing check --format github`: one GitHub Actions workflow command per problem,
``::error file=<path>,line=<n>,col=<n>,title=<rule>::<message>`` and, on a second line of the
message, the address of the rule's entry on the errors page; escaped as the Actions toolkit
escapes them, so the annotation lands on the line the editor has to change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.cli import EXIT_OK, EXIT_PROBLEMS, main
from generator.errors import Problem, Severity


def test_error_with_a_location() -> None:
    problem = Problem("content/actors/x.yml", 14, 5, "'certainty' must be one of a, b",
                      "vocabulary")
    assert problem.format_github() == (
        "::error file=content/actors/x.yml,line=14,col=5,title=vocabulary::"
        "'certainty' must be one of a, b%0AExplained at generator/errors.md#vocabulary"
    )
    # With the site's address (briefing.yml's site_url), the published errors page.
    assert problem.format_github("https://example.org/briefing/").endswith(
        "%0AExplained at https://example.org/briefing/errors/#vocabulary")


def test_warning_and_whole_file_problems() -> None:
    warning = Problem("content/sources/s.yml", 2, 5, "source 's' is not cited by any fact",
                      "unused-source", Severity.WARNING)
    assert warning.format_github().startswith("::warning file=content/sources/s.yml,line=2,col=5,")
    whole = Problem("content/places/x.yaml", 0, 0, "fact sheets end in .yml", "file-name")
    assert whole.format_github() == (
        "::error file=content/places/x.yaml,title=file-name::fact sheets end in .yml"
        "%0AExplained at generator/errors.md#file-name"
    )


def test_escaping() -> None:
    """Data escapes %, CR and LF; properties also ':' and ','. A message cannot end the
    command early or start a second one."""
    problem = Problem("content/a,b:c.yml", 1, 1, "100% sure\n::error::forged\r", "type")
    line = problem.format_github()
    assert line == ("::error file=content/a%2Cb%3Ac.yml,line=1,col=1,title=type::"
                    "100%25 sure%0A::error::forged%0D%0AExplained at generator/errors.md#type")
    assert "\n" not in line and "\r" not in line


def test_check_prints_annotations(make_project: Callable[..., Path],
                                  bad_certainty: dict[str, str],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({**bad_certainty, "content/places/x.yaml": "id: x\n"})
    code = main(["--root", str(root), "check", "--format", "github"])
    lines = capsys.readouterr().out.splitlines()
    assert code == EXIT_PROBLEMS
    assert lines[:-1] == [
        "::error file=content/actors/bob-broker.yml,line=8,col=5,title=vocabulary::'certainty' "
        "must be one of confirmed, reported, possible, disputed, denied; got 'likely'"
        "%0AExplained at generator/errors.md#vocabulary",
        "::error file=content/places/x.yaml,title=file-name::fact sheets end in .yml; "
        "rename to x.yml%0AExplained at generator/errors.md#file-name",
    ]
    assert lines[-1].endswith(" files checked: 2 errors")


def test_clean_content_prints_no_annotations(project: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--root", str(project), "check", "--format", "github"])
    assert code == EXIT_OK
    (line,) = capsys.readouterr().out.splitlines()
    assert line.endswith(" files checked: no problems")


def test_annotations_name_the_published_errors_page(
        make_project: Callable[..., Path], bad_certainty: dict[str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({**bad_certainty,
                         "briefing.yml": "title: T\nsite_url: https://example.org/b\n"})
    main(["--root", str(root), "check", "--format", "github"])
    (annotation, _count) = capsys.readouterr().out.splitlines()
    assert annotation.endswith("%0AExplained at https://example.org/b/errors/#vocabulary")
