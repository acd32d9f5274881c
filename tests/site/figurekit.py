"""Synthetic briefings for the pictures' tests (unit and browser): event sets over spans from a
week to twenty years, and a way to check any set of sheets as content is checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.content.briefing import Briefing
from generator.content.check import check

FACTS = [{"text": "It is so.", "sources": ["wire"], "certainty": "reported"}]

#: Synthetic event sets: (first day, last day, events' dates, the step's unit and counts).
SPANS: dict[str, tuple[str, str, list[str], str, tuple[int, ...]]] = {
    "1 week": ("2031-03-03", "2031-03-09",
               ["2031-03-03", "2031-03-05", "2031-03-06", "2031-03-09"], "day", (1, 2)),
    "1 month": ("2031-03-01", "2031-03-31",
                ["2031-03-01", "early 2031-03", "2031-03-18", "2031-03-31"], "week", (1, 2)),
    "6 months": ("2031-01-01", "2031-06-30",
                 ["2031-01", "2031-02-14", "mid 2031-04", "2031-06-30"], "month", (1,)),
    "27 months": ("2029-08-01", "2031-10-31",
                  ["2029-08", "late 2029", "2030-05-02", "2031", "late 2031-10"], "month", (3, 6)),
    "6 years": ("2026-01-01", "2031-12-31",
                ["early 2026", "2027-06", "2029", "2030-11-20", "late 2031"], "year", (1,)),
    "20 years": ("2012-01-01", "2031-12-31",
                 ["2012", "2015-03", "2020-07-04", "mid 2026", "late 2031"], "year", (2, 5)),
}


class _Plain(yaml.SafeDumper):
    """Writes a list shared by several sheets in full each time: content has no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def briefing_of(root: Path, *sheets: dict[str, Any]) -> Briefing:
    """A briefing of ``sheets`` (each with its ``folder``), checked as any content is."""
    source = {"folder": "sources", "id": "wire", "title": "A wire report", "kind": "news"}
    for sheet in (source, *sheets):
        fields = {k: v for k, v in sheet.items() if k != "folder"}
        path = root / "content" / sheet["folder"] / f"{sheet['id']}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.dump(fields, Dumper=_Plain, allow_unicode=True), encoding="utf-8")
    result = check(root / "content", root)
    assert not result.errors, result.errors
    return result.briefing()


def event(n: int, date: str) -> dict[str, Any]:
    return {"folder": "events", "id": f"event-{n}", "date": date,
            "title": f"Round {n} of the talks", "facts": FACTS}
