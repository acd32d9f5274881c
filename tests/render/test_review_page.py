"""The editors' review page lists every warning of `briefing check` (file:line, rule, message),
links each file to its edit page when the settings have repo_url, and keeps itself out of
search; it follows the warnings from build to build."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build.workspace import Workspace, prepare
from generator.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
EPOCH = "1769817600"  # 2026-01-31 00:00 UTC
REPO = "repo_url: https://example.org/team/briefing\n"
EDIT = "https://example.org/team/briefing/edit/main/"

UNUSED = """\
# yaml-language-server: $schema=../../schemas/sources.schema.json
id: unused-report
title: TODO the title
kind: news
"""

#: The warnings of the project below, as `briefing check` prints them.
CHECK_LINES = [
    "content/places/grand-hotel.yml:4:1: warning: last reviewed 2025-10-01 (122 days ago); "
    "sheets are due for review after 90 days (review_after_days in briefing.yml) [stale-review]",
    "content/sources/unused-report.yml:2:5: warning: source 'unused-report' is not cited by any "
    "fact [unused-source]",
    "content/sources/unused-report.yml:3:1: warning: 'title' still holds a TODO placeholder; "
    "replace it before publishing [placeholder]",
]


@pytest.fixture
def warned(make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample project with three warnings: an overdue review, an unused source, a TODO."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = make_project({"content/sources/unused-report.yml": UNUSED})
    shutil.copytree(REPO_ROOT / "briefings", root / "briefings")
    path = root / "content/places/grand-hotel.yml"
    text = path.read_text(encoding="utf-8")
    reviewed = "name: Grand Hotel\nreviewed: 2025-10-01\n"
    path.write_text(text.replace("name: Grand Hotel\n", reviewed), encoding="utf-8")
    return root


def review_page(root: Path) -> str:
    return next(p.markdown for p in prepare(root).pages if p.path == "review.md")


def warning_rows(markdown: str) -> list[str]:
    """The rows of the warnings table as they read (Markdown's backslash escapes undone)."""
    section = markdown.split("\n## Warnings\n", 1)[1]
    return [re.sub(r"\\(.)", r"\1", line) for line in section.splitlines()
            if line.startswith("| ") and "---" not in line]


def test_review_page_lists_every_warning_check_prints(
    warned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(warned), "check"]) == 0
    assert capsys.readouterr().out.splitlines() == [*CHECK_LINES, "12 files checked: 3 warnings"]
    assert warning_rows(review_page(warned)) == [
        "| File | Rule | Warning |",
        "| content/places/grand-hotel.yml:4:1 | stale-review | last reviewed 2025-10-01 (122 "
        "days ago); sheets are due for review after 90 days (review_after_days in "
        "briefing.yml) |",
        "| content/sources/unused-report.yml:2:5 | unused-source | source 'unused-report' is not "
        "cited by any fact |",
        "| content/sources/unused-report.yml:3:1 | placeholder | 'title' still holds a TODO "
        "placeholder; replace it before publishing |",
    ]


def test_rows_link_to_the_edit_page_with_repo_url(warned: Path) -> None:
    settings = warned / "briefing.yml"
    settings.write_text(settings.read_text(encoding="utf-8") + REPO, encoding="utf-8")
    markdown = review_page(warned)
    assert warning_rows(markdown)[1].startswith(
        f"| [content/places/grand-hotel.yml:4:1]({EDIT}content/places/grand-hotel.yml) | "
    )
    queue = [line for line in markdown.split("\n## Warnings\n")[0].splitlines()
             if line.startswith("| [")]
    assert len(queue) == 12
    assert queue[-1].endswith(
        f"| [content/places/grand-hotel.yml]({EDIT}content/places/grand-hotel.yml) |"
    )
    assert all(f"]({EDIT}content/" in row for row in queue)


def test_without_repo_url_files_are_not_links(warned: Path) -> None:
    assert "](http" not in review_page(warned)


def test_review_page_is_kept_out_of_search(warned: Path) -> None:
    assert review_page(warned).startswith(
        '---\ntitle: "Needs review"\nsearch:\n  exclude: true\n---\n'
    )


def test_review_page_follows_the_warnings(warned: Path) -> None:
    """Under `mkdocs serve` the workspace redoes only the pages an edit affects: a warning
    that comes or goes changes the review page even when nothing the page shows of the
    sheets changed (here: the schema line, a comment)."""
    workspace = Workspace(warned)
    path = warned / "content/actors/bob-broker.yml"
    text = path.read_text(encoding="utf-8")
    first = next(p.markdown for p in workspace.build().pages if p.path == "review.md")
    assert "schema-line" not in first
    path.write_text(text.split("\n", 1)[1], encoding="utf-8")  # without its schema line
    second = next(p.markdown for p in workspace.build().pages if p.path == "review.md")
    assert "| content/actors/bob-broker.yml:1:1 | schema-line |" in second
    assert second == review_page(warned)  # as a full build makes it
    path.write_text(text, encoding="utf-8")
    third = next(p.markdown for p in workspace.build().pages if p.path == "review.md")
    assert third == first
