"""The strict YAML loader: text stays text, every key and value has a mark, limits hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.content import loader
from generator.content.loader import MAX_DEPTH, MAX_FILE_BYTES, MAX_TEXT_CHARS, load_file, load_text
from generator.content.yamlparse import compose
from generator.errors import Problem


def load(text: str) -> tuple[Any, loader.Marks, list[Problem]]:
    return load_text(text, "f.yml")


def lines(problems: list[Problem]) -> list[str]:
    return [p.format() for p in problems]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("2025-11-27", "2025-11-27"),  # a date stays the text the editor wrote
        ("2025-11", "2025-11"),
        ("2025", "2025"),
        ("late 2025-10", "late 2025-10"),
        ("2025-11-27T10:00:00Z", "2025-11-27T10:00:00Z"),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("true", "true"),
        ("False", "False"),
        ("12", "12"),
        ("012", "012"),
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        ("1.50", "1.50"),
        ("1e3", "1e3"),
        (".inf", ".inf"),
        (".nan", ".nan"),
        ("'2025-11-27'", "2025-11-27"),
        ('"yes"', "yes"),
        ("'null'", "null"),
        ("''", ""),
        ("~", None),
        ("null", None),
        ("Null", None),
        ("", None),
    ],
)
def test_scalars_stay_text(written: str, value: str | None) -> None:
    data, _, problems = load(f"key: {written}\n")
    assert problems == []
    assert data == {"key": value}


def test_keys_stay_text() -> None:
    data, _, problems = load("1: a\nyes: b\n2025-11-27: c\n")
    assert problems == []
    assert data == {"1": "a", "yes": "b", "2025-11-27": "c"}


def test_block_scalars_keep_their_text() -> None:
    data, _, problems = load("a: |\n  one\n  two\nb: >\n  folded\n  line\n")
    assert problems == []
    assert data == {"a": "one\ntwo\n", "b": "folded line\n"}


SHEET = """\
# comment line
id: x
facts:
  - text: One.
    sources: [a, b]
    certainty: reported
  - text: >-
      Two.
    sources:
      - c
"""


def test_marks_of_keys_and_values() -> None:
    data, marks, problems = load(SHEET)
    assert problems == []
    assert data["facts"][1] == {"text": "Two.", "sources": ["c"]}
    assert marks.keys[("id",)] == (2, 1)
    assert marks.values[("id",)] == (2, 5)
    assert marks.values[()] == (2, 1)
    assert marks.keys[("facts", 0, "certainty")] == (6, 5)
    assert marks.values[("facts", 0, "certainty")] == (6, 16)
    assert marks.values[("facts", 0, "sources", 1)] == (5, 18)
    assert marks.values[("facts", 1)] == (7, 5)
    assert marks.values[("facts", 1, "text")] == (7, 11)
    assert marks.values[("facts", 1, "sources", 0)] == (10, 9)


def test_marks_fall_back_to_the_nearest_parent() -> None:
    _, marks, _ = load(SHEET)
    # A list item has no key: its own position.
    assert marks.of_key(("facts", 0, "sources", 1)) == (5, 18)
    # A key that is not there (a missing field): the mapping that lacks it.
    assert marks.of_value(("facts", 1, "certainty")) == (7, 5)
    assert marks.of_key(("facts", 1, "certainty")) == (7, 5)
    assert marks.of_value(("nowhere",)) == (2, 1)


def test_empty_marks_point_at_the_first_line() -> None:
    assert loader.Marks().of_value(("a",)) == (1, 1)
    assert loader.Marks().of_key(("a",)) == (1, 1)


def test_duplicate_keys_keep_the_first_and_report_the_second() -> None:
    data, _, problems = load("a: 1\nb:\n  c: 2\n  c: 3\na: 4\n")
    assert data == {"a": "1", "b": {"c": "2"}}
    assert lines(problems) == [
        "f.yml:4:3: duplicate key 'c' (first given on line 3) [duplicate-key]",
        "f.yml:5:1: duplicate key 'a' (first given on line 1) [duplicate-key]",
    ]


def test_an_anchor_alone_is_fine_an_alias_is_reported_where_it_is() -> None:
    data, _, problems = load("a: &x hi\n")
    assert (data, problems) == ({"a": "hi"}, [])
    data, marks, problems = load("a: &x hi\nb: [1, *x]\n")
    assert data == {"a": "hi", "b": ["1", None]}
    assert lines(problems) == [
        "f.yml:2:8: anchors and aliases (&name, *name) are not supported [yaml-alias]"
    ]
    assert ("b", 1) in marks.dropped


def test_alias_bomb_stops_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    data, _, problems = load(bomb)
    assert {p.rule for p in problems} == {"yaml-alias"}
    assert len(problems) == 8 * 9  # one per alias written, nothing expanded
    assert data["a"] == ["x"] * 9


def test_merge_keys_are_reported() -> None:
    data, _, problems = load("a: &x {k: v}\nb:\n  <<: *x\n  j: w\n")
    assert data["b"] == {"j": "w"}
    assert lines(problems) == ["f.yml:3:3: merge keys (<<) are not supported [yaml-merge]"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!python/object/apply:os.system [ls]\n", "'!!python/object/apply:os.system'"),
        ("a: !!python/name:os.system x\n", "'!!python/name:os.system'"),
        ("a: !local x\n", "'!local'"),
        ("a: !!set {x}\n", "'!!set'"),
        ("a: !!binary aGk=\n", "'!!binary'"),
        ("a: !!omap [x: 1]\n", "'!!omap'"),
    ],
)
def test_tags_are_reported_and_never_constructed(text: str, expected: str) -> None:
    data, marks, problems = load(text)
    assert data == {"a": None}
    assert lines(problems) == [f"f.yml:1:4: unsupported YAML tag {expected} [yaml-tag]"]
    assert ("a",) in marks.dropped


def test_standard_scalar_tags_are_text() -> None:
    data, _, problems = load("a: !!str 12\nb: !!int 3\nc: !!null ''\n")
    assert (data, problems) == ({"a": "12", "b": "3", "c": None}, [])


def test_a_second_document_is_an_error() -> None:
    data, _, problems = load("a: 1\n---\nb: 2\n")
    assert data is None
    assert lines(problems) == [
        "f.yml:2:1: a fact sheet is one YAML document; found a second one ('---') [yaml-syntax]"
    ]


def test_a_leading_document_marker_is_fine() -> None:
    data, _, problems = load("---\na: 1\n...\n")
    assert (data, problems) == ({"a": "1"}, [])


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_documents(text: str) -> None:
    data, _, problems = load(text)
    if text == "---\n":  # an explicit empty document is null; load_file says not-a-mapping
        assert (data, problems) == (None, [])
        return
    assert data is None
    assert lines(problems) == ["f.yml: file is empty [empty-file]"]


def test_tab_indentation_is_named() -> None:
    _, _, problems = load("a:\n\tb: 1\n")
    assert lines(problems) == [
        "f.yml:2:1: YAML syntax: line is indented with a tab; indent with spaces only [yaml-syntax]"
    ]


def test_unclosed_flow_list_names_where_it_starts() -> None:
    _, _, problems = load("a: [x, y\nb: 1\n")
    assert len(problems) == 1
    assert problems[0].rule == "yaml-syntax"
    assert "starts on line 1, column 4" in problems[0].message


def test_control_character_is_located_in_characters_not_bytes() -> None:
    _, _, problems = load("a: é😀\x07\n")
    assert lines(problems) == [
        "f.yml:1:6: file contains the character U+0007, which YAML does not allow [encoding]"
    ]


# --- limits ------------------------------------------------------------------------------------


def nested(levels: int) -> str:
    return "a: " + "[" * levels + "x" + "]" * levels + "\n"


def test_nesting_up_to_the_limit_is_accepted() -> None:
    _, _, problems = load(nested(MAX_DEPTH - 1))
    assert problems == []


def test_nesting_beyond_the_limit_names_the_limit() -> None:
    data, _, problems = load(nested(MAX_DEPTH + 5))
    assert [p.rule for p in problems] == ["limit"]
    assert problems[0].message == f"nesting is deeper than the limit of {MAX_DEPTH} levels"
    assert problems[0].line == 1
    assert data is not None  # the shallow part is kept, to report other problems too


@pytest.mark.parametrize(
    "text",
    [
        nested(100_000),  # would crash libyaml's recursive composer (segfault, not an error)
        "- " * 100_000 + "x\n",
        "? " * 100_000 + "x\n",
    ],
    ids=["flow", "block-entries", "explicit-keys"],
)
def test_hostile_nesting_is_refused_before_composing(text: str) -> None:
    data, _, problems = load(text)
    assert data is None
    assert [(p.rule, p.message) for p in problems] == [
        ("limit", f"nesting is deeper than the limit of {MAX_DEPTH} levels")
    ]


def test_long_text_names_the_limit() -> None:
    data, marks, problems = load("a: ok\nb: " + "x" * (MAX_TEXT_CHARS + 1) + "\n")
    assert data == {"a": "ok", "b": None}
    assert lines(problems) == [
        f"f.yml:2:4: text is {MAX_TEXT_CHARS + 1:,} characters long; "
        f"the limit is {MAX_TEXT_CHARS:,} [limit]"
    ]
    assert ("b",) in marks.dropped
    _, _, problems = load("a: " + "x" * MAX_TEXT_CHARS + "\n")
    assert problems == []


# --- files ---------------------------------------------------------------------------------------


def write(tmp_path: Path, data: bytes, name: str = "x.yml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_load_file_returns_a_raw_sheet(tmp_path: Path) -> None:
    path = write(tmp_path, b"# schema line\nid: x\nname: Caf\xc3\xa9\n")
    raw, problems = load_file(path, "content/actors/x.yml", "actors")
    assert problems == []
    assert raw is not None
    assert (raw.path, raw.folder, raw.stem) == ("content/actors/x.yml", "actors", "x")
    assert raw.data == {"id": "x", "name": "Café"}
    assert raw.first_line == "# schema line"


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf# schema line\nid: x\n")
    raw, problems = load_file(path, "x.yml", "actors")
    assert problems == []
    assert raw is not None
    assert raw.data == {"id": "x"}
    assert raw.first_line == "# schema line"  # no BOM in front of the schema line
    assert raw.marks.values[("id",)] == (2, 5)


def test_file_size_names_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path, b"a: " + b"x" * MAX_FILE_BYTES + b"\n")
    raw, problems = load_file(path, "x.yml", "actors")
    assert raw is None
    assert lines(problems) == [
        f"x.yml: file is {MAX_FILE_BYTES + 4:,} bytes; the limit is {MAX_FILE_BYTES:,} [limit]"
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"id: x\nname: Caf\xe9\n", "x.yml:2:10: file is not valid UTF-8 (byte 0xe9) [encoding]"),
        (
            b"id: x\nname: \xc3\xa9\xff\n",
            "x.yml:2:8: file is not valid UTF-8 (byte 0xff) [encoding]",
        ),
        (b"id: x\x00\n", "x.yml:1:6: file contains a NUL byte; is it text? [encoding]"),
        (b"\xff\xfei\x00d\x00", "x.yml:1:4: file contains a NUL byte; is it text? [encoding]"),
    ],
    ids=["latin-1", "after-multibyte", "nul", "utf-16"],
)
def test_encoding_problems_are_located(tmp_path: Path, data: bytes, expected: str) -> None:
    raw, problems = load_file(write(tmp_path, data), "x.yml", "actors")
    assert raw is None
    assert lines(problems) == [expected]


def test_unreadable_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    raw, problems = load_file(tmp_path / "missing.yml", "missing.yml", "actors")
    assert raw is None
    assert [p.rule for p in problems] == ["io"]


@pytest.mark.parametrize(("data", "where"), [(b"- a\n- b\n", "1:1"), (b"# c\njust text\n", "2:1")])
def test_a_sheet_must_be_a_mapping(tmp_path: Path, data: bytes, where: str) -> None:
    raw, problems = load_file(write(tmp_path, data), "x.yml", "actors")
    assert raw is None
    assert lines(problems) == [
        f"x.yml:{where}: a fact sheet must be a mapping of keys to values [not-a-mapping]"
    ]


def test_load_file_keeps_data_with_loader_problems(tmp_path: Path) -> None:
    raw, problems = load_file(write(tmp_path, b"id: x\nid: y\n"), "x.yml", "actors")
    assert raw is not None and raw.data == {"id": "x"}
    assert [p.rule for p in problems] == ["duplicate-key"]


# --- the fast path: data without marks, marks found when first asked for -------------------

REPO = Path(__file__).resolve().parent.parent.parent
EVERY_SHEET = sorted(
    path
    for folder in (REPO / "content", REPO / "tests" / "cases")
    for path in folder.rglob("*.yml")
    if path.is_file()
)


def _full_walk(text: str) -> tuple[Any, loader.Marks, list[Problem]]:
    walker = loader._Walker("f.yml")
    return walker.walk(compose(text), ()), walker.marks, walker.problems


@pytest.mark.parametrize("path", EVERY_SHEET, ids=lambda p: p.relative_to(REPO).as_posix())
def test_fast_path_gives_what_the_full_walk_gives(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    data, marks, problems = load(text)
    if data is None:
        return  # refused before a full walk: tested elsewhere
    expected = _full_walk(text)
    assert (data, problems) == (expected[0], expected[2])
    assert (marks.keys, marks.values, marks.dropped) == (
        expected[1].keys, expected[1].values, expected[1].dropped)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: 1\na: 2\n",
        "a: !!binary aGk=\n",
        "<<: {a: 1}\n",
        "? [a]\n: 1\n",
        "~: 1\n",
        "a: " + "x" * (MAX_TEXT_CHARS + 1) + "\n",
        "a: " + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "\n",
    ],
    ids=["alias", "duplicate", "tag", "merge", "list-key", "null-key", "long", "deep"],
)
def test_what_the_fast_path_does_not_take_is_reported(text: str) -> None:
    with pytest.raises(loader._Unusual):
        loader._plain(compose(text), 0, set())
    data, marks, problems = load(text)
    assert len(problems) == 1, lines(problems)


def test_an_escaped_character_yaml_does_not_allow_is_found() -> None:
    # The fast path is not tried on a file with a backslash: only the full walk looks at what
    # an escape wrote.
    assert lines(load('a: "line\\u0007bell"\n')[2]) == [
        "f.yml:1:4: text contains the character U+0007, which YAML does not allow (written "
        "as an escape) [encoding]"]


def test_marks_of_a_clean_file_are_found_when_asked() -> None:
    data, marks, problems = load("id: x\nfacts:\n  - text: a\n    sources: [s]\n")
    assert problems == []
    assert data == {"id": "x", "facts": [{"text": "a", "sources": ["s"]}]}
    assert marks.of_value(("facts", 0, "sources", 0)) == (4, 15)
    assert marks.of_key(("facts", 0, "text")) == (3, 5)
    assert marks.dropped == set()
