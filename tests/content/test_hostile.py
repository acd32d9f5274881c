"""Hostile fact sheets: every one gives located errors with a rule id, never a traceback, within
2 seconds of CPU time and 500 MB, and nothing in a file is ever run.

Each input is one sheet laid over the sample project (``make_project``) and checked through the
CLI, timed and with its memory traced. All of them together are also checked in one real
``python -m generator check`` process limited to 500 MB of address space: a crash inside
libyaml (deep nesting) kills a process with a signal, which only a separate process can show.

The golden corpus (tests/cases/invalid/) pins the ordinary forms of these errors; this file is
about inputs made to hurt: bombs, sizes, depths, bytes and tags.
"""

from __future__ import annotations

import gc
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import pytest

from generator.build import workspace as pipeline
from generator.cli import EXIT_OK, EXIT_PROBLEMS, main
from generator.content.check import check
from generator.content.loader import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, MAX_TEXT_CHARS
from generator.content.schema import SHEET_TYPES
from generator.errors import explained_at
from generator.reference.jsonschema import schema_line
from generator.render import svg

#: After the problems, on standard error: where each rule is explained.
POINTER = explained_at(None) + "\n"

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

#: The issue's bounds for any one hostile input. The time is CPU time: what an input makes the
#: checker do (a bomb, a quadratic walk) shows there, while the wall clock of a shared machine
#: also counts every other job on it (2.4 s were seen for a 0.3 s check).
SECONDS = 2.0
#: Wall-clock time after which a check that waits for something (a pipe) counts as hung.
HANG = 60.0
MEMORY = 500 * 2**20

#: A file the payloads below try to create; it must never exist.
PWNED = Path(tempfile.gettempdir()) / f"briefing-pwned-{uuid.uuid4().hex}"

HEADER = schema_line("actors")
FACTS = """\
facts:
  - text: Is a test of hostile input.
    sources: [second-report]
    certainty: reported
"""
SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
LAUGH = ", ".join(["lol"] * 9)
BIG = 50 * 2**20


@dataclass(frozen=True)
class Case:
    """One hostile sheet, ``content/actors/<name>.yml``, and the exact lines it must give."""

    name: str
    data: bytes
    expected: list[str]
    #: For inputs whose output is long: check the lines instead of comparing them.
    check: Callable[[list[str]], None] | None = field(default=None, compare=False)

    @property
    def path(self) -> str:
        return f"content/actors/{self.name}.yml"


def sheet(name: str, body: str, facts: str = FACTS) -> bytes:
    """An actor sheet ``name`` whose only problem is ``body`` (keys after id). Lone
    surrogates (U+DC80 to U+DCFF) stand for raw bytes 0x80 to 0xFF (bytes that are not UTF-8)."""
    return f"{HEADER}\nid: {name}\n{body}{facts}".encode("utf-8", "surrogateescape")


def at(name: str, line: int, column: int, message: str, rule: str) -> str:
    return f"content/actors/{name}.yml:{line}:{column}: {message} [{rule}]"


def whole(name: str, message: str, rule: str) -> str:
    return f"content/actors/{name}.yml: {message} [{rule}]"


DEEP = f"nesting is deeper than the limit of {MAX_DEPTH} levels"
ALIAS = "anchors and aliases (&name, *name) are not supported"
NODES = (f"file has more than {MAX_NODES:,} keys, values and list items; "
         f"the limit is {MAX_NODES:,}")


#: What an unknown key's error lists (the model's own order).
EXPECTED_KEYS = ", ".join(SHEET_TYPES["actors"].model_fields)


def tag(name: str) -> str:
    return f"unsupported YAML tag '{name}'"


def not_allowed(code: str) -> str:
    return f"text contains the character U+{code}, which YAML does not allow (written as an escape)"


def too_long(chars: int) -> str:
    return f"text is {chars:,} characters long; the limit is {MAX_TEXT_CHARS:,}"


# --- the inputs --------------------------------------------------------------------------------


def _alias_bomb() -> Case:
    # "Billion laughs": nine lists, each of nine aliases of the one before: 9**9 'lol's if
    # expanded. Every alias is reported where it is written; nothing is expanded.
    rows = [f"  - &a [{LAUGH}]"]
    rows += [f"  - &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    body = "name: Laughs\nkind: person\naliases:\n" + "\n".join(rows) + "\n"

    def check(lines: list[str]) -> None:
        aliases = [at("alias-bomb", 7 + i, 9 + 4 * j, ALIAS, "yaml-alias")
                   for i in range(8) for j in range(9)]
        assert [x for x in lines if "[yaml-alias]" in x] == aliases
        # Each row is a list where a name belongs; the aliases in it are not reported again.
        types = [at("alias-bomb", 6 + i, 5, f"item {i + 1} of 'aliases' must be text; got a list",
                    "type") for i in range(9)]
        assert sorted(set(lines) - set(aliases)) == sorted(types)

    return Case("alias-bomb", sheet("alias-bomb", body), [], check)


def _alias_bomb_at_the_top() -> Case:
    # The textbook form: keys a..i at the top of the file.
    rows = [f"a: &a [{LAUGH}]"]
    rows += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]"
             for i in range(8)]
    body = "name: Laughs\nkind: person\n" + "\n".join(rows) + "\n"

    def check(lines: list[str]) -> None:
        aliases = [at("alias-bomb-top", 6 + i, 8 + 4 * j, ALIAS, "yaml-alias")
                   for i in range(8) for j in range(9)]
        assert [x for x in lines if "[yaml-alias]" in x] == aliases
        unknown = [x for x in lines if "[unknown-key]" in x]
        assert [x.split(": unknown key ")[1][:3] for x in unknown] == [
            f"'{chr(97 + i)}'" for i in range(9)
        ]
        assert len(lines) == len(aliases) + len(unknown)

    return Case("alias-bomb-top", sheet("alias-bomb-top", body), [], check)


def _many_aliases() -> Case:
    # Thousands of aliases, under the node limit: reported one by one, quickly (validation
    # once compared every error with every dropped alias: minutes for this file).
    body = "name: &n Many\nkind: person\naliases: [" + ", ".join(["*n"] * 9_000) + "]\n"

    def check(lines: list[str]) -> None:
        assert len(lines) == 9_000
        assert lines[0] == at("many-aliases", 5, 11, ALIAS, "yaml-alias")
        assert lines[-1] == at("many-aliases", 5, 11 + 4 * 8_999, ALIAS, "yaml-alias")

    return Case("many-aliases", sheet("many-aliases", body), [], check)


def _big_file() -> Case:
    # Made by write_case. The size is all the loader may look at.
    return Case("fifty-megabytes", b"", [
        whole("fifty-megabytes", f"file is {BIG:,} bytes; the limit is {MAX_FILE_BYTES:,}",
              "limit")
    ])


def _indented_nesting() -> Case:
    # Nesting by indentation alone: 1,400 levels is what fits under the size limit. The
    # list starts at depth 2 (inside the sheet's mapping), on line 6.
    body = "name: Deep\nkind: person\naliases:\n" + "".join(
        " " * (2 + i) + "-\n" for i in range(1_400)
    )
    return Case("nesting-indented", sheet("nesting-indented", body), [
        at("nesting-indented", 6 + MAX_DEPTH, 3 + MAX_DEPTH, DEEP, "limit"),
    ])


def cases() -> list[Case]:
    deep = 10_000
    return [
        _alias_bomb(),
        _alias_bomb_at_the_top(),
        _many_aliases(),
        Case("nesting-flow", sheet(
            "nesting-flow", "name: Deep\nkind: person\naliases: " + "[" * deep + "x"
            + "]" * deep + "\n"), [at("nesting-flow", 5, 10 + MAX_DEPTH, DEEP, "limit")]),
        Case("nesting-flow-mapping", sheet(
            "nesting-flow-mapping", "name: Deep\nkind: person\nsummary: " + "{a: " * deep + "x"
            + "}" * deep + "\n"),
            [at("nesting-flow-mapping", 5, 10 + 4 * MAX_DEPTH, DEEP, "limit")]),
        Case("nesting-block", sheet(
            "nesting-block", "name: Deep\nkind: person\naliases:\n  " + "- " * deep + "x\n"),
            [at("nesting-block", 6, 3 + 2 * MAX_DEPTH, DEEP, "limit")]),
        _indented_nesting(),
        Case("nesting-under-the-limit", sheet(
            "nesting-under-the-limit", "name: Deep\nkind: person\naliases: "
            + "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1) + "\n"),
            [at("nesting-under-the-limit", 5, 11,
                "item 1 of 'aliases' must be text; got a list", "type")]),
        _big_file(),
        Case("too-many-values", sheet(
            "too-many-values", "name: Many\nkind: person\naliases: [" + "x," * 20_000 + "x]\n"),
            # Nine values come before the list's first item: the mapping, three keys with
            # their values, 'aliases' and its list.
            [at("too-many-values", 5, 11 + 2 * (MAX_NODES - 9), NODES, "limit")]),
        Case("long-text", sheet(
            "long-text", "name: " + "x" * (MAX_TEXT_CHARS + 1) + "\nkind: person\n"),
            [at("long-text", 3, 7, too_long(MAX_TEXT_CHARS + 1), "limit")]),
        Case("long-line", sheet(
            "long-line", "name: Long\nkind: person\nsummary: \"" + "ab " * 300_000 + "\"\n"),
            [at("long-line", 5, 10, too_long(900_000), "limit")]),
        Case("long-key", sheet("long-key", "name: Long\nkind: person\n" + "k" * 2_000 + ": v\n"),
             [at("long-key", 5, 2001, "YAML syntax: could not find expected ':' (while scanning "
                 "a simple key)", "yaml-syntax")]),
        Case("nul-byte", sheet("nul-byte", "name: Nul\x00l\nkind: person\n"),
             [at("nul-byte", 3, 10, "file contains a NUL byte; is it text?", "encoding")]),
        Case("nul-escape", sheet("nul-escape", 'name: "Nul\\0l"\nkind: person\n'),
             [at("nul-escape", 3, 7, not_allowed("0000"), "encoding")]),
        Case("terminal-escape", sheet(
            "terminal-escape", 'name: "\\e[2J\\e[31mred"\nkind: person\n"\\e]0;key": x\n'),
            [at("terminal-escape", 3, 7, not_allowed("001B"), "encoding"),
             at("terminal-escape", 5, 1, not_allowed("001B"), "encoding")]),
        Case("latin-1", sheet("latin-1", "name: Caf\udce9\nkind: person\n"),
             [at("latin-1", 3, 10, "file is not valid UTF-8 (byte 0xe9)", "encoding")]),
        Case("overlong-utf-8", sheet("overlong-utf-8", "name: a\udcc0\udcaf\nkind: person\n"),
             [at("overlong-utf-8", 3, 8, "file is not valid UTF-8 (byte 0xc0)", "encoding")]),
        Case("surrogate-utf-8", sheet(
            "surrogate-utf-8", "name: a\udced\udca0\udc80\nkind: person\n"),
            [at("surrogate-utf-8", 3, 8, "file is not valid UTF-8 (byte 0xed)", "encoding")]),
        Case("utf-16", f"{HEADER}\nid: utf-16\n".encode("utf-16"),
             [at("utf-16", 1, 4, "file contains a NUL byte; is it text?", "encoding")]),
        Case("byte-order-mark-inside", sheet(
            "byte-order-mark-inside", "name: Mark\n\ufeffkind: person\n"),
            [at("byte-order-mark-inside", 4, 2, "YAML syntax: did not find expected key (while "
                "parsing a block mapping that starts on line 2, column 1)", "yaml-syntax")]),
        Case("tabs", sheet("tabs", "name: Tab\nkind: person\naliases:\n\t- Tabby\n"),
             [at("tabs", 6, 1, "YAML syntax: line is indented with a tab; indent with spaces "
                 "only", "yaml-syntax")]),
        Case("tags-that-run-code", sheet("tags-that-run-code", (
            f'name: !!python/object/apply:os.system ["echo pwned > {PWNED}"]\n'
            "kind: person\n"
            f"side: !!python/object/new:subprocess.Popen [[touch, {PWNED}]]\n"
            f"summary: !!python/object/apply:builtins.exec [\"open('{PWNED}', 'w')\"]\n"
            "aliases:\n"
            "  - !!python/name:os.system ''\n"
            "  - !!python/module:os ''\n"
            f"  - !<tag:yaml.org,2002:python/object/apply:os.system> [touch {PWNED}]\n"
        )), [
            at("tags-that-run-code", 3, 7, tag("!!python/object/apply:os.system"), "yaml-tag"),
            at("tags-that-run-code", 5, 7, tag("!!python/object/new:subprocess.Popen"),
               "yaml-tag"),
            at("tags-that-run-code", 6, 10, tag("!!python/object/apply:builtins.exec"),
               "yaml-tag"),
            at("tags-that-run-code", 8, 5, tag("!!python/name:os.system"), "yaml-tag"),
            at("tags-that-run-code", 9, 5, tag("!!python/module:os"), "yaml-tag"),
            at("tags-that-run-code", 10, 5, tag("!!python/object/apply:os.system"), "yaml-tag"),
        ]),
        Case("other-tags", (
            f"%TAG !e! tag:evil.example,2025:\n---\n{HEADER}\nid: other-tags\n"
            "name: !e!person Tagged\nkind: !local person\nsummary: !!binary aGk=\n"
            "aliases: !!set {a, b}\nside: !!omap [a: 1]\n" + FACTS
        ).encode(), [
            # The sheet's other checks still run: its first line is not the schema line.
            at("other-tags", 1, 1, f"warning: first line must be '{HEADER}' so editors get "
               "completion and checks", "schema-line"),
            at("other-tags", 5, 7, tag("tag:evil.example,2025:person"), "yaml-tag"),
            at("other-tags", 6, 7, tag("!local"), "yaml-tag"),
            at("other-tags", 7, 10, tag("!!binary"), "yaml-tag"),
            at("other-tags", 8, 10, tag("!!set"), "yaml-tag"),
            at("other-tags", 9, 7, tag("!!omap"), "yaml-tag"),
        ]),
        # A merge key would let a reviewer read one value while the loader keeps another.
        Case("merge-smuggles-certainty", sheet(
            "merge-smuggles-certainty", "name: Merge\nkind: person\n", facts=(
                "facts:\n  - <<: {certainty: confirmed}\n    text: Is a rumour.\n"
                "    sources: [second-report]\n    certainty: possible\n")),
            [at("merge-smuggles-certainty", 6, 5, "merge keys (<<) are not supported",
                "yaml-merge")]),
        Case("merge-smuggles-id", sheet(
            "merge-smuggles-id", "<<: {id: alice-envoy, name: Alice Envoy}\nname: Merge\n"
            "kind: person\n"),
            [at("merge-smuggles-id", 3, 1, "merge keys (<<) are not supported", "yaml-merge")]),
        Case("second-document", sheet(
            "second-document", "name: First\nkind: person\n", facts=FACTS + "---\nid: second\n"),
            [at("second-document", 9, 1, "a fact sheet is one YAML document; found a second "
                "one ('---')", "yaml-syntax")]),
        Case("second-document-after-end", sheet(
            "second-document-after-end", "name: First\nkind: person\n",
            facts=FACTS + "...\n--- !!python/object:os.system\n"),
            [at("second-document-after-end", 10, 1, "a fact sheet is one YAML document; "
                "found a second one ('---')", "yaml-syntax")]),
        Case("keys-that-are-not-words", sheet("keys-that-are-not-words", (
            "name: Keys\nkind: person\n? [side, summary]\n: both\n{a: 1}: x\n~: nothing\n"
            "? - listed\n")), [
            at("keys-that-are-not-words", 5, 3, "keys must be plain words", "yaml-key"),
            at("keys-that-are-not-words", 7, 1, "keys must be plain words", "yaml-key"),
            at("keys-that-are-not-words", 8, 1, "keys must be plain words", "yaml-key"),
            at("keys-that-are-not-words", 9, 3, "keys must be plain words", "yaml-key"),
        ]),
        # Keys YAML would read as numbers, booleans or dates stay the words written.
        Case("keys-that-look-like-values", sheet("keys-that-look-like-values", (
            "name: Keys\nkind: person\n1: x\ntrue: x\n2025-11-27: x\n")), [
            at("keys-that-look-like-values", 5, 1, "unknown key '1'; expected one of "
               + EXPECTED_KEYS, "unknown-key"),
            at("keys-that-look-like-values", 6, 1, "unknown key 'true'; expected one of "
               + EXPECTED_KEYS, "unknown-key"),
            at("keys-that-look-like-values", 7, 1, "unknown key '2025-11-27'; expected one of "
               + EXPECTED_KEYS, "unknown-key"),
        ]),
        Case("alias-as-key", sheet("alias-as-key", "&k name: Alias\nkind: person\n*k : again\n"),
             [at("alias-as-key", 5, 1, ALIAS, "yaml-alias")]),
    ]


CASES = cases()
#: Inputs that are accepted: a byte-order mark before the schema line.
ACCEPTED = {"byte-order-mark": b"\xef\xbb\xbf" + sheet("byte-order-mark", "name: Mark\n"
                                                      "kind: person\n")}


ACCEPTED_FILES = {f"content/actors/{name}.yml": data for name, data in ACCEPTED.items()}
#: The source the hostile sheets' facts cite (the sample project has it too).
CITED = {"content/sources/second-report.yml": (
    f"{schema_line('sources')}\nid: second-report\ntitle: A report\nkind: news\n"
).encode()}


def write_case(root: Path, case: Case) -> None:
    path = root / case.path
    path.parent.mkdir(parents=True, exist_ok=True)
    if case.name != "fifty-megabytes":
        path.write_bytes(case.data)
        return
    # 50 MB by size: a sheet's beginning, then a hole the file system does not store (it
    # reads as NUL bytes, so a loader that read the file would say so instead of naming the
    # limit). Fast to make, and no 50 MB written to disk on every run.
    with path.open("wb") as handle:
        handle.write(sheet(case.name, "name: Big\nkind: person\nsummary: x\n"))
        handle.truncate(BIG)
    assert path.stat().st_size == BIG


# --- running the check -------------------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    seconds: float  # CPU time of this process
    wall: float
    peak: int  # bytes allocated by Python at the highest point (tracemalloc)

    def lines(self, path: str) -> list[str]:
        return [x for x in self.out.splitlines() if x.startswith(path + ":")]


def run_check(root: Path, capsys: pytest.CaptureFixture[str]) -> Outcome:
    """`briefing check` in this process: timed, then run again with its memory traced
    (tracing makes Python several times slower, so it is kept out of the timing)."""
    start, cpu = time.perf_counter(), time.process_time()
    code = main(["--root", str(root), "check"])
    seconds, wall = time.process_time() - cpu, time.perf_counter() - start
    out, err = capsys.readouterr()
    gc.collect()
    tracemalloc.start()
    try:
        assert main(["--root", str(root), "check"]) == code
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert capsys.readouterr() == (out, err)
    return Outcome(code, out, err, seconds, wall, peak)


def _limit_memory() -> None:  # runs in the child, before it runs the new interpreter
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))


@dataclass
class Process:
    status: int  # as os.waitstatus_to_exitcode: negative for a signal
    out: str
    err: str
    max_rss: int  # bytes


@pytest.fixture(scope="module")
def all_at_once(tmp_path_factory: pytest.TempPathFactory) -> Process:
    """Every hostile input in one project, checked by one real process under 500 MB."""
    root = tmp_path_factory.mktemp("hostile") / "project"
    for case in CASES:
        write_case(root, case)
    for relative, data in {**ACCEPTED_FILES, **CITED}.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    out_path, err_path = root.parent / "out.txt", root.parent / "err.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "generator", "--root", str(root), "check"],
            stdout=out, stderr=err, stdin=subprocess.DEVNULL, preexec_fn=_limit_memory,
        )
        # os.wait4, not Popen.wait: it gives this child's own peak memory.
        deadline = time.monotonic() + 120
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                child.kill()
            time.sleep(0.01)
        child.returncode = os.waitstatus_to_exitcode(status)
    return Process(child.returncode, out_path.read_text("utf-8"), err_path.read_text("utf-8"),
                   usage.ru_maxrss * 1024)


def test_every_input_at_once_in_one_bounded_process(all_at_once: Process) -> None:
    result = all_at_once
    assert result.status == EXIT_PROBLEMS, (result.status, result.err[-2000:])
    assert "Traceback" not in result.out + result.err
    assert result.err == POINTER  # nothing but where the rules are explained
    assert result.max_rss < MEMORY
    lines = result.out.splitlines()
    assert lines[-1].startswith(f"{1 + len(CASES) + len(ACCEPTED)} files checked: ")
    problem = re.compile(r"content/actors/[a-z0-9-]+\.yml(:\d+:\d+)?: .+ \[[a-z-]+\]")
    for line in lines[:-1]:  # every line is one located problem with a rule id
        assert problem.fullmatch(line), line
    for case in CASES:
        shown = [x for x in lines if x.startswith(case.path + ":")]
        if case.check:
            case.check(shown)
        else:
            assert shown == case.expected, case.name
    assert not PWNED.exists()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(
    case: Case, all_at_once: Process, make_project: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Run in this process only when a separate one survived it (a libyaml crash would take
    # the whole test run down).
    assert all_at_once.status == EXIT_PROBLEMS, all_at_once.err[-2000:]
    root = make_project()
    write_case(root, case)
    result = run_check(root, capsys)
    assert result.code == EXIT_PROBLEMS, result.out
    assert "Traceback" not in result.out + result.err
    assert result.err == POINTER
    lines = result.out.splitlines()
    shown = result.lines(case.path)
    assert lines[:-1] == shown, "problems in files other than the hostile one"
    if case.check:
        case.check(shown)
    else:
        assert shown == case.expected
    errors = len([x for x in shown if ": warning: " not in x])
    warnings = len(shown) - errors
    assert lines[-1] == f"12 files checked: {errors} error{'s' if errors != 1 else ''}" + (
        f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "")
    assert result.seconds < SECONDS, f"{case.name}: {result.seconds:.2f} s"
    assert result.peak < MEMORY
    assert not PWNED.exists()


def test_a_byte_order_mark_is_accepted(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(ACCEPTED_FILES)
    result = run_check(root, capsys)
    assert (result.code, result.out) == (EXIT_OK, "12 files checked: no problems\n")


def test_a_big_file_is_measured_not_read(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The 50 MB file is refused from its size: neither `check` nor the build's workspace
    (which also hashes files to skip unchanged ones) reads it into memory."""
    case = next(c for c in CASES if c.name == "fifty-megabytes")
    root = make_project()
    write_case(root, case)
    result = run_check(root, capsys)
    assert result.lines(case.path) == case.expected
    assert result.peak < 5 * 2**20, f"check held {result.peak:,} bytes"
    gc.collect()
    tracemalloc.start()
    try:
        checked = pipeline.Workspace(root).check()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [p.format() for p in checked.problems] == case.expected
    assert peak < 5 * 2**20, f"the workspace held {peak:,} bytes"


# --- files that are not plain files ------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_not_opened(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # Opening a pipe nobody writes to would wait for ever.
    root = make_project()
    os.mkfifo(root / "content/actors/pipe.yml")
    result = run_check(root, capsys)
    assert (result.code, result.out) == (EXIT_OK, "11 files checked: no problems\n")
    assert result.wall < HANG


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_links_that_go_nowhere_or_out_are_refused(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """tests/content/test_validate.py covers a link to a file outside; these are the other links a
    pull request can add: to a device that never ends, loops, dangling links, and a folder
    outside (which rglob does not follow, so its sheets would silently be missing)."""
    root = make_project()
    actors = root / "content/actors"
    (actors / "zero.yml").symlink_to("/dev/zero")
    (actors / "loop.yml").symlink_to("loop.yml")
    (actors / "ping.yml").symlink_to("pong.yml")
    (actors / "pong.yml").symlink_to("ping.yml")
    (actors / "gone.yml").symlink_to("nowhere.yml")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "stranger.yml").write_text(f"{HEADER}\nid: stranger\n", encoding="utf-8")
    (root / "content/elsewhere").symlink_to(outside, target_is_directory=True)
    result = run_check(root, capsys)
    nowhere = "is a link to a file that does not exist (or a loop of links)"
    assert result.out.splitlines() == [
        "content/actors/gone.yml: " + nowhere + " [symlink]",
        "content/actors/loop.yml: " + nowhere + " [symlink]",
        "content/actors/ping.yml: " + nowhere + " [symlink]",
        "content/actors/pong.yml: " + nowhere + " [symlink]",
        "content/actors/zero.yml: is a link to a file outside the content folder; fact sheets "
        "must live inside it [symlink]",
        "content/elsewhere: is a link to a folder outside the content folder; fact sheets must "
        "live inside it [symlink]",
        "11 files checked: 6 errors",
    ]
    assert result.code == EXIT_PROBLEMS
    assert result.seconds < SECONDS and result.wall < HANG  # /dev/zero: not read, not waited



def test_the_limits_are_documented() -> None:
    """README's "Limits" section gives each limit's error as `briefing check` prints it, and
    the graph's."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## Limits\n"):]
    for error in [
        f"bytes; the limit is {MAX_FILE_BYTES:,} [limit]",
        f"{DEEP} [limit]",
        f"{NODES} [limit]",
        f"characters long; the limit is {MAX_TEXT_CHARS:,} [limit]",
        f"{ALIAS} [yaml-alias]",
        f"at most {GRAPH_BOX} characters of a name",
    ]:
        assert error in section, error


# --- names Graphviz would read as something else -----------------------------------------------

#: Names that pass `briefing check` and that Graphviz, given as they are, would read as other
#: text: its escapes (\N is the node's id, \G the graph's name, \n a line break), HTML entities
#: (one a lone surrogate, which crashed the build; one a control character), DOT syntax, and
#: every kind of character a name may hold. Longer than the graph's boxes (80 characters), and
#: longer than the most Graphviz reads in one string (16,384 bytes), up to the loader's limit.
GRAPH_NAMES = {
    "escapes": r"\N \G \E \T \H \L \n \l \r",
    "backslashes": "\\ a\\\\b x\\",
    "entities": "&lt;b&gt; &amp;amp; &nbsp; &#45;&#45; &#x3C;script&#x3E;",
    "surrogate-entity": "&#xD800;&#xDFFF;",
    "control-entities": "&#1; &#x1b;[31m &#0; &#x85;",
    "markup": "<b>bold</b> \"quoted\" 'single' a > b <!-- x --> ]]>",
    "dot-syntax": '"]; x [label="y"]; } digraph { <b> -> "',
    "direction-controls": "\u202eevil\u202c.exe \u2067isolate\u2069 then",
    "astral": "\U0001f600 \U0001d54f \U00013000 \U0001f469\u200d\U0001f469\u200d\U0001f467",
    "combining": "e\u0301 n\u0303 Z\u0351\u0352\u0353 \u0915\u094d\u0937",
    "line-breaks": "first\nsecond\u0085third\u2028fourth\tfifth",
    "longest-box": "w" * 80,
    "one-too-long": "w" * 81,
    "over-graphviz-limit": "&\\" * 8_193,
    "at-the-loader-limit": "&\\\U0001f600\u202e" * (MAX_TEXT_CHARS // 4),
}
#: Most characters the graph writes in a box or on an arrow (as README's "Limits" says).
GRAPH_BOX = 80
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")


def page_text(name: str) -> str:
    """What an actor's page shows of its name: whitespace folded, direction controls written out
    as their character reference."""
    return _DIRECTION.sub(lambda m: f"&#x{ord(m.group()):04x};", " ".join(name.split()))


def boxed(text: str) -> str:
    return text if len(text) <= GRAPH_BOX else text[: GRAPH_BOX - 1].rstrip() + "…"


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, every character kept (JSON is YAML, once the
    line breaks that YAML reads as its own are escaped)."""
    quoted = json.dumps(text, ensure_ascii=False)
    return quoted.replace("\x85", "\\u0085").replace("\u2028", "\\u2028")


def graph_sheet(n: int, name: str) -> str:
    return (f"{HEADER}\nid: graph-{n}\nname: {yaml_quoted(name)}\nkind: person\nroles:\n"
            f"  - title: {yaml_quoted(name)}\n    of: northland\n"
            "    facts:\n      - text: Has a role.\n        sources: [test-report]\n"
            "        certainty: reported\n" + FACTS)


def test_the_graph_shows_every_name_as_its_page_does(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`check` passes these names, and the relationship graph, laid out by the real `dot`,
    shows each in its box (shortened with an ellipsis past 80 characters, in lines broken at its
    spaces), its link's tooltip and on its arrow (as written) as the page shows it: no escape or
    entity read, no character changed, nothing that stops the build."""
    names = list(GRAPH_NAMES.values())
    root = make_project({f"content/actors/graph-{n}.yml": graph_sheet(n, name)
                         for n, name in enumerate(names)})
    result = run_check(root, capsys)
    assert (result.code, result.out) == (EXIT_OK, f"{11 + len(names)} files checked: "
                                         "no problems\n")
    briefing = check(root / "content", root).briefing()
    monkeypatch.setattr(svg, "MAX_GRAPH_NODES", 100)
    drawing = svg.relations_graph(briefing, lambda sheet: f"/{sheet.folder}/{sheet.id}/").markup
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd]", drawing)
    root_element = ElementTree.fromstring(drawing)
    boxes = {a.get("href"): a for a in root_element.iter(f"{{{SVG}}}a")}
    arrows = [" ".join("".join(t.itertext()) for t in g.iter(f"{{{SVG}}}text"))
              for g in root_element.iter(f"{{{SVG}}}g") if g.get("class") == "edge"]
    for n, name in enumerate(names):
        box = boxes[f"/actors/graph-{n}/"]
        label = " ".join("".join(t.itertext()) for t in box.iter(f"{{{SVG}}}text"))
        assert label == boxed(page_text(name)), list(GRAPH_NAMES)[n]
        assert box.get(f"{{{XLINK}}}title") == page_text(name), list(GRAPH_NAMES)[n]
        assert boxed(page_text(name)) in arrows, list(GRAPH_NAMES)[n]
