"""Output discipline: deterministic bytes, no stale pages, and atomic publication (a failed
build leaves the last good site as it was and no staging folder behind)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sitekit import build, built, make_sample, tree


def assert_same_tree(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    assert sorted(a) == sorted(b), set(a) ^ set(b)
    differing = sorted(name for name in a if a[name] != b[name])
    assert not differing, f"files differ between the two builds: {differing[:10]}"


def staging_left(site: Path) -> list[str]:
    return sorted(p.name for p in site.parent.iterdir() if p.name.startswith(f".{site.name}."))


# --- determinism ------------------------------------------------------------------------------


def test_same_content_same_epoch_same_bytes(
    shipped_root: Path, shipped_site: Path, tmp_path: Path
) -> None:
    again = built(shipped_root, tmp_path / "site")
    assert_same_tree(tree(shipped_site), tree(again))


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"@{COMMIT_TIME} +0000",
           "GIT_COMMITTER_DATE": f"@{COMMIT_TIME} +0000"}
    return subprocess.run(
        ["git", "-c", "user.name=Site tests", "-c", "user.email=site-tests@example.org",
         "-c", "commit.gpgsign=false", *args],
        cwd=root, env=env, capture_output=True, text=True, check=True, timeout=60,
    ).stdout


COMMIT_TIME = 1_700_000_000  # 2023-11-14T22:13:20Z


def test_same_commit_same_bytes_without_source_date_epoch(
    shipped_root: Path, tmp_path: Path
) -> None:
    """With no SOURCE_DATE_EPOCH the CLI takes the last commit's time, so two builds of one
    commit are identical (a copy of the project, committed here, so that nobody's edits to
    the repository can land between the two builds)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "project"
    shutil.copytree(shipped_root, root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The briefing")
    first = tree(built(root, tmp_path / "one" / "site", epoch=None))
    second = tree(built(root, tmp_path / "two" / "site", epoch=None))
    assert_same_tree(first, second)
    assert build_day(first) == COMMIT_TIME - COMMIT_TIME % 86400


def build_day(files: dict[str, bytes]) -> int:
    """The build time MkDocs used, cut to the day: it is stamped into sitemap.xml.gz."""
    return int.from_bytes(files["sitemap.xml.gz"][4:8], "little")


def test_same_files_same_bytes_outside_git(tmp_path: Path) -> None:
    """Outside a git work tree the build time is the newest content file's time."""
    root = make_sample(tmp_path / "project")
    probe = subprocess.run(["git", "rev-parse"], cwd=root, capture_output=True, check=False)
    if probe.returncode == 0:
        pytest.skip("the temporary folder is inside a git work tree")
    stamp = 1_600_000_000  # 2020-09-13
    for path in root.rglob("*"):
        os.utime(path, (stamp, stamp))
    first = tree(built(root, tmp_path / "one" / "site", epoch=None))
    shutil.rmtree(tmp_path / "one")
    second = tree(built(root, tmp_path / "two" / "site", epoch=None))
    assert_same_tree(first, second)
    assert build_day(first) == stamp - stamp % 86400


# --- stale pages ------------------------------------------------------------------------------


def test_deleted_sheet_leaves_no_page(sample_copy: Path) -> None:
    site = built(sample_copy, sample_copy / "site")
    assert (site / "places" / "grand-harbour-hotel" / "index.html").is_file()

    (sample_copy / "content" / "places" / "grand-harbour-hotel.yml").unlink()
    event = sample_copy / "content" / "events" / "harbour-talks.yml"
    event.write_text(
        event.read_text(encoding="utf-8").replace("place: grand-harbour-hotel\n", ""),
        encoding="utf-8",
    )
    built(sample_copy, site)

    assert not (site / "places" / "grand-harbour-hotel").exists()
    assert "grand-harbour-hotel" not in (site / "places" / "index.html").read_text("utf-8")
    assert "grand-harbour-hotel" not in (site / "briefing.json").read_text("utf-8")
    assert "grand-harbour-hotel" not in (site / "search" / "search_index.json").read_text("utf-8")
    assert (site / "events" / "harbour-talks" / "index.html").is_file()
    assert staging_left(site) == []


# --- atomicity --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A project with a good site: each test below breaks a copy of the project and builds
    into a copy of the site."""
    root = make_sample(tmp_path_factory.mktemp("atomic") / "project")
    site = built(root, root / "site")
    return root, tree(site)


@pytest.fixture
def broken_copy(
    good_site: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> tuple[Path, Path, dict[str, bytes]]:
    root, files = good_site
    copy = tmp_path / "project"
    shutil.copytree(root, copy, symlinks=True)
    return copy, copy / "site", files


def test_content_error_keeps_previous_site(
    broken_copy: tuple[Path, Path, dict[str, bytes]],
) -> None:
    root, site, before = broken_copy
    (root / "content" / "actors" / "ben-south.yml").write_text(
        "id: ben-south\nname: [unclosed\n", encoding="utf-8"
    )
    result = build(root, site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "content/actors/ben-south.yml:" in result.stdout
    assert_same_tree(before, tree(site))
    assert staging_left(site) == []


def test_failure_inside_mkdocs_keeps_previous_site(
    broken_copy: tuple[Path, Path, dict[str, bytes]],
) -> None:
    """A template that writes a broken link passes the generator and fails MkDocs --strict,
    after the staging folder exists."""
    root, site, before = broken_copy
    template = root / "briefings" / "place.md.j2"
    template.write_text(
        template.read_text(encoding="utf-8") + "\n[broken](../no-such-page.md)\n",
        encoding="utf-8",
    )
    result = build(root, site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "build failed" in result.stderr
    assert "no-such-page.md" in result.stderr + result.stdout
    assert_same_tree(before, tree(site))
    assert staging_left(site) == []


def test_template_error_keeps_previous_site(
    broken_copy: tuple[Path, Path, dict[str, bytes]],
) -> None:
    root, site, before = broken_copy
    template = root / "briefings" / "event.md.j2"
    lines = template.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(5, "{{ sheet.title( }}\n")
    template.write_text("".join(lines), encoding="utf-8")
    result = build(root, site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "briefings/event.md.j2:6:" in result.stderr, result.stderr
    assert_same_tree(before, tree(site))
    assert staging_left(site) == []


def test_first_build_failure_leaves_no_site(sample_copy: Path) -> None:
    (sample_copy / "content" / "actors" / "ben-south.yml").write_text(
        "id: ben-south\nname: [unclosed\n", encoding="utf-8"
    )
    site = sample_copy / "site"
    result = build(sample_copy, site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert not site.exists()
    assert staging_left(site) == []
