"""A year later, the same content gives the same site: moving the day a build is for
(SOURCE_DATE_EPOCH) 400 days ahead changes only what is meant to depend on it, the editors'
review page and the overdue-review warnings of `briefing check`.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

from sitekit import EPOCH, build_env, built, commit_sample, make_sample, tree

LATER = str(int(EPOCH) + 400 * 86_400)  # 2026-12-29


def search_entries(data: bytes) -> dict[str, dict[str, object]]:
    return {entry["location"]: entry for entry in json.loads(data)["docs"]}


def test_a_year_later_only_the_review_page_changes(tmp_path: Path) -> None:
    root = commit_sample(make_sample(tmp_path / "project"))
    now = tree(built(root, tmp_path / "now"))
    later = tree(built(root, tmp_path / "later", epoch=LATER))
    assert now.keys() == later.keys()
    changed = {name for name in now if now[name] != later[name]}

    # The review page counts from the build's day: that is what it is for.
    assert "review/index.html" in changed
    assert "90 days before 2025-11-24" in now["review/index.html"].decode()
    assert "90 days before 2026-12-29" in later["review/index.html"].decode()

    # The search index may hold the review page (nothing else of it may change), and the
    # sitemap gives each page the build's day; gzip writes the build's time in its header.
    index = "search/search_index.json"
    if index in changed:
        before, after = search_entries(now[index]), search_entries(later[index])
        assert before.keys() == after.keys()
        assert {k for k in before if before[k] != after[k]} <= {"review/"}
    day = re.compile(rb"<lastmod>\d{4}-\d\d-\d\d</lastmod>")
    assert day.sub(b"", now["sitemap.xml"]) == day.sub(b"", later["sitemap.xml"])
    assert gzip.decompress(now["sitemap.xml.gz"]) == now["sitemap.xml"]
    assert gzip.decompress(later["sitemap.xml.gz"]) == later["sitemap.xml"]

    assert changed <= {"review/index.html", index, "sitemap.xml", "sitemap.xml.gz"}, changed


def check(root: Path, epoch: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), "check"],
        cwd=root, env=build_env(epoch), capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def test_a_year_later_check_adds_only_the_overdue_review(tmp_path: Path) -> None:
    root = make_sample(tmp_path / "project")
    sheet = root / "content/places/grand-harbour-hotel.yml"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("\nkind: venue\n", "\nreviewed: 2025-11-20\nkind: venue\n"),
                     encoding="utf-8")
    now = check(root, EPOCH)
    later = check(root, LATER)
    assert now[:-1] == [line for line in later[:-1] if "[stale-review]" not in line]
    assert [line for line in later if line not in now] == [
        "content/places/grand-harbour-hotel.yml:4:1: warning: last reviewed 2025-11-20 "
        "(404 days ago); sheets are due for review after 90 days (review_after_days in "
        "briefing.yml) [stale-review]",
        later[-1],
    ]
    assert later[-1].endswith(" files checked: 1 warning")
    assert now[-1].endswith(" files checked: no problems")
