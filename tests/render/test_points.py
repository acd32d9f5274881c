""""Points" is the first briefing's word for a plan's parts: printed only where a plan counts
its points, never "Points: not stated" on a plan (a treaty, a protocol) that has none."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

from generator.build.workspace import prepare

REPO = Path(__file__).resolve().parents[2]
DAY = dt.date(2025, 12, 1)


def pages(root: Path) -> dict[str, str]:
    shutil.copytree(REPO / "briefings", root / "briefings")
    return {p.path: p.markdown for p in prepare(root, DAY).pages}


def without_points(make_project: Callable[..., Path]) -> Path:
    root = make_project()
    plan = root / "content/plans/peace-plan.yml"
    text = plan.read_text(encoding="utf-8")
    assert "points: 12\n" in text
    plan.write_text(text.replace("points: 12\n", ""), encoding="utf-8")
    return root


def test_a_plan_with_points_shows_them(make_project: Callable[..., Path]) -> None:
    shown = pages(make_project())
    assert "| Points | 12 |" in shown["plans/peace-plan.md"]
    assert "| Plan | Status | Points | Deadline |" in shown["plans/index.md"]
    assert "- Points: 12" in shown["index.md"]
    assert "), point 1. Category:" in shown["terms/ceasefire.md"]


def test_a_plan_without_points_never_says_points(make_project: Callable[..., Path]) -> None:
    shown = pages(without_points(make_project))
    for path in ("plans/peace-plan.md", "plans/index.md", "index.md", "terms/ceasefire.md"):
        assert "Points" not in shown[path] and "point 1" not in shown[path], path
    assert "| Plan | Status | Deadline |" in shown["plans/index.md"]
    assert "), number 1. Category:" in shown["terms/ceasefire.md"]
