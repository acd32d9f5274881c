"""The `briefing` command: exit codes 0/1/2, output formats, help, schema freshness."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, build_parser, main
from generator.errors import Problem, Severity, summary

REPO_ROOT = Path(__file__).resolve().parent.parent

UNUSED_SOURCE = {
    "content/sources/unused-report.yml": """\
# yaml-language-server: $schema=../../schemas/sources.schema.json
id: unused-report
title: Nobody cites this
kind: news
"""
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run argv expecting argparse to stop with exit 2; returns stderr."""
    with pytest.raises(SystemExit) as excinfo:
        main(list(argv))
    assert excinfo.value.code == EXIT_USAGE
    return capsys.readouterr().err


# --- check: exit codes ---------------------------------------------------------------------------


def test_check_clean_project_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--root", str(project), "check")
    assert code == EXIT_OK, out
    assert out == "11 files checked: no problems\n"
    assert err == ""


def test_check_errors_exit_1(
    make_project: Callable[..., Path],
    bad_certainty: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_project(bad_certainty)
    code, out, err = run(capsys, "--root", str(root), "check")
    assert code == EXIT_PROBLEMS, out
    assert out.splitlines() == [
        "content/actors/bob-broker.yml:8:5: 'certainty' must be one of confirmed, reported, "
        "possible, disputed, denied; got 'likely' [vocabulary]",
        "11 files checked: 1 error",
    ]
    # For the person, not for what reads the listing: where each rule is explained.
    assert err == "Each [rule] is explained at generator/errors.md#<rule>\n"


def test_the_rules_are_explained_on_the_published_site_when_it_has_an_address(
    make_project: Callable[..., Path],
    bad_certainty: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With site_url in briefing.yml, the published errors page (errors.md is served at
    errors/); without it, the page's path in the generator's repository (above)."""
    root = make_project({**bad_certainty,
                         "briefing.yml": "title: T\nsite_url: https://example.org/briefing\n"})
    code, out, err = run(capsys, "--root", str(root), "check")
    assert code == EXIT_PROBLEMS, out
    assert out.splitlines()[-1] == "11 files checked: 1 error"
    assert err == "Each [rule] is explained at https://example.org/briefing/errors/#<rule>\n"


def test_check_warnings_exit_0_and_1_under_strict(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(UNUSED_SOURCE)
    code, out, _ = run(capsys, "--root", str(root), "check")
    assert code == EXIT_OK, out
    assert out.splitlines()[-1] == "12 files checked: 1 warning"
    code, out, _ = run(capsys, "--root", str(root), "check", "--strict")
    assert code == EXIT_PROBLEMS, out
    assert "warning: source 'unused-report' is not cited by any fact" in out


def test_check_strict_on_a_clean_project_exits_0(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--root", str(project), "check", "--strict")
    assert code == EXIT_OK, out


def test_check_defaults_to_the_current_folder(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    code, out, _ = run(capsys, "check")
    assert code == EXIT_OK, out


def test_missing_content_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--root", str(tmp_path), "check")
    assert code == EXIT_USAGE
    assert out == ""
    assert err == f"briefing: error: no content folder at {tmp_path.resolve() / 'content'}\n"


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    err = usage_error(capsys, "publish")
    assert "invalid choice: 'publish'" in err


def test_bad_option_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "unrecognized arguments: --fast" in usage_error(
        capsys, "--root", str(project), "check", "--fast"
    )
    assert "invalid choice: 'json'" in usage_error(
        capsys, "--root", str(project), "check", "--format", "json"
    )


def test_no_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert "required: COMMAND" in usage_error(capsys)


# --- check: GitHub annotations -------------------------------------------------------------------


def test_format_github(
    make_project: Callable[..., Path],
    bad_certainty: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = {**bad_certainty, **UNUSED_SOURCE, "content/actors/x.yaml": "id: x\n"}
    root = make_project(files)
    code, out, _ = run(capsys, "--root", str(root), "check", "--format", "github")
    assert code == EXIT_PROBLEMS
    assert out.splitlines() == [
        "::error file=content/actors/bob-broker.yml,line=8,col=5,title=vocabulary::'certainty' "
        "must be one of confirmed, reported, possible, disputed, denied; got 'likely'"
        "%0AExplained at generator/errors.md#vocabulary",
        "::error file=content/actors/x.yaml,title=file-name::fact sheets end in .yml; "
        "rename to x.yml%0AExplained at generator/errors.md#file-name",
        "::warning file=content/sources/unused-report.yml,line=2,col=5,title=unused-source::"
        "source 'unused-report' is not cited by any fact"
        "%0AExplained at generator/errors.md#unused-source",
        "12 files checked: 2 errors, 1 warning",  # x.yaml is not a sheet
    ]
    annotation = re.compile(
        r"^::(error|warning) file=[^,:]+(,line=\d+,col=\d+)?,title=[a-z-]+::.+$"
    )
    assert all(annotation.match(line) for line in out.splitlines()[:-1])


def test_github_annotations_escape_what_would_break_them() -> None:
    problem = Problem("content/a,b:c.yml", 3, 4, "100% sure\nreally", "type")
    assert problem.format_github() == (
        "::error file=content/a%2Cb%3Ac.yml,line=3,col=4,title=type::100%25 sure%0Areally"
        "%0AExplained at generator/errors.md#type"
    )
    warning = Problem("x.yml", 0, 0, "whole file", "schema-line", Severity.WARNING)
    assert warning.format_github() == (
        "::warning file=x.yml,title=schema-line::whole file"
        "%0AExplained at generator/errors.md#schema-line")
    assert warning.format() == "x.yml: warning: whole file [schema-line]"


@pytest.mark.parametrize(
    ("problems", "files", "expected"),
    [
        ([], 1, "1 file checked: no problems"),
        ([], 0, "0 files checked: no problems"),
        ([Problem("a", 1, 1, "m", "r")], 2, "2 files checked: 1 error"),
        (
            [Problem("a", 1, 1, "m", "r"), Problem("a", 2, 1, "m", "r")]
            + [Problem("a", 3, 1, "m", "r", Severity.WARNING)] * 2,
            1,
            "1 file checked: 2 errors, 2 warnings",
        ),
        # Problems found before any content file was read (briefing.yml): no count.
        ([Problem("briefing.yml", 0, 0, "m", "r")], None, "1 error"),
    ],
)
def test_summary_line(problems: list[Problem], files: int | None, expected: str) -> None:
    assert summary(problems, files) == expected


# --- help ----------------------------------------------------------------------------------------


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [
        max(action.option_strings, key=len)
        for action in parser._actions
        if action.option_strings and action.dest != "help"
    ]


def test_top_help_mentions_every_command_and_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["--help"])
    assert excinfo.value.code == 0
    out = capsys.readouterr().out
    parser = build_parser()
    commands = subcommands(parser)
    assert {"check", "schema"} <= set(commands)
    for name in commands:
        assert re.search(rf"^\s+{name}\s+\S", out, re.M), f"'{name}' missing or without help"
    for option in option_strings(parser):
        assert option in out
    assert {"--root", "--version"} <= set(option_strings(parser))


@pytest.mark.parametrize("command", sorted(subcommands(build_parser())))
def test_command_help_mentions_every_option(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main([command, "--help"])
    assert excinfo.value.code == 0
    out = capsys.readouterr().out
    sub = subcommands(build_parser())[command]
    assert sub.description, f"'{command}' has no description"
    for action in sub._actions:
        if action.option_strings and action.dest != "help":
            assert max(action.option_strings, key=len) in out
            assert action.help, f"'{command} {action.option_strings[0]}' has no help text"


def test_check_help_names_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    for word in ("--strict", "--format", "text", "github", "path:line:column"):
        assert word in out


# --- schema --------------------------------------------------------------------------------------


def test_schema_check_and_regenerate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(REPO_ROOT / "schemas", tmp_path / "schemas")
    (tmp_path / "docs").mkdir()
    shutil.copy(REPO_ROOT / "docs" / "reference.md", tmp_path / "docs" / "reference.md")
    code, out, _ = run(capsys, "--root", str(tmp_path), "schema", "--check")
    assert (code, out) == (EXIT_OK, "")

    altered = tmp_path / "schemas" / "actors.schema.json"
    altered.write_text(altered.read_text(encoding="utf-8").replace("person", "persona"))
    (tmp_path / "schemas" / "places.schema.json").unlink()
    reference = tmp_path / "docs" / "reference.md"
    reference.write_text(reference.read_text(encoding="utf-8").replace("`id`", "`ids`"))
    code, out, _ = run(capsys, "--root", str(tmp_path), "schema", "--check")
    assert code == EXIT_PROBLEMS
    assert out.splitlines() == [
        "docs/reference.md: out of date; run 'briefing schema' to regenerate",
        "schemas/actors.schema.json: out of date; run 'briefing schema' to regenerate",
        "schemas/places.schema.json: out of date; run 'briefing schema' to regenerate",
    ]

    code, out, _ = run(capsys, "--root", str(tmp_path), "schema")
    assert code == EXIT_OK
    assert out.splitlines() == [
        "wrote docs/reference.md",
        "wrote schemas/actors.schema.json",
        "wrote schemas/places.schema.json",
    ]
    assert altered.read_bytes() == (REPO_ROOT / "schemas" / "actors.schema.json").read_bytes()

    code, out, _ = run(capsys, "--root", str(tmp_path), "schema")
    assert (code, out) == (EXIT_OK, "schemas and field reference are up to date\n")


# --- as a program --------------------------------------------------------------------------------


def test_python_m_generator(
    make_project: Callable[..., Path], bad_certainty: dict[str, str]
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: briefing" in result.stdout
    assert "check" in result.stdout

    root = make_project(bad_certainty)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == EXIT_PROBLEMS, result.stdout + result.stderr
    assert result.stdout.endswith("11 files checked: 1 error\n")


def test_a_build_without_briefing_yml_says_so_without_a_file_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(tmp_path), "build", "--no-pdf"]) == EXIT_PROBLEMS
    said = capsys.readouterr()
    assert said.out.splitlines() == [
        f"briefing.yml: briefing.yml not found in {tmp_path} [io]",
        "1 error",
    ]
    assert said.err == "Each [rule] is explained at generator/errors.md#<rule>\n"


@pytest.mark.pdf  # the layout process is started before the site folder is made
def test_a_site_folder_that_cannot_be_made_is_one_line(
    file_in_the_way: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = file_in_the_way / "site"
    assert main(["--root", str(REPO_ROOT), "build", "--site-dir", str(site)]) == EXIT_PROBLEMS
    assert capsys.readouterr().err == (
        f"briefing: build failed; cannot write {site}: {file_in_the_way} is not a folder\n"
    )
