"""The repository passes its own pre-commit hooks: `pre-commit run --all-files` changes nothing
and fails nothing.

pre-commit fetches its hooks from their repositories, which a test run cannot count on, so
this test reads .pre-commit-config.yaml and does what each hook does, on the files pre-commit
would give it (tracked files, the hook's `files`, `exclude` and file types): the
pre-commit-hooks checks re-done here, check-jsonschema run at the version the config names,
and the local hooks run as configured. A hook added to the config that this test does not know
fails it, so the two cannot drift apart.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG = REPO_ROOT / ".pre-commit-config.yaml"

if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
    pytest.skip("needs the repository's git checkout", allow_module_level=True)


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True,
                         check=True, timeout=60).stdout
    return sorted(name for name in out.decode("utf-8").split("\0")
                  if name and (REPO_ROOT / name).is_file())


# identify's test for text (pre-commit's `types: [text]`): the first KiB holds only these.
_TEXT_BYTES = bytes({7, 8, 9, 10, 11, 12, 13, 27} | set(range(0x20, 0x100)) - {0x7F})


def is_text(data: bytes) -> bool:
    return not data[:1024].translate(None, _TEXT_BYTES)


def is_yaml(name: str) -> bool:
    return name.endswith((".yml", ".yaml"))


# --- what each hook of pre-commit-hooks checks ------------------------------------------------

def check_yaml(name: str, data: bytes, args: list[str]) -> list[str]:
    # With --unsafe the hook only parses (syntax); every document of the file is parsed.
    assert args == ["--unsafe"], f"check-yaml with {args}: teach this test those arguments"
    try:
        for _ in yaml.parse(data.decode("utf-8"), Loader=yaml.SafeLoader):
            pass
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return [f"{name}: not valid YAML: {exc}"]
    return []


def end_of_file(name: str, data: bytes, args: list[str]) -> list[str]:
    # The fixer leaves an empty file alone and makes any other end in exactly one line end.
    if not data:
        return []
    body = data.rstrip(b"\r\n")
    if data[len(body):] in (b"\n", b"\r\n", b"\r") and body:
        return []
    return [f"{name}: must end in exactly one line end (end-of-file-fixer rewrites it)"]


def trailing_whitespace(name: str, data: bytes, args: list[str]) -> list[str]:
    found = []
    for number, line in enumerate(data.splitlines(), start=1):
        if line != line.rstrip():
            found.append(f"{name}:{number}: trailing whitespace (trailing-whitespace removes it)")
    return found


_CONFLICT = (b"<<<<<<< ", b"======= ", b"=======\r\n", b"=======\n", b">>>>>>> ")


def merge_conflict(name: str, data: bytes, args: list[str]) -> list[str]:
    # The hook looks only while a merge is under way; a marker is never meant to be committed.
    return [f"{name}:{number}: merge conflict marker"
            for number, line in enumerate(data.splitlines(keepends=True), start=1)
            if line.startswith(_CONFLICT)]


Check = Callable[[str, bytes, list[str]], list[str]]

#: pre-commit-hooks' hooks: what each checks, and which files its own manifest gives it.
BUILTIN: dict[str, tuple[Check, Callable[[str, bytes], bool]]] = {
    "check-yaml": (check_yaml, lambda name, data: is_yaml(name)),
    "end-of-file-fixer": (end_of_file, lambda name, data: is_text(data)),
    "trailing-whitespace": (trailing_whitespace, lambda name, data: is_text(data)),
    "check-merge-conflict": (merge_conflict, lambda name, data: is_text(data)),
}


def configured_hooks() -> list[tuple[str, dict[str, Any]]]:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return [(repo["repo"], hook) for repo in config["repos"] for hook in repo["hooks"]]


def selected(hook: dict[str, Any], files: list[str]) -> list[str]:
    """The tracked files pre-commit hands ``hook`` (by its `files` and `exclude` patterns)."""
    include = re.compile(hook.get("files", ""))
    exclude = re.compile(hook["exclude"]) if "exclude" in hook else None
    return [name for name in files
            if include.search(name) and not (exclude and exclude.search(name))]


def hook_id(repo_and_hook: tuple[str, dict[str, Any]]) -> str:
    return str(repo_and_hook[1].get("name", repo_and_hook[1]["id"]))


HOOKS = configured_hooks()


@pytest.mark.parametrize("repo_and_hook", HOOKS, ids=[hook_id(h) for h in HOOKS])
def test_repository_passes_hook(repo_and_hook: tuple[str, dict[str, Any]]) -> None:
    repo, hook = repo_and_hook
    files = selected(hook, tracked_files())
    args = [str(a) for a in hook.get("args", [])]
    if repo.endswith("/pre-commit/pre-commit-hooks"):
        assert hook["id"] in BUILTIN, f"hook {hook['id']}: teach tests/test_hooks.py what it does"
        check, takes = BUILTIN[hook["id"]]
        problems = []
        for name in files:
            data = (REPO_ROOT / name).read_bytes()
            if takes(name, data):
                problems.extend(check(name, data, args))
        assert problems == []
    elif repo.endswith("/python-jsonschema/check-jsonschema"):
        assert hook["id"] == "check-jsonschema", f"hook {hook['id']}: not known to this test"
        assert files, f"{hook_id(repo_and_hook)}: its pattern matches no file"
        result = subprocess.run(
            [sys.executable, "-m", "check_jsonschema", *args, *files],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    elif repo == "local":
        assert hook["language"] == "system" and hook.get("pass_filenames") is False, (
            f"local hook {hook['id']}: teach tests/test_hooks.py how pre-commit runs it")
        if not files:
            return
        result = subprocess.run(
            hook["entry"], shell=True, cwd=REPO_ROOT, capture_output=True, text=True,
            timeout=300, check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        pytest.fail(f"hooks from {repo}: teach tests/test_hooks.py what they do")


def test_check_jsonschema_is_the_version_the_hooks_run() -> None:
    """The test extra pins check-jsonschema to the minor version the config's `rev` names."""
    rev = next(repo["rev"] for repo in
               yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["repos"]
               if repo["repo"].endswith("/check-jsonschema"))
    from importlib.metadata import version

    assert version("check-jsonschema").split(".")[:2] == rev.lstrip("v").split(".")[:2]


# --- the checks themselves can fail -------------------------------------------------------------

@pytest.mark.parametrize(("data", "problems"), [
    (b"", 0), (b"a\n", 0), (b"a\r\n", 0), (b"a", 1), (b"a\n\n", 1), (b"\n", 1), (b"a\r\n\r\n", 1),
])
def test_end_of_file_is_what_the_fixer_leaves(data: bytes, problems: int) -> None:
    assert len(end_of_file("f", data, [])) == problems


def test_each_check_finds_what_its_hook_would_change_or_refuse() -> None:
    assert trailing_whitespace("f", b"a \nb\t\nc\n", []) == [
        "f:1: trailing whitespace (trailing-whitespace removes it)",
        "f:2: trailing whitespace (trailing-whitespace removes it)",
    ]
    assert trailing_whitespace("f", b"a\r\nb\r\n", []) == []  # a CRLF line end is no space
    assert merge_conflict("f", b"a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n", []) == [
        "f:2: merge conflict marker", "f:4: merge conflict marker", "f:6: merge conflict marker",
    ]
    assert merge_conflict("f", b"Title\n=====\n", []) == []  # a Markdown heading's underline
    assert check_yaml("f.yml", b"a: [1, 2\n", ["--unsafe"])
    assert check_yaml("f.yml", b"a: !!python/name:os.system\n---\nb: 1\n", ["--unsafe"]) == []
    assert not is_text(b"%PDF\x00\x01")


def test_a_sheet_that_breaks_its_schema_fails_check_jsonschema(tmp_path: Path) -> None:
    sheet = (REPO_ROOT / "content/places/miami.yml").read_text(encoding="utf-8")
    broken = tmp_path / "miami.yml"
    broken.write_text(sheet.replace("certainty: reported", "certainty: likely", 1),
                      encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile",
         str(REPO_ROOT / "schemas/places.schema.json"), str(broken)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 1
    assert "'likely' is not one of" in result.stdout
