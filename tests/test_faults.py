"""Environment faults: each is one line through the CLI (what happened, where, how to fix it),
exit 1 or 2, no traceback, and nothing lost. The errors page's "Environment faults" lists the
same lines; a test below checks that each line asserted here is listed there.

Faults the machine must produce (a full or read-only disk) are made for real where a tiny
file system can be mounted (``unshare`` into a mount namespace of our own, as root or not),
and are also simulated in this process, so that they are tested on every machine.
"""

from __future__ import annotations

import builtins
import errno
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sitekit import EPOCH, build_env, make_sample

from generator.cli import EXIT_PROBLEMS, EXIT_USAGE, main
from generator.errors import ERRORS_SOURCE, explained_at

REPO_ROOT = Path(__file__).resolve().parent.parent
PAGE = ERRORS_SOURCE
SECTION = "## Environment faults"

#: Each fault's line as the errors page's "Environment faults" shows it, <placeholders> for
#: what depends on the machine (test_every_fault_is_on_the_errors_page checks they are there).
LINES = {
    "dot": "briefing: error: cannot draw the relationship graph: Graphviz's 'dot' command is "
    "not on the PATH; install Graphviz (on Debian or Ubuntu: sudo apt-get install graphviz), "
    "then run the command again",
    "mkdocs-missing": "mkdocs.yml: mkdocs.yml not found in <root> [io]",
    "mkdocs-malformed": "mkdocs.yml:4:9: YAML syntax: did not find expected ',' or ']' (while "
    "parsing a flow sequence that starts on line 3, column 11) [yaml-syntax]",
    "plugin-not-listed": "mkdocs.yml:<line>:1: 'plugins' does not list briefing, so no fact "
    "sheet would be published; add it, as in 'plugins: [search, briefing]' [plugin]",
    "plugin-missing": "mkdocs.yml: the briefing plugin is not enabled, so no fact sheet would "
    "be published; add the line 'plugins: [search, briefing]' [plugin]",
    "full": "briefing: build failed; cannot write <site>: No space left on device; free some "
    "space on that disk, then run the command again (site/ was left as it was)",
    "read-only": "briefing: build failed; cannot write <site>: Read-only file system; write the "
    "output to another disk (--site-dir, --output)",
    "read-only-pdf": "briefing: the print edition failed: cannot write <pdf>: Read-only file "
    "system; write the output to another disk (--site-dir, --output)",
    "permission": "briefing: build failed; cannot write <site>: Permission denied; make the "
    "folder writable, or write the output elsewhere (--site-dir, --output)",
    "unreadable": "content/places: cannot read folder: Permission denied; the fact sheets in it "
    "were not checked [io]",
    "file-name": "content/places/town-hall.YML: fact sheets end in .yml, in lower case; rename "
    "to town-hall.yml [file-name]",
    "file-name-space": "content/places/station.yml : file name ends in a space after '.yml'; "
    "rename to station.yml [file-name]",
    "long-id": "briefing: error: id 'aaaaaaaaaaaaaaaaaaaa...' is 300 characters long: with "
    "'.yml' it is too long for a file name here (at most 255 bytes); choose an id of at most "
    "251 characters",
    "new-full": "briefing: new failed; cannot write <sheet>: No space left on device; free some "
    "space on that disk, then run the command again",
}


def line(name: str, **where: str | Path) -> str:
    """The line of fault ``name`` with ``where``'s values in place of its <placeholders>."""
    text = LINES[name]
    for key, value in where.items():
        text = text.replace(f"<{key}>", str(value))
    assert "<" not in text, f"{name}: a placeholder is left in {text!r}"
    return text


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A runnable copy of the sample project, with a site built before (two files stand for
    it, one the briefing.json every build writes): what every fault must leave as it was."""
    root = make_sample(tmp_path / "project")
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text("the last good site", encoding="utf-8")
    (root / "site" / "briefing.json").write_text("{}\n", encoding="utf-8")
    return root


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
        ) -> Callable[..., tuple[int, str, str]]:
    """Runs ``briefing ARGS`` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)  # the build sets it; restored after
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def modes_are_enforced() -> bool:
    """Whether a folder's mode stops this process (it does not stop root, unless root has
    given up CAP_DAC_OVERRIDE: ``setpriv --bounding-set=-dac_override,-dac_read_search``)."""
    with tempfile.TemporaryDirectory() as folder:
        locked = Path(folder) / "locked"
        locked.mkdir(mode=0)
        try:
            os.listdir(locked)
        except PermissionError:
            return True
        finally:
            locked.chmod(0o700)
    return False


MODES = pytest.mark.skipif(not modes_are_enforced(),
                           reason="this process reads and writes any folder, whatever its mode")


def untouched(root: Path) -> None:
    """The old site is as it was, and no staging folder is left beside it."""
    assert (root / "site" / "index.html").read_text(encoding="utf-8") == "the last good site"
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


# --- Graphviz ------------------------------------------------------------------------------


def test_missing_dot(sample: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(sample), "build", "--no-pdf"],
        env={**build_env(), "PATH": str(empty)}, capture_output=True, text=True, timeout=180,
        check=False,
    )
    assert (result.returncode, result.stdout) == (EXIT_PROBLEMS, ""), result.stderr
    assert result.stderr.splitlines() == [line("dot")]
    untouched(sample)


# --- mkdocs.yml ----------------------------------------------------------------------------

SEARCH_AND_BRIEFING = """\
plugins:
  - search:
      lang: en
      # Split words at punctuation too: with the default ([\\s\\-]+) "(RDIF)," is one token
      # and a search for RDIF misses it. Material's documented separator for prose.
      separator: '[\\s\\-,:;!?=\\[\\]()"/]+|\\.(?!\\d)|&[lg]t;'
  - briefing
"""


def pointer(root: Path) -> str:
    """What follows a list of problems on standard error: where each rule is explained (on
    the project's site when briefing.yml has its address)."""
    found = re.search(r"(?m)^site_url: (\S+)$", (root / "briefing.yml").read_text("utf-8"))
    return explained_at(found[1] if found else None) + "\n"


def mkdocs_without(root: Path, old: str, new: str) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text, "mkdocs.yml has changed: update this test"
    config.write_text(text.replace(old, new), encoding="utf-8")


def test_missing_mkdocs_yml(sample: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    (sample / "mkdocs.yml").unlink()
    code, out, err = cli("--root", str(sample), "build", "--no-pdf")
    assert (code, err) == (EXIT_PROBLEMS, pointer(sample))
    assert out.splitlines() == [
        line("mkdocs-missing", root=str(sample)),
        "1 error",
    ]
    untouched(sample)


def test_malformed_mkdocs_yml(sample: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    mkdocs_without(sample, "docs_dir: docs\n", "docs_dir: [docs\n")
    code, out, err = cli("--root", str(sample), "build", "--no-pdf")
    assert (code, err) == (EXIT_PROBLEMS, pointer(sample))
    assert out.splitlines() == [
        line("mkdocs-malformed"),
        "1 error",
    ]
    untouched(sample)


def test_mkdocs_yml_without_the_plugin(
    sample: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    mkdocs_without(sample, "  - briefing\n", "")
    code, out, err = cli("--root", str(sample), "build", "--no-pdf")
    assert (code, err) == (EXIT_PROBLEMS, pointer(sample))
    at = (sample / "mkdocs.yml").read_text(encoding="utf-8").splitlines().index("plugins:") + 1
    assert out.splitlines() == [line("plugin-not-listed", line=str(at)), "1 error"]
    untouched(sample)


def test_mkdocs_yml_without_plugins(
    sample: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    mkdocs_without(sample, SEARCH_AND_BRIEFING, "")
    code, out, err = cli("--root", str(sample), "build", "--no-pdf")
    assert (code, err) == (EXIT_PROBLEMS, pointer(sample))
    assert out.splitlines() == [line("plugin-missing"), "1 error"]
    untouched(sample)


# --- a full disk, a read-only one ----------------------------------------------------------


@pytest.fixture(scope="module")
def namespace() -> Callable[[str], subprocess.CompletedProcess[str]]:
    """Runs a shell script in a mount namespace of its own, where it may mount a tmpfs; skips
    the test where that is not allowed (no ``unshare``, no user namespaces)."""
    unshare = shutil.which("unshare")

    def run(script: str) -> subprocess.CompletedProcess[str]:
        assert unshare is not None
        return subprocess.run([unshare, "-rm", "sh", "-ec", script], env=build_env(),
                              capture_output=True, text=True, timeout=300, check=False)

    if unshare is None:
        pytest.skip("no unshare: cannot mount a small file system to fill")
    probe = run("mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || mount -t tmpfs tmpfs /tmp")
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs in a namespace here: {probe.stderr.strip()}")
    return run


def briefing(*argv: str) -> str:
    """A shell command line that runs ``briefing ARGV`` and says how it ended."""
    words = " ".join(f"'{word}'" for word in (sys.executable, "-m", "generator", *argv))
    return f"{words} && echo exit=0 || echo exit=$?"


def test_full_disk(sample: Path, namespace: Callable[[str], Any]) -> None:
    """The site on a 300 kB disk, with the last good site already on it: the build fills the
    disk and stops."""
    disk = sample.parent / "small-disk"
    disk.mkdir()
    result = namespace(
        f"mount -t tmpfs -o size=300k tmpfs '{disk}'\n"
        f"cp -r '{sample}/site' '{disk}/site'\n"
        + briefing("--root", str(sample), "build", "--no-pdf", "--site-dir", f"{disk}/site")
        + f"\nls -A '{disk}'; cat '{disk}/site/index.html'"
    )
    assert result.stderr.splitlines() == [line("full", site=disk / "site")], result.stdout
    assert result.stdout.splitlines() == ["exit=1", "site", "the last good site"]


def test_full_disk_simulated(
    sample: Path, cli: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, where no file system can be mounted: every new file beside the site is
    refused as a full disk refuses it."""
    real_open = builtins.open

    def full(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode and str(file).startswith(f"{sample}/.site."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", full)
    code, out, err = cli("--root", str(sample), "build", "--no-pdf")
    assert (code, out) == (EXIT_PROBLEMS, "")
    assert err.splitlines() == [line("full", site=sample / "site")]
    untouched(sample)


def test_read_only_disk(sample: Path, namespace: Callable[[str], Any]) -> None:
    elsewhere = sample.parent / "read-only"
    elsewhere.mkdir()
    pdf = elsewhere / "briefing.pdf"
    result = namespace(
        f"mount -t tmpfs -o ro tmpfs '{elsewhere}'\n"
        + briefing("--root", str(sample), "build", "--no-pdf", "--site-dir", f"{elsewhere}/site")
        + "\n" + briefing("--root", str(sample), "pdf", "--output", str(pdf))
    )
    assert result.stdout.splitlines()[-2:] == ["exit=1", "exit=1"], result.stderr
    assert result.stderr.splitlines() == [
        line("read-only", site=elsewhere / "site"),
        line("read-only-pdf", pdf=pdf),
    ]


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_read_only_output_simulated(
    sample: Path, cli: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch,
    code: int,
) -> None:
    """Folders beside the site cannot be made (as root, chmod stops nothing)."""
    real_mkdir = os.mkdir

    def refuse(path: Any, *args: Any, **kwargs: Any) -> None:
        if Path(path).parent == sample:
            raise OSError(code, os.strerror(code), str(path))
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", refuse)
    status, out, err = cli("--root", str(sample), "build", "--no-pdf")
    assert (status, out) == (EXIT_PROBLEMS, "")
    name = "read-only" if code == errno.EROFS else "permission"
    assert err.splitlines() == [line(name, site=sample / "site")]
    untouched(sample)


@MODES
def test_folder_without_write_permission(
    sample: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    parent = sample.parent / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        status, _, err = cli("--root", str(sample), "build", "--no-pdf",
                             "--site-dir", str(parent / "site"))
    finally:
        parent.chmod(0o755)
    assert status == EXIT_PROBLEMS
    assert err.splitlines() == [line("permission", site=parent / "site")]


# --- content that cannot be read -----------------------------------------------------------


@pytest.fixture
def places_unreadable(make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
                      ) -> Iterator[Path]:
    """The sample project with content/places/ unreadable: as root, chmod 000 stops nothing,
    so listing it fails as it would for anyone else."""
    root = make_project()
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path) == root / "content" / "places":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    yield root


#: What check says: the folder, and what its sheets' absence breaks elsewhere.
UNREADABLE = [
    "content/events/drafting-meeting.yml:5:8: 'place' refers to place 'grand-hotel', which "
    "does not exist [reference]",
    line("unreadable"),
    "10 files checked: 2 errors",
]


def test_unreadable_folder(
    places_unreadable: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, err = cli("--root", str(places_unreadable), "check")
    assert (code, err) == (EXIT_PROBLEMS, pointer(places_unreadable))
    assert out.splitlines() == UNREADABLE


@MODES
def test_unreadable_folder_for_real(
    make_project: Callable[..., Path], cli: Callable[..., tuple[int, str, str]]
) -> None:
    root = make_project()
    (root / "content" / "places").chmod(0)
    try:
        code, out, _ = cli("--root", str(root), "check")
    finally:
        (root / "content" / "places").chmod(0o755)
    assert (code, out.splitlines()) == (EXIT_PROBLEMS, UNREADABLE)


# --- a new sheet ---------------------------------------------------------------------------


def test_id_too_long_for_a_file_name(
    make_project: Callable[..., Path], cli: Callable[..., tuple[int, str, str]]
) -> None:
    root = make_project()
    before = sorted((root / "content" / "actors").iterdir())
    code, out, err = cli("--root", str(root), "new", "actors", "a" * 300)
    assert (code, out) == (EXIT_USAGE, "")
    assert err.splitlines() == [line("long-id")]
    assert sorted((root / "content" / "actors").iterdir()) == before


def test_new_sheet_on_a_full_disk(
    make_project: Callable[..., Path], namespace: Callable[[str], Any]
) -> None:
    """The disk fills while the sheet is written: no half sheet is left behind."""
    root = make_project()
    places = root / "content" / "places"
    result = namespace(
        f"mount -t tmpfs -o size=4k tmpfs '{places}'\n"
        f"head -c 8192 /dev/zero > '{places}/filler' 2>/dev/null || true\n"  # fills it
        + briefing("--root", str(root), "new", "place", "new-harbour")
        + f"\nls -A '{places}'"
    )
    assert result.stderr.splitlines() == [
        line("new-full", sheet=places / "new-harbour.yml")
    ], result.stdout
    assert result.stdout.splitlines() == ["exit=1", "filler"]


# --- the errors page lists them all --------------------------------------------------------


def test_every_fault_is_on_the_errors_page() -> None:
    """Every line asserted above is in the errors page's "Environment faults" section, with
    its placeholders as written there."""
    text = PAGE.read_text(encoding="utf-8")
    assert SECTION in text, f"the errors page has no '{SECTION}' section"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    missing = {name: text for name, text in LINES.items() if text not in section}
    assert not missing, f"lines missing from the errors page's {SECTION!r}: {missing}"


def test_file_name_lines_are_the_golden_ones() -> None:
    """The file-name faults are pinned by the golden corpus; the errors page shows the same
    lines."""
    golden = (REPO_ROOT / "tests" / "cases" / "invalid" / "file-name-case-and-space.yml")
    expected = golden.read_text(encoding="utf-8").split("\nexpected: |\n", 1)[1]
    assert f"  {line('file-name')}\n" in expected
    assert f"  {line('file-name-space')}\n" in expected
