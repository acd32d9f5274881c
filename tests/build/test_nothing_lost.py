"""Nothing lost: a build killed at any moment leaves the previous site/ (PDF included) or the new
complete one, never a mix; no command but `briefing new` writes into content/, and `new` writes
exactly its one new file there, never through a link.

Builds run as `python -m generator build` processes on a runnable copy of the sample project
(tests/conftest.py) with the repository's templates, docs and mkdocs.yml.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build.lock import LOCK_FILE, ProjectLock
from generator.cli import EXIT_OK, EXIT_PROBLEMS, main

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
#: A fixed build time, so that two builds of the same content give the same bytes.
EPOCH = "1764000000"
TIMEOUT = 300
OLD_PDF = b"%PDF-1.7\n% the print edition of the previous build\n%%EOF\n"


def runnable(root: Path) -> Path:
    """Give a project made by ``make_project`` what a build needs besides content."""
    for folder in ("briefings", "docs", "schemas"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    shutil.copy2(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    return root


def env() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}


def command(root: Path, *argv: str) -> list[str]:
    return [sys.executable, "-m", "generator", "--root", str(root), *argv]


def run(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command(root, *argv), cwd=root, env=env(), capture_output=True,
                            text=True, timeout=TIMEOUT, check=False)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def build(root: Path, site: Path, *extra: str) -> float:
    """Build into ``site``; returns the seconds it took."""
    start = time.perf_counter()
    result = run(root, "build", "--site-dir", str(site), *extra)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    return time.perf_counter() - start


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: relative path -> bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def snapshot(folder: Path) -> dict[str, tuple[str, bytes, int]]:
    """Everything under ``folder``, hidden entries and folders too: kind, bytes, mtime.
    A file written and removed again still changes its folder's mtime."""
    found: dict[str, tuple[str, bytes, int]] = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        stat = path.lstat()
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[relative] = ("link", os.readlink(path).encode(), stat.st_mtime_ns)
        elif path.is_dir():
            found[relative] = ("dir", b"", stat.st_mtime_ns)
        else:
            found[relative] = ("file", path.read_bytes(), stat.st_mtime_ns)
    return found


def leftovers(parent: Path, name: str = "site") -> list[str]:
    return sorted(p.name for p in parent.iterdir()
                  if p.name.startswith((f".{name}.building-", f".{name}.old-")))


# --- a build killed mid-way ------------------------------------------------------------------


def test_a_killed_build_leaves_the_old_site_or_the_new_one(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    root = runnable(make_project())
    site = root / "site"
    # The previous site: a good build of other content (another title on every page), the
    # print edition that came with it, and enough other files that removing it after the
    # swap takes a while (a kill then reliably lands between the swap and the clean-up).
    settings = root / "briefing.yml"
    current = settings.read_text(encoding="utf-8")
    settings.write_text("title: The previous edition\n", encoding="utf-8")
    build(root, site, "--no-pdf")
    (site / "briefing.pdf").write_bytes(OLD_PDF)
    (site / "assets" / "previous").mkdir()
    for i in range(1_500):
        (site / "assets" / "previous" / f"{i}.txt").write_text(f"{i}\n", encoding="utf-8")
    settings.write_text(current, encoding="utf-8")
    old = tree(site)
    backup = tmp_path / "old-site"
    shutil.copytree(site, backup)
    # The new site, as a complete build makes it.
    seconds = build(root, tmp_path / "new-site", "--no-pdf")
    new = tree(tmp_path / "new-site")
    assert old != new and "briefing.pdf" not in new
    files = len(new)

    def staging() -> list[Path]:
        return sorted(root.glob(".site.building-*"))

    # When to kill: after fixed delays (interpreter start-up, validation, rendering, MkDocs
    # writing, the swap), and on what the build does: its staging folder appearing, that
    # folder half written, the new site just swapped in (the old one not yet removed).
    def after(delay: float) -> Callable[[], Callable[[], bool]]:
        def start() -> Callable[[], bool]:
            deadline = time.perf_counter() + delay
            return lambda: time.perf_counter() >= deadline
        return start

    def staging_appears() -> bool:
        return bool(staging())

    def staging_half_written() -> bool:
        return any(sum(p.is_file() for p in s.rglob("*")) >= files // 2 for s in staging())

    def swapped() -> bool:
        return not (site / "briefing.pdf").exists()

    delays = sorted({0.3, 1.0, *(round(seconds * f, 2) for f in (0.5, 0.8, 0.95))})
    points: dict[str, Callable[[], Callable[[], bool]]] = {
        f"after {d:.2f} s": after(d) for d in delays
    }
    points["staging folder appears"] = lambda: staging_appears
    points["staging folder half written"] = lambda: staging_half_written
    points["new site swapped in"] = lambda: swapped
    outcomes: dict[str, str] = {}
    for name, start in points.items():
        if tree(site) != old:
            shutil.rmtree(site)
            shutil.copytree(backup, site)
        child = subprocess.Popen(command(root, "build", "--no-pdf", "--site-dir", str(site)),
                                 cwd=root, env=env(), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
        trigger = start()
        while not trigger() and child.poll() is None:
            time.sleep(0.002)
        late = swapped()  # on a busy machine a poll can miss its moment
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)  # the build and anything it started
        child.wait(TIMEOUT)
        now = tree(site)
        assert now in (old, new), f"killed {name}: site/ is neither the old nor the new one"
        killed = child.returncode == -signal.SIGKILL
        outcomes[name] = ("killed, " if killed else "finished, ") + (
            "old site" if now == old else "new site")
        if name == "staging folder half written" and late:
            outcomes[name] += " (the swap came before the kill)"
    # The test means something only if kills landed inside builds, on both sides of the swap.
    assert "killed, old site" in outcomes.values(), outcomes
    assert "killed, new site" in outcomes.values(), outcomes
    assert outcomes["staging folder half written"] in (
        "killed, old site", "killed, new site (the swap came before the kill)"), outcomes
    # The next build clears what killed ones left behind and publishes the new site.
    assert leftovers(root), "the last kill, after the swap, left the old site to remove"
    build(root, site, "--no-pdf")
    assert tree(site) == new
    assert leftovers(root) == []


# --- what commands write ---------------------------------------------------------------------


@pytest.mark.pdf
def test_check_schema_build_and_pdf_leave_content_as_it_was(
    make_project: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """And `build` writes nothing outside its output folder but its lock: the project is
    unchanged byte for byte and time for time, and beside the output folder nothing else
    appears. The lock file (generator/build/lock.py) is made once and kept, empty between builds."""
    root = runnable(make_project())
    content = snapshot(root / "content")
    project = snapshot(root)
    assert main(["--root", str(root), "check"]) == EXIT_OK
    assert main(["--root", str(root), "schema", "--check"]) == EXIT_OK
    capsys.readouterr()
    assert snapshot(root) == project

    def unlocked() -> dict[str, tuple[str, bytes, int]]:
        """The project as it is, but for the lock file's time (each build writes its pid
        there, and empties it again when it ends)."""
        now = snapshot(root)
        kind, data, _ = now.pop(LOCK_FILE.as_posix())
        assert (kind, data) == ("file", b"")
        return now

    lock = ProjectLock(root)
    lock.acquire(wait=False)
    lock.release()
    project = unlocked()
    out = tmp_path / "out"
    out.mkdir()
    (out / "unrelated.txt").write_text("not ours\n", encoding="utf-8")
    beside = snapshot(out)
    build(root, out / "site")  # the site and the PDF
    assert unlocked() == project
    after = snapshot(out)
    assert {k for k in after if not k.startswith("site")} == {".", "unrelated.txt"}
    assert after["unrelated.txt"] == beside["unrelated.txt"]
    assert (out / "site" / "briefing.pdf").read_bytes().startswith(b"%PDF")
    assert leftovers(out) == []

    result = run(root, "pdf")  # writes site/briefing.pdf inside the project
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert snapshot(root / "content") == content
    changed = {k for k, v in unlocked().items() if project.get(k) != v}
    assert changed == {".", "site", "site/briefing.pdf"}, changed


def test_new_writes_its_one_file_and_nothing_else(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    before = snapshot(root / "content")
    assert main(["--root", str(root), "new", "place", "harbour-office"]) == EXIT_OK
    capsys.readouterr()
    after = snapshot(root / "content")
    changed = {k for k, v in after.items() if before.get(k) != v}
    assert changed == {"places", "places/harbour-office.yml"}
    assert {k for k in before if k not in after} == set()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_new_never_writes_through_a_link(
    make_project: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """tests/editorial/test_new.py covers an existing sheet; a link in its place, even one to a file
    that does not exist yet, is refused the same way and the file it names is not made."""
    root = make_project()
    target = tmp_path / "outside" / "planted.yml"
    target.parent.mkdir()
    link = root / "content/places/harbour-office.yml"
    link.symlink_to(target)
    before = snapshot(root / "content")
    code = main(["--root", str(root), "new", "place", "harbour-office"])
    _, err = capsys.readouterr()
    assert code == EXIT_PROBLEMS
    assert "content/places/harbour-office.yml already exists" in err
    assert not target.exists()
    assert snapshot(root / "content") == before


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_new_never_writes_through_a_folder_link(
    make_project: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(root / "content/places")
    (root / "content/places").symlink_to(outside, target_is_directory=True)
    code = main(["--root", str(root), "new", "place", "harbour-office"])
    captured = capsys.readouterr()
    assert code == EXIT_PROBLEMS
    assert "content/places is a link to a folder outside content/" in captured.err + captured.out
    assert list(outside.iterdir()) == []


def test_published_site_is_readable_like_any_new_folder(tmp_path: Path) -> None:
    from generator.build.write import Staging

    final = tmp_path / "site"
    with Staging(final) as staging:
        (staging.path / "index.html").write_text("ok", encoding="utf-8")
        staging.publish()
    umask = os.umask(0)
    os.umask(umask)
    assert final.stat().st_mode & 0o777 == 0o777 & ~umask
