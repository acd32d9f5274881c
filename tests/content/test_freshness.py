"""Sheets carry the day they were last reviewed; overdue ones are warned about and listed."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build.workspace import prepare
from generator.cli import main

# 2026-01-31 00:00 UTC
EPOCH = "1769817600"

REVIEWED = "reviewed: 2025-10-01\n"


@pytest.fixture
def stale_project(make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = make_project()
    shutil.copytree(Path(__file__).resolve().parent.parent.parent / "briefings", root / "briefings")
    path = root / "content/places/grand-hotel.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: Grand Hotel\n", "name: Grand Hotel\n" + REVIEWED),
                    encoding="utf-8")
    return root


def test_check_warns_about_an_overdue_review(
    stale_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(stale_project), "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "content/places/grand-hotel.yml:4:1: warning: last reviewed 2025-10-01 (122 days ago); "
        "sheets are due for review after 90 days (review_after_days in briefing.yml) "
        "[stale-review]",
        "11 files checked: 1 warning",
    ]
    assert main(["--root", str(stale_project), "check", "--strict"]) == 1


def test_review_period_is_a_setting(
    stale_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = stale_project / "briefing.yml"
    settings.write_text(settings.read_text() + "review_after_days: 200\n", encoding="utf-8")
    assert main(["--root", str(stale_project), "check", "--strict"]) == 0
    assert capsys.readouterr().out.splitlines() == ["11 files checked: no problems"]


def test_reviewed_must_be_a_day(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    path = root / "content/places/grand-hotel.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: Grand Hotel\n", "name: Grand Hotel\nreviewed: 2025-10\n"),
                    encoding="utf-8")
    assert main(["--root", str(root), "check"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "content/places/grand-hotel.yml:4:1: 'reviewed' must be a day, like 2024-03-15; "
        "got '2025-10' [date]"
    )


def test_needs_review_page_lists_never_and_overdue_sheets(stale_project: Path) -> None:
    page = next(p for p in prepare(stale_project).pages if p.path == "review.md")
    rows = [line for line in page.markdown.splitlines() if line.startswith("| [")]
    # Never-reviewed sheets first (by id), then overdue ones, longest overdue first.
    assert rows[-1].startswith(
        "| [Grand Hotel](places/grand-hotel.md) | place | 1 October 2025 (122 days "
    )
    assert len(rows) == 11
    assert all("| never |" in row for row in rows[:-1])


def test_needs_review_page_is_not_in_the_nav() -> None:
    mkdocs = (Path(__file__).resolve().parent.parent.parent / "mkdocs.yml").read_text()
    nav = mkdocs.split("\nnav:\n", 1)[1].split("\n\n", 1)[0]
    assert "review" not in nav
    assert "/review.md" in mkdocs.split("not_in_nav:", 1)[1]
