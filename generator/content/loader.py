"""Read fact-sheet files into plain data, keeping the line and column of every key and value.

YAML is composed into nodes by libyaml (the pure-Python loader only when libyaml is missing)
and turned into data here, so that:

* every scalar stays the text the editor wrote (``2024-03-15`` and ``yes`` are strings, as they
  are to JSON Schema and the editor's YAML 1.2 language server), except null;
* duplicate keys, merge keys, aliases and unknown tags are errors, not silent surprises;
* hostile input stops at documented limits instead of exhausting memory.

A file with nothing to report (nearly all of them) takes a fast path that builds the data
alone; its marks are found by composing it again if a later check needs to point into it.
Anything unusual sends the file through the full walk, which reports it with its place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.content.yamlparse import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    MAX_TEXT_CHARS,
    SCALAR_TAGS,
    TAG_MAP,
    TAG_MERGE,
    TAG_NULL,
    TAG_SEQ,
    TAG_STR,
    UNPRINTABLE,
    Location,
    Parser,
    alias_problems,
    compose,
    decode,
    over_limits,
    syntax_problem,
    tag_as_written,
)
from generator.content.yamlparse import position as _position
from generator.errors import BriefingError, Problem

__all__ = [  # the limits are set in yamlparse and given here too, beside what they limit
    "MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NODES", "MAX_TEXT_CHARS", "DataPath", "Marks",
    "RawSheet", "load_bytes", "load_file", "load_text", "read_file",
]

DataPath = tuple[str | int, ...]


class Marks:
    """Where each key and value of one file stands (1-based line, column).

    Most files have no problem to point at, so the marks of a file that loaded cleanly are
    found only when first asked for, by composing its text again (``Marks.later``)."""

    def __init__(self) -> None:
        self._keys: dict[DataPath, Location] = {}
        self._values: dict[DataPath, Location] = {}
        #: Values the loader replaced with nothing after reporting why (an alias, a tag, a
        #: limit).
        self._dropped: set[DataPath] = set()
        self._text: str | None = None

    @classmethod
    def later(cls, text: str) -> Marks:
        """The marks of ``text``, a document the fast path loaded without a problem."""
        marks = cls()
        marks._text = text
        return marks

    def _filled(self) -> Marks:
        if self._text is not None:
            text, self._text = self._text, None
            node = compose(text)
            if node is not None:
                _Walker("", self).walk(node, ())
        return self

    @property
    def keys(self) -> dict[DataPath, Location]:
        return self._filled()._keys

    @property
    def values(self) -> dict[DataPath, Location]:
        return self._filled()._values

    @property
    def dropped(self) -> set[DataPath]:
        return self._filled()._dropped

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Marks):
            return NotImplemented
        return (self.keys, self.values, self.dropped) == (other.keys, other.values, other.dropped)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def of_key(self, path: DataPath) -> Location:
        """The key naming ``path`` (or, for a list item, the item); else the nearest parent."""
        keys, values = self.keys, self.values
        while path:
            if path in keys:
                return keys[path]
            if path in values:
                return values[path]
            path = path[:-1]
        return values.get((), (1, 1))

    def of_value(self, path: DataPath) -> Location:
        """The value at ``path``; else the nearest parent's."""
        values = self.values
        while path:
            if path in values:
                return values[path]
            path = path[:-1]
        return values.get((), (1, 1))


@dataclass
class RawSheet:
    """One file's data before validation."""

    path: str  # as shown to editors: content/actors/x.yml
    folder: str
    stem: str
    data: dict[str, Any]
    marks: Marks
    first_line: str = ""
    text: str = field(default="", repr=False)  # the file as read, for checks on the whole text


class _Walker:
    """Data and marks of a composed document, reporting everything this loader refuses."""

    def __init__(self, display: str, marks: Marks | None = None):
        self.display = display
        self.marks = marks if marks is not None else Marks()
        self.problems: list[Problem] = []
        self._seen: set[int] = set()
        self.aliased = False

    def error(self, node: yaml.Node, message: str, rule: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.display, mark.line + 1, mark.column + 1, message, rule))

    def walk(self, node: yaml.Node, path: DataPath) -> Any:
        if id(node) in self._seen:
            # Aliases make one node appear in many places; they are how alias bombs work.
            # The node carries its anchor's mark, so load_text finds where the aliases stand.
            self.aliased = True
            self.marks._dropped.add(path)
            return None
        self._seen.add(id(node))
        self.marks._values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        before = len(self.problems)
        value = self._node(node, path)
        if value is None and len(self.problems) > before:
            self.marks._dropped.add(path)
        return value

    def _node(self, node: yaml.Node, path: DataPath) -> Any:
        if len(path) > MAX_DEPTH:
            self.error(node, f"nesting is deeper than the limit of {MAX_DEPTH} levels", "limit")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != TAG_SEQ:
                self.error(node, f"unsupported YAML tag '{tag_as_written(node.tag)}'", "yaml-tag")
                return None
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != TAG_MAP:
                self.error(node, f"unsupported YAML tag '{tag_as_written(node.tag)}'", "yaml-tag")
                return None
            return self._mapping(node, path)
        raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover

    def _scalar(self, node: yaml.ScalarNode) -> str | None:
        if node.tag == TAG_NULL:
            return None
        if node.tag not in SCALAR_TAGS:
            self.error(node, f"unsupported YAML tag '{tag_as_written(node.tag)}'", "yaml-tag")
            return None
        if len(node.value) > MAX_TEXT_CHARS:
            self.error(
                node,
                f"text is {len(node.value):,} characters long; the limit is {MAX_TEXT_CHARS:,}",
                "limit",
            )
            return None
        if self._unprintable(node):
            return None
        return str(node.value)

    def _unprintable(self, node: yaml.ScalarNode) -> bool:
        found = UNPRINTABLE.search(node.value)
        if found:
            self.error(node, f"text contains the character U+{ord(found.group()):04X}, which "
                       "YAML does not allow (written as an escape)", "encoding")
        return found is not None

    def _mapping(self, node: yaml.MappingNode, path: DataPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if id(key_node) in self._seen:  # an alias used as a key: reported by load_text
                self.aliased = True
                continue
            self._seen.add(id(key_node))
            if key_node.tag == TAG_MERGE:
                self.error(key_node, "merge keys (<<) are not supported", "yaml-merge")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == TAG_NULL:
                self.error(key_node, "keys must be plain words", "yaml-key")
                continue
            key = str(key_node.value)
            if self._unprintable(key_node):
                continue
            if key in first_seen:
                self.error(
                    key_node,
                    f"duplicate key '{key}' (first given on line {first_seen[key]})",
                    "duplicate-key",
                )
                continue
            first_seen[key] = key_node.start_mark.line + 1
            self.marks._keys[(*path, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = self.walk(value_node, (*path, key))
        return result


def load_text(text: str, display: str) -> tuple[Any, Marks, list[Problem]]:
    """Parse one YAML document into data and marks; problems instead of exceptions."""
    try:
        too_big = over_limits(text, display)
        if too_big is not None:
            return None, Marks(), [too_big]
        node = compose(text)
    except yaml.composer.ComposerError as exc:
        if exc.problem and "single document" in (exc.context or "") + exc.problem:
            mark = exc.problem_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            return None, Marks(), [
                Problem(display, line, column, "a fact sheet is one YAML document; "
                        "found a second one ('---')", "yaml-syntax")
            ]
        return None, Marks(), [syntax_problem(exc, display, text)]
    except yaml.MarkedYAMLError as exc:
        return None, Marks(), [syntax_problem(exc, display, text)]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        # libyaml counts bytes of the UTF-8 text; the pure-Python reader counts characters.
        offset = exc.position
        if Parser is yaml.SafeLoader:  # pragma: no cover - depends on how PyYAML was built
            offset = len(text[:offset].encode("utf-8"))
        line, column = _position(text.encode("utf-8"), offset)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return None, Marks(), [
            Problem(display, line, column,
                    f"file contains the character U+{code:04X}, which YAML does not allow",
                    "encoding")
        ]
    except yaml.YAMLError as exc:  # any other error without a mark
        return None, Marks(), [Problem(display, 0, 0, f"YAML error: {exc}", "yaml-syntax")]
    except RecursionError:
        return None, Marks(), [
            Problem(display, 0, 0, f"nesting is deeper than the limit of {MAX_DEPTH} levels",
                    "limit")
        ]
    if node is None:
        return None, Marks(), [Problem(display, 0, 0, "file is empty", "empty-file")]
    # A character YAML does not allow can only come from a double-quoted escape: the reader
    # refuses it written as itself.
    if "\\" not in text:
        try:
            return _plain(node, 0, set()), Marks.later(text), []
        except _Unusual:
            pass  # the full walk below says what is wrong, and where
    walker = _Walker(display)
    data = walker.walk(node, ())
    if walker.aliased:
        walker.problems.extend(alias_problems(text, display))
    return data, walker.marks, walker.problems


class _Unusual(BriefingError):
    """The fast path met something only the full walk reports (rare in real sheets)."""


def _plain(node: yaml.Node, depth: int, seen: set[int]) -> Any:
    """The data of a well-formed document, without marks: what ``_Walker`` returns for a
    document it finds nothing wrong in, at a fraction of the cost. Anything the walker would
    report (a tag, an alias, a merge or duplicate key, a key that is not text, too deep, too
    long) raises ``_Unusual``."""
    if depth > MAX_DEPTH or id(node) in seen:  # the same node twice: an alias
        raise _Unusual
    seen.add(id(node))
    kind = node.__class__
    if kind is yaml.ScalarNode:
        if node.tag == TAG_STR:
            if len(node.value) > MAX_TEXT_CHARS:
                raise _Unusual
            return node.value
        if node.tag == TAG_NULL:
            return None
        raise _Unusual
    if kind is yaml.MappingNode and node.tag == TAG_MAP:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if (key_node.__class__ is not yaml.ScalarNode or key_node.tag != TAG_STR
                    or key_node.value in result or id(key_node) in seen):
                raise _Unusual
            seen.add(id(key_node))
            result[key_node.value] = _plain(value_node, depth + 1, seen)
        return result
    if kind is yaml.SequenceNode and node.tag == TAG_SEQ:
        return [_plain(item, depth + 1, seen) for item in node.value]
    raise _Unusual


def load_file(path: str | os.PathLike[str], display: str, folder: str
              ) -> tuple[RawSheet | None, list[Problem]]:
    """Read one fact-sheet file. Returns the sheet (None if unusable) and its problems."""
    raw, problems = read_file(path, display)
    if raw is None:
        return None, problems
    return load_bytes(raw, path, display, folder)


def read_file(path: str | os.PathLike[str], display: str) -> tuple[bytes | None, list[Problem]]:
    """A fact-sheet file's bytes; None and the problem if it is too big or cannot be read."""
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            return None, [
                Problem(
                    display,
                    0,
                    0,
                    f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                    "limit",
                )
            ]
        with open(path, "rb") as handle:
            return handle.read(), []
    except OSError as exc:
        return None, [Problem(display, 0, 0, f"cannot read file: {exc.strerror}", "io")]


def load_bytes(raw: bytes, path: str | os.PathLike[str], display: str, folder: str
               ) -> tuple[RawSheet | None, list[Problem]]:
    """A fact sheet from the bytes of its file (read with ``read_file``)."""
    text, problems = decode(raw, display)
    if text is None:
        return None, problems
    data, marks, problems = load_text(text, display)
    if data is None and problems:
        return None, problems
    if not isinstance(data, dict):
        line, column = marks.of_value(())
        problems.append(
            Problem(display, line, column, "a fact sheet must be a mapping of keys to values",
                    "not-a-mapping")
        )
        return None, problems
    stem = os.path.splitext(os.path.basename(path))[0]
    return RawSheet(display, folder, stem, data, marks, text.split("\n", 1)[0],
                    text), problems
