"""Outputs never overlap inputs, nothing but a regular file is ever read or replaced, a site
folder that cannot be swapped is updated in place, and one build runs at a time.

The rule (generator/build/outputs.py) is tested case by case on a project in a git repository and
on one without; the commands' refusals, one line and exit 2 before anything is touched, through
the CLI. Nothing here builds a site: the builds themselves, side by side and killed, are in
tests/site/test_site_alone.py.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.build import write
from generator.build.lock import LOCK_FILE, Busy, ProjectLock, Unavailable
from generator.build.outputs import overlap, project_inputs
from generator.cli import EXIT_PROBLEMS, EXIT_USAGE, main

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
TIMEOUT = 60
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
}
INPUT = "an input of the build"
SITE_ADVICE = "build into a folder of its own, such as site"
PDF_ADVICE = "write it elsewhere, such as site/briefing.pdf, or to - (standard output)"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, check=True,
                   capture_output=True, timeout=TIMEOUT)


def make_repo(root: Path) -> Path:
    """A runnable project in a git repository at ``root``: briefing.yml, content/, briefings/,
    docs/, schemas/, mkdocs.yml, README.md and notes/plan.txt committed; scratch/ untracked;
    links beside them to content/, to content/actors/, to the project and to a folder
    outside."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.copytree(REPO_ROOT / "tests" / "cases" / "sample", root,
                    ignore=shutil.ignore_patterns("expected", "README.md"))
    for folder in ("briefings", "docs", "schemas"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    shutil.copy2(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "README.md").write_text("# A briefing\n", encoding="utf-8")
    (root / "notes").mkdir()
    (root / "notes" / "plan.txt").write_text("plan\n", encoding="utf-8")
    (root / "scratch").mkdir()
    (root / "scratch" / "draft.txt").write_text("not committed\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "briefing.yml", "content", "briefings", "docs", "schemas", "mkdocs.yml",
        "README.md", "notes")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "Briefing")
    outside = root.parent / "outside"
    outside.mkdir()
    (root / "to-content").symlink_to("content", target_is_directory=True)
    (root / "to-actors").symlink_to("content/actors", target_is_directory=True)
    (root / "to-project").symlink_to(".", target_is_directory=True)
    (root / "to-outside").symlink_to(outside, target_is_directory=True)
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project of make_repo's that the test may change."""
    return make_repo(tmp_path / "project")


@pytest.fixture(scope="module")
def shared_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of make_repo's, only read."""
    return make_repo(tmp_path_factory.mktemp("outputs") / "project")


# --- the rule --------------------------------------------------------------------------------

CASES = {
    # the project folder: not it, nor a folder above it; anything inside it that is not an
    # input is free (site/ is the normal case)
    ".": "is the project folder",
    "..": "holds the project folder",
    "../..": "holds the project folder",
    "/": "holds the project folder",
    "site": None,
    "out/site": None,
    "scratch": None,  # untracked, and no input
    "../elsewhere": None,
    # inputs: not one, nor inside one
    "content": f"is content/, {INPUT}",
    "content/actors": f"is inside content/, {INPUT}",
    "content/new/site": f"is inside content/, {INPUT}",
    "briefings": f"is briefings/, {INPUT}",
    "docs": f"is docs/, {INPUT}",
    "docs/site": f"is inside docs/, {INPUT}",
    "schemas": f"is schemas/, {INPUT}",
    "briefing.yml": f"is briefing.yml, {INPUT}",
    "mkdocs.yml": f"is mkdocs.yml, {INPUT}",
    ".git": "is .git, the git repository",
    ".git/objects": "is inside .git, the git repository",
    # files git tracks: not one, nor a folder above one
    "README.md": "is README.md, a file tracked by git",
    "notes": "holds files tracked by git (notes/plan.txt)",
    # ".." applied as the kernel applies it: after the link before it is followed
    "site/../content": f"is content/, {INPUT}",
    "content/../site": None,
    "to-content": f"is content/, {INPUT}",
    "to-actors/..": f"is content/, {INPUT}",
    "to-actors/../../site": None,
    "to-project": "is the project folder",
    "to-project/site": None,
    "to-outside": None,
    "to-outside/..": "holds the project folder",
}


@pytest.mark.parametrize(("output", "expected"), list(CASES.items()), ids=list(CASES))
def test_an_output_that_would_hold_or_replace_an_input_is_refused(
    shared_repo: Path, output: str, expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(shared_repo)  # relative outputs are relative to the current folder
    assert overlap(Path(output), project_inputs(shared_repo)) == expected


def test_without_git_the_known_inputs_are_protected(repo: Path) -> None:
    shutil.rmtree(repo / ".git")
    inputs = project_inputs(repo)
    found = {name: overlap(repo / name, inputs)
             for name in ("README.md", "notes", "content", "briefing.yml", ".git", "site")}
    assert found == {
        "README.md": None,
        "notes": None,
        "content": f"is content/, {INPUT}",
        "briefing.yml": f"is briefing.yml, {INPUT}",
        ".git": "is .git, the git repository",  # gone, but a folder of that name is git's
        "site": None,
    }


def test_a_docs_dir_of_mkdocs_own_is_protected(repo: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "pages"
    shared.mkdir(parents=True)
    inputs = project_inputs(repo, shared)
    assert overlap(shared, inputs) == f"is {shared}/, {INPUT}"
    assert overlap(shared.parent, inputs) == f"holds {shared}/, {INPUT}"
    assert overlap(shared / "site", inputs) == f"is inside {shared}/, {INPUT}"


def test_git_folders_of_a_worktree_are_protected(repo: Path, tmp_path: Path) -> None:
    """In a second worktree, .git is a file naming the repository's folders elsewhere."""
    worktree = tmp_path / "worktree"
    git(repo, "worktree", "add", "-q", str(worktree))
    inputs = project_inputs(worktree)
    common = (repo / ".git").resolve()
    assert overlap(common / "objects", inputs) == f"is inside {common}, the git repository"
    assert overlap(repo, inputs) == (
        f"holds {common / 'worktrees' / 'worktree'}, the git repository")
    assert overlap(worktree / ".git", inputs) == "is .git, the git repository"


def test_a_second_name_for_an_input_folder_is_the_folder(repo: Path, tmp_path: Path) -> None:
    """A bind mount (as a container's volume would be) is compared by identity, not by name."""
    mount = tmp_path / "mounted-content"
    mount.mkdir()
    if shutil.which("mount") is None or subprocess.run(
        ["mount", "--bind", str(repo / "content"), str(mount)], capture_output=True,
        check=False, timeout=TIMEOUT,
    ).returncode != 0:
        pytest.skip("cannot bind-mount here (needs root)")
    try:
        inputs = project_inputs(repo)
        assert overlap(mount, inputs) == f"is content/, {INPUT}"
        assert overlap(mount / "actors", inputs) == f"is inside content/, {INPUT}"
    finally:
        subprocess.run(["umount", str(mount)], check=True, timeout=TIMEOUT)


# --- the commands refuse before anything is touched ------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[str, bytes, int]]:
    """Everything under ``folder`` (hidden entries, links and folders too): kind, bytes and
    mtime. A file written and removed again still changes its folder's mtime."""
    found: dict[str, tuple[str, bytes, int]] = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        info = path.lstat()
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[relative] = ("link", os.readlink(path).encode(), info.st_mtime_ns)
        elif path.is_dir():
            found[relative] = ("dir", b"", info.st_mtime_ns)
        elif path.is_file():
            found[relative] = ("file", path.read_bytes(), info.st_mtime_ns)
        else:
            found[relative] = ("special", b"", info.st_mtime_ns)  # a fifo: never opened
    return found


@pytest.mark.parametrize(("site_dir", "why"), [
    (".", "is the project folder"),
    ("..", "holds the project folder"),
    ("content", f"is content/, {INPUT}"),
    ("docs", f"is docs/, {INPUT}"),
    ("briefings", f"is briefings/, {INPUT}"),
    (".git", "is .git, the git repository"),
    ("notes", "holds files tracked by git (notes/plan.txt)"),
    ("to-actors/..", f"is content/, {INPUT}"),
])
def test_build_refuses_a_site_dir_over_an_input(
    repo: Path, site_dir: str, why: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(repo)
    before = snapshot(repo.parent)
    code = main(["--root", str(repo), "build", "--site-dir", site_dir])
    out, err = capsys.readouterr()
    assert (code, out) == (EXIT_USAGE, "")
    assert err == f"briefing: error: --site-dir {site_dir} {why}; {SITE_ADVICE}\n"
    assert snapshot(repo.parent) == before  # not even the lock, nor a staging folder


def test_build_refuses_a_file_where_the_site_folder_goes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "site").write_text("a file\n", encoding="utf-8")
    before = snapshot(repo)
    code = main(["--root", str(repo), "build", "--site-dir", str(repo / "site")])
    assert code == EXIT_USAGE
    assert capsys.readouterr().err == (
        f"briefing: error: --site-dir {repo / 'site'}: it is a regular file, not a folder; "
        f"{SITE_ADVICE}\n"
    )
    assert snapshot(repo) == before


def test_build_refuses_a_folder_of_other_files_where_the_site_goes(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A mistyped --site-dir (a folder of someone's files, not an input of the project) must not
    # be emptied and replaced: only a folder a build made (it holds briefing.json) is.
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("Dear editor\n", encoding="utf-8")
    before = snapshot(tmp_path)
    code = main(["--root", str(repo), "build", "--no-pdf", "--site-dir", str(documents)])
    assert code == EXIT_USAGE
    assert capsys.readouterr().err == (
        f"briefing: error: --site-dir {documents}: it holds files but no briefing.json, so it "
        "is not a site a build made, and building there would delete them; "
        f"{SITE_ADVICE}\n"
    )
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(("output", "why"), [
    ("content/briefing.pdf", f" is inside content/, {INPUT}"),
    ("briefing.yml", f" is briefing.yml, {INPUT}"),
    ("README.md", " is README.md, a file tracked by git"),
    (".git/briefing.pdf", " is inside .git, the git repository"),
    (".", " is the project folder"),
    ("scratch", ": it is a folder, not a regular file"),
    ("/dev/zero", ": it is a character device, not a regular file"),
    ("/dev/null", ": it is a character device, not a regular file"),
    ("fifo", ": it is a pipe, not a regular file"),
    ("link-to-fifo", ": it is a pipe, not a regular file"),
])
def test_pdf_writes_only_to_a_regular_file_or_a_new_path(
    repo: Path, output: str, why: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Refused before the layout process starts, without opening what is there: reading
    /dev/zero would never end, a fifo would wait for a writer."""
    monkeypatch.chdir(repo)
    os.mkfifo(repo / "fifo")
    (repo / "link-to-fifo").symlink_to("fifo")
    before = snapshot(repo)
    code = main(["--root", str(repo), "pdf", "--output", output])
    assert code == EXIT_USAGE
    assert capsys.readouterr().err == f"briefing: error: --output {output}{why}; {PDF_ADVICE}\n"
    assert snapshot(repo) == before


def test_pdf_to_dev_stdout_on_a_pipe_is_refused(repo: Path) -> None:
    """As root, the old code replaced /dev/stdout itself with the PDF."""
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(repo), "pdf", "--output",
         "/dev/stdout"], capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )
    assert result.returncode == EXIT_USAGE
    assert result.stderr == (
        f"briefing: error: --output /dev/stdout: it is a pipe, not a regular file; "
        f"{PDF_ADVICE}\n"
    )
    assert Path("/dev/stdout").is_symlink()


def test_pdf_to_standard_output_reports_content_errors_on_stderr(
    make_project: Callable[..., Path], bad_certainty: dict[str, str]
) -> None:
    root = make_project(bad_certainty)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), "pdf", "--output", "-"],
        capture_output=True, timeout=TIMEOUT, check=False,
    )
    assert result.returncode == EXIT_PROBLEMS
    assert result.stdout == b""  # standard output is the PDF's, and there is none
    assert result.stderr.decode().splitlines() == [
        "content/actors/bob-broker.yml:8:5: 'certainty' must be one of confirmed, reported, "
        "possible, disputed, denied; got 'likely' [vocabulary]",
        "11 files checked: 1 error",
        "Each [rule] is explained at generator/errors.md#<rule>",
    ]


def test_mkdocs_build_refuses_a_site_dir_over_an_input(repo: Path) -> None:
    """MkDocs empties site_dir before it builds and guards only its docs_dir; the plugin
    refuses the rest before that."""
    before = snapshot(repo / "content")
    mkdocs = Path(sys.executable).with_name("mkdocs")
    result = subprocess.run(
        [str(mkdocs), "build", "--site-dir", "content"], cwd=repo, capture_output=True,
        text=True, timeout=TIMEOUT, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 1
    assert (f"site_dir {repo / 'content'} is content/, {INPUT}; set site_dir in mkdocs.yml "
            "to a folder of its own, such as site") in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(repo / "content") == before


def test_build_refuses_a_site_dir_over_mkdocs_own_docs_dir(repo: Path) -> None:
    """Known only once mkdocs.yml is read (after the content is checked): still refused before
    MkDocs writes anything, and the staging folder removed."""
    shutil.rmtree(repo / ".git")  # else git would name pages/ as tracked first
    (repo / "docs").rename(repo / "pages")
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "docs_dir: docs", "docs_dir: pages"), encoding="utf-8")
    # It even holds what every site holds, so that nothing but mkdocs.yml tells it is an input.
    (repo / "pages" / "briefing.json").write_text("{}\n", encoding="utf-8")
    before = snapshot(repo / "pages")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(repo), "build", "--no-pdf",
         "--site-dir", "pages"], capture_output=True, text=True, timeout=TIMEOUT, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == EXIT_USAGE, result.stdout + result.stderr
    assert result.stderr == (
        f"briefing: error: --site-dir {repo / 'pages'} is pages/, {INPUT}; {SITE_ADVICE}\n")
    assert snapshot(repo / "pages") == before
    assert not list(repo.glob(".pages.*"))


# --- nothing but a regular file is read or replaced ------------------------------------------


def test_write_if_changed_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opening it to read would wait for a writer
    target = tmp_path / "target.pdf"
    target.write_bytes(b"theirs")
    link = tmp_path / "link.pdf"
    link.symlink_to(target)
    folder = tmp_path / "folder"
    folder.mkdir()
    for path, kind in ((fifo, "a pipe"), (link, "a link"), (folder, "a folder")):
        with pytest.raises(write.NotAFile) as caught:
            write.write_if_changed(path, b"ours")
        assert caught.value.strerror == f"it is {kind}, not a regular file"
        assert write.why_not_written(caught.value) == f"it is {kind}, not a regular file"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert link.is_symlink() and target.read_bytes() == b"theirs"
    assert folder.is_dir()


def test_write_if_changed_rewrites_only_changed_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    assert write.write_if_changed(path, b"one", mode=0o644) is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    inode = path.stat().st_ino
    assert write.write_if_changed(path, b"one") is False
    assert path.stat().st_ino == inode  # left alone
    assert write.write_if_changed(path, b"two") is True
    assert write.write_if_changed(path, b"three") is True  # another size: not even read
    assert path.read_bytes() == b"three"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]


# --- a site folder that cannot be swapped is updated in place --------------------------------


def old_site(final: Path) -> None:
    """A previous site with a bit of everything the new one changes."""
    final.mkdir()
    (final / "same.html").write_text("same\n", encoding="utf-8")
    (final / "changed.html").write_text("old\n", encoding="utf-8")
    (final / "dropped.html").write_text("dropped\n", encoding="utf-8")
    (final / "dropped-folder" / "deep").mkdir(parents=True)
    (final / "dropped-folder" / "deep" / "x.html").write_text("x\n", encoding="utf-8")
    (final / "becomes-folder").write_text("a file\n", encoding="utf-8")
    (final / "becomes-file").mkdir()
    (final / "becomes-file" / "y.html").write_text("y\n", encoding="utf-8")
    (final / "link.html").symlink_to("same.html")


def new_site(staged: Path) -> dict[str, bytes]:
    (staged / "same.html").write_text("same\n", encoding="utf-8")
    (staged / "changed.html").write_text("new\n", encoding="utf-8")
    (staged / "added").mkdir()
    (staged / "added" / "index.html").write_text("added\n", encoding="utf-8")
    (staged / "becomes-folder").mkdir()
    (staged / "becomes-folder" / "index.html").write_text("now a folder\n", encoding="utf-8")
    (staged / "becomes-file").write_text("now a file\n", encoding="utf-8")
    (staged / "link.html").write_text("now a file\n", encoding="utf-8")
    return files_in(staged)


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() or p.is_symlink()}


@pytest.fixture
def cannot_swap(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Make the site folder refuse to be renamed, as a mount point does."""

    def refuse(code: int) -> None:
        def exchange(a: Path, b: Path) -> bool:
            raise OSError(code, os.strerror(code), str(b))

        monkeypatch.setattr(write, "_exchange", exchange)

    return refuse


@pytest.mark.parametrize("code", [errno.EBUSY, errno.EXDEV], ids=["EBUSY", "EXDEV"])
def test_a_site_folder_that_cannot_be_swapped_is_updated_in_place(
    tmp_path: Path, cannot_swap: Callable[[int], None], code: int
) -> None:
    cannot_swap(code)
    final = tmp_path / "site"
    old_site(final)
    folder, same = final.stat().st_ino, (final / "same.html").stat().st_ino
    with write.Staging(final) as staging:
        expected = new_site(staging.path)
        staging.publish()
    assert files_in(final) == expected
    assert final.stat().st_ino == folder  # the folder itself stays: it cannot be replaced
    assert (final / "same.html").stat().st_ino == same  # unchanged bytes are not rewritten
    assert not (final / "link.html").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left


def test_without_an_exchange_a_mount_point_is_found_on_the_first_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    final = tmp_path / "site"
    old_site(final)
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    rename = os.rename

    def refusing(src: object, dst: object) -> None:
        if Path(str(src)) == final:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(src))
        rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", refusing)
    with write.Staging(final) as staging:
        expected = new_site(staging.path)
        staging.publish()
    assert files_in(final) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_an_update_in_place_stopped_half_way_is_put_right_by_the_next(
    tmp_path: Path, cannot_swap: Callable[[int], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the docs say a kill can leave: some files of each build, each whole; the next
    build's update leaves exactly the new site."""
    cannot_swap(errno.EBUSY)
    final = tmp_path / "site"
    old_site(final)
    old = files_in(final)
    writes = 0
    real = write.write_if_changed

    def failing(path: Path, data: bytes, *, mode: int | None = None) -> bool:
        nonlocal writes
        writes += 1
        if writes == 3:
            raise KeyboardInterrupt  # as a stop between two files would
        return real(path, data, mode=mode)

    monkeypatch.setattr(write, "write_if_changed", failing)
    with pytest.raises(KeyboardInterrupt), write.Staging(final) as staging:
        expected = new_site(staging.path)
        staging.publish()
    half = files_in(final)
    assert half != expected and half != old
    assert all(data in (old.get(name), expected.get(name)) for name, data in half.items())
    monkeypatch.setattr(write, "write_if_changed", real)
    with write.Staging(final) as staging:
        new_site(staging.path)
        staging.publish()
    assert files_in(final) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real mount point, where the system allows mounting (root); skipped elsewhere."""
    mount = tmp_path / "site"
    mount.mkdir()
    if shutil.which("mount") is None or subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True,
        check=False, timeout=TIMEOUT,
    ).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True, timeout=TIMEOUT)


def test_a_mount_point_is_updated_in_place(tmpfs: Path) -> None:
    with write.Staging(tmpfs) as staging:
        (staging.path / "index.html").write_text("first\n", encoding="utf-8")
        staging.publish()
    (tmpfs / "stray.html").write_text("stray\n", encoding="utf-8")
    with write.Staging(tmpfs) as staging:
        expected = new_site(staging.path)
        staging.publish()
    assert files_in(tmpfs) == expected
    assert os.path.ismount(tmpfs)
    assert sorted(p.name for p in tmpfs.parent.iterdir()) == ["site"]


# --- staging folders: only those of builds that have ended are removed -----------------------

HOLD = """\
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print(os.getpid(), flush=True)
sys.stdin.read()
"""


@pytest.fixture
def holder() -> Iterator[Callable[[Path], subprocess.Popen[str]]]:
    """Start a process that holds an flock on a path until its stdin is closed."""
    started: list[subprocess.Popen[str]] = []

    def hold(path: Path) -> subprocess.Popen[str]:
        process = subprocess.Popen([sys.executable, "-c", HOLD, str(path)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        started.append(process)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == str(process.pid)  # it holds the lock now
        return process

    yield hold
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(TIMEOUT)


def release(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    assert process.wait(TIMEOUT) == 0


def test_a_build_removes_only_staging_folders_whose_build_has_ended(
    tmp_path: Path, holder: Callable[[Path], subprocess.Popen[str]]
) -> None:
    final = tmp_path / "site"
    live = tmp_path / ".site.building-1-live"
    ended = tmp_path / ".site.building-2-ended"
    old = tmp_path / ".site.old-3"
    for folder in (live, ended, old):
        (folder / "assets").mkdir(parents=True)
    other = tmp_path / ".other.building-4-x"  # another output's
    other.mkdir()
    owner = holder(live)
    with write.Staging(final) as staging:
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            ".other.building-4-x", ".site.building-1-live", staging.path.name]
        assert staging.path.name.startswith(f".site.building-{os.getpid()}-")
    release(owner)
    with write.Staging(final) as staging:
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            ".other.building-4-x", staging.path.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.building-4-x"]


def test_without_locks_the_owner_is_the_process_named_in_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system without locks, the pid in the folder's name says whether its build
    is alive."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                               stdin=subprocess.PIPE)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True, timeout=TIMEOUT)
    try:
        live = tmp_path / f".site.building-{sleeper.pid}-abc"
        ended = tmp_path / f".site.building-{gone.stdout.strip()}-def"
        live.mkdir()
        ended.mkdir()

        def no_locks(fd: int, operation: int) -> None:
            raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

        monkeypatch.setattr(write.fcntl, "flock", no_locks)
        write.remove_stale(tmp_path / "site")
        assert sorted(p.name for p in tmp_path.iterdir()) == [live.name]
    finally:
        sleeper.kill()
        sleeper.wait(TIMEOUT)


# --- one build at a time ---------------------------------------------------------------------


def test_a_second_build_with_no_wait_names_the_first(
    repo: Path, holder: Callable[[Path], subprocess.Popen[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    lock = ProjectLock(repo)
    lock.acquire(wait=False)  # makes the lock file; the holder below takes it in turn
    lock.release()
    first = holder(repo / LOCK_FILE)
    (repo / LOCK_FILE).write_text(f"{first.pid}\n", encoding="ascii")  # as a build writes it
    for command in (["build", "--no-pdf"], ["pdf"]):
        code = main(["--root", str(repo), *command, "--no-wait"])
        assert (code, *capsys.readouterr()) == (
            EXIT_PROBLEMS, "",
            f"briefing: another build (pid {first.pid}) is running in {repo}; wait for it to "
            "finish, or run this command with --wait\n",
        )
    assert not (repo / "site").exists()
    assert not list(repo.glob(".site.*"))
    release(first)


def test_the_lock_names_its_holder_and_is_free_when_released(repo: Path) -> None:
    first, second = ProjectLock(repo), ProjectLock(repo)
    first.acquire(wait=False)
    with pytest.raises(Busy) as caught:
        second.acquire(wait=False)
    assert caught.value.pid == os.getpid()
    assert str(caught.value) == f"another build (pid {os.getpid()}) is running"
    first.release()
    assert (repo / LOCK_FILE).read_bytes() == b""
    second.acquire(wait=False)
    second.release()


def test_a_lock_folder_that_is_a_link_is_not_followed(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / ".cache").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(Unavailable) as caught:
        ProjectLock(repo).acquire(wait=False)
    assert str(caught.value) == (
        f"cannot lock {repo / LOCK_FILE}: a link or a file stands where a folder or the lock "
        "file should be"
    )
    assert list(elsewhere.iterdir()) == []
