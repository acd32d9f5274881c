"""A warning informs, an error stops. Content warnings (an overdue review, a fresh `briefing
new` sheet's placeholders) are printed by every build and stop none, neither `briefing build`
nor `mkdocs build`, unless `briefing build --strict`; content errors stop both; MkDocs' own
checks (a broken link in a hand-written page) stay strict."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sitekit import build, build_env, make_sample, mkdocs_build, page, read_html, squash

pytestmark = pytest.mark.slow

#: The build day is sitekit's EPOCH, 2025-11-24: a review on 2025-06-01 is 176 days old.
STALE = (
    "content/places/grand-harbour-hotel.yml:3:1: warning: last reviewed 2025-06-01 (176 days "
    "ago); sheets are due for review after 90 days (review_after_days in briefing.yml) "
    "[stale-review]"
)
NEW_SHEET = "content/places/geneva.yml"


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), *args],
        cwd=root, env=build_env(), capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The sample with a review long overdue and a sheet fresh from `briefing new`, and the
    warnings `briefing check` prints for it; read it, never change it."""
    root = make_sample(tmp_path_factory.mktemp("warned") / "project")
    hotel = root / "content" / "places" / "grand-harbour-hotel.yml"
    text = hotel.read_text(encoding="utf-8")
    hotel.write_text(text.replace("name: Grand", "reviewed: 2025-06-01\nname: Grand", 1),
                     encoding="utf-8")
    made = run(root, "new", "place", "geneva")
    assert made.returncode == 0, made.stdout + made.stderr
    check = run(root, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    lines = check.stdout.splitlines()
    assert lines[-1] == "15 files checked: 3 warnings"
    warnings = lines[:-1]
    assert [w.split(": ", 1)[0] for w in warnings[:2]] == [f"{NEW_SHEET}:7:1", f"{NEW_SHEET}:23:5"]
    assert all(w.endswith("[placeholder]") for w in warnings[:2])
    assert warnings[2] == STALE
    return root, warnings


def test_briefing_build_prints_the_warnings_and_builds(
    warned: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, warnings = warned
    site = tmp_path / "site"
    result = build(root, site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        *warnings, f"built {site}: 26 pages from 15 fact sheets"
    ]
    assert "Aborted" not in result.stderr
    assert (site / "places" / "geneva" / "index.html").is_file()
    # The review page lists each warning with its place and rule.
    rows = [[squash(td.text) for td in tr.find("td")]
            for tr in read_html(page(site, "review/")).find("tr")]
    listed = [(where, rule) for where, rule, _message in (r for r in rows if len(r) == 3)]
    assert listed == [
        (f"{NEW_SHEET}:7:1", "placeholder"),
        (f"{NEW_SHEET}:23:5", "placeholder"),
        ("content/places/grand-harbour-hotel.yml:3:1", "stale-review"),
    ]


def test_mkdocs_build_shows_the_warnings_and_builds(
    warned: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, warnings = warned
    result = mkdocs_build(root, tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    shown = [line.split("-  ", 1)[-1] for line in result.stderr.splitlines()]
    for warning in warnings:
        assert warning in shown, result.stderr
    assert (tmp_path / "site" / "places" / "geneva" / "index.html").is_file()


def test_strict_build_fails_on_the_warnings(
    warned: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, warnings = warned
    site = tmp_path / "site"
    result = build(root, site, "--strict")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == [*warnings, "15 files checked: 3 warnings"]
    assert result.stderr == (
        "Each [rule] is explained at https://harbour.example.org/errors/#<rule>\n"
        "briefing: build stopped: --strict makes warnings fatal; site/ was left as it was\n"
    )
    assert not site.exists()


@pytest.fixture
def broken_link(warned: tuple[Path, list[str]], tmp_path: Path) -> Path:
    """The warned project with a link to no page in a hand-written page."""
    root = tmp_path / "project"
    shutil.copytree(warned[0], root)
    methodology = root / "docs" / "methodology.md"
    methodology.write_text(methodology.read_text(encoding="utf-8")
                           + "\nSee [the annex](annex.md).\n", encoding="utf-8")
    return root


def test_broken_link_still_fails_briefing_build(broken_link: Path, tmp_path: Path) -> None:
    result = build(broken_link, tmp_path / "site")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "contains a link 'annex.md', but the target is not found" in result.stderr
    assert "Aborted with 1 warnings in strict mode!" in result.stderr
    assert not (tmp_path / "site").exists()


def test_broken_link_still_fails_mkdocs_build(broken_link: Path, tmp_path: Path) -> None:
    result = mkdocs_build(broken_link, tmp_path / "site")
    shown = result.stdout + result.stderr
    assert result.returncode == 1, shown
    assert "contains a link 'annex.md', but the target is not found" in shown
    assert "Aborted with 1 warnings in strict mode!" in shown


def test_content_error_stops_mkdocs_build(
    warned: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(warned[0], root)
    sheet = root / "content" / "actors" / "ben-south.yml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("reported", "likely"),
                     encoding="utf-8")
    result = mkdocs_build(root, tmp_path / "site")
    shown = result.stdout + result.stderr
    assert result.returncode == 1, shown
    assert (
        "content/actors/ben-south.yml:9:5: 'certainty' must be one of confirmed, reported, "
        "possible, disputed, denied; got 'likely' [vocabulary]"
    ) in shown
    assert "1 error, 3 warnings" in shown
    assert not (tmp_path / "site" / "index.html").exists()
