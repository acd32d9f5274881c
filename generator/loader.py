"""Read fact-sheet files into plain data, keeping the line and column of every key and value.

YAML is composed into nodes by libyaml (the pure-Python loader only when libyaml is missing)
and turned into data here, so that:

* every scalar stays the text the editor wrote (``2025-11-27`` and ``yes`` are strings, as they
  are to JSON Schema and the editor's YAML 1.2 language server), except null;
* duplicate keys, merge keys, aliases and unknown tags are errors, not silent surprises;
* hostile input stops at documented limits instead of exhausting memory.

A file with nothing to report (nearly all of them) takes a fast path that builds the data
alone; its marks are found by composing it again if a later check needs to point into it.
Anything unusual sends the file through the full walk, which reports it with its place.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.problems import Problem

_YAML = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _NULL_TAG, _MERGE = (_YAML + t for t in ("str", "map", "seq", "null", "merge"))
_SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "timestamp")}
#: Plain scalars that mean "no value" (YAML's null), the only scalars that are not text.
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})

try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader
else:

    class _Loader(CParser):  # type: ignore[no-redef,misc]
        """libyaml's composer with the only tags this loader tells apart: text, null, merge
        keys, lists and mappings. PyYAML's resolver would try a dozen patterns on every plain
        scalar to find ints, floats, booleans and dates, which are all text here."""

        def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    if value in _NULLS:
                        return _NULL_TAG
                    if value == "<<":
                        return _MERGE
                return _STR
            return _SEQ if kind is yaml.SequenceNode else _MAP

        def descend_resolver(self, *_: object) -> None:  # no path resolvers
            pass

        def ascend_resolver(self, *_: object) -> None:
            pass

log = logging.getLogger(__name__)

#: Largest fact-sheet file accepted, in bytes. A sheet is a page of facts, not a data dump.
MAX_FILE_BYTES = 1_000_000
#: Deepest nesting of lists and mappings accepted (a sheet needs about 5).
MAX_DEPTH = 32
#: Longest single text value accepted, in characters.
MAX_TEXT_CHARS = 20_000
#: Most keys, values and list items one file may hold (the largest shipped sheet has about
#: 250). Composing costs some 10 microseconds a value: without this limit a file under
#: MAX_FILE_BYTES written as ``[x,x,x,...]`` would take seconds and memory to load.
MAX_NODES = 10_000

#: libyaml's composer recurses in C and crashes the interpreter (not a RecursionError) at
#: some 30,000 levels of nesting. Files that could nest deeper than this are measured first.
_SAFE_NESTING = 2_000
#: Block entries and explicit keys ("- ", "? ") each open a level without indenting a line.
_INDICATOR = re.compile(r"(?<!\S)[-?](?!\S)")
#: A YAML file holds at most about one node per character, so a file this short cannot pass
#: MAX_NODES and is not counted first.
_SHORT_TEXT = MAX_NODES // 2
#: Characters YAML does not allow, which double-quoted escapes ("\0", "\x1b") still write.
_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Location = tuple[int, int]
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
            node = _compose(text)
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
            if node.tag != _SEQ:
                self.error(node, f"unsupported YAML tag '{_tag(node.tag)}'", "yaml-tag")
                return None
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                self.error(node, f"unsupported YAML tag '{_tag(node.tag)}'", "yaml-tag")
                return None
            return self._mapping(node, path)
        raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover

    def _scalar(self, node: yaml.ScalarNode) -> str | None:
        if node.tag == _NULL_TAG:
            return None
        if node.tag not in _SCALAR_TAGS:
            self.error(node, f"unsupported YAML tag '{_tag(node.tag)}'", "yaml-tag")
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
        found = _UNPRINTABLE.search(node.value)
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
            if key_node.tag == _MERGE:
                self.error(key_node, "merge keys (<<) are not supported", "yaml-merge")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _NULL_TAG:
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


def _tag(tag: str) -> str:
    """A tag as the editor wrote it: ``!!binary`` rather than ``tag:yaml.org,2002:binary``."""
    return "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag


def _decode(data: bytes, display: str) -> tuple[str | None, list[Problem]]:
    if b"\x00" in data:
        line, column = _position(data, data.index(b"\x00"))
        return None, [
            Problem(display, line, column, "file contains a NUL byte; is it text?", "encoding")
        ]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        return None, [
            Problem(
                display,
                line,
                column,
                f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                "encoding",
            )
        ]


def _position(data: bytes, offset: int) -> Location:
    """Line and column (in characters, as editors count them) of a byte offset."""
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
    return line, column


def load_text(text: str, display: str) -> tuple[Any, Marks, list[Problem]]:
    """Parse one YAML document into data and marks; problems instead of exceptions."""
    try:
        too_big = _over_limits(text, display)
        if too_big is not None:
            return None, Marks(), [too_big]
        node = _compose(text)
    except yaml.composer.ComposerError as exc:
        if exc.problem and "single document" in (exc.context or "") + exc.problem:
            mark = exc.problem_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            return None, Marks(), [
                Problem(display, line, column, "a fact sheet is one YAML document; "
                        "found a second one ('---')", "yaml-syntax")
            ]
        return None, Marks(), [_syntax_problem(exc, display, text)]
    except yaml.MarkedYAMLError as exc:
        return None, Marks(), [_syntax_problem(exc, display, text)]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        # libyaml counts bytes of the UTF-8 text; the pure-Python reader counts characters.
        offset = exc.position
        if _Loader is yaml.SafeLoader:  # pragma: no cover - depends on how PyYAML was built
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
        walker.problems.extend(_alias_problems(text, display))
    return data, walker.marks, walker.problems


def _compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=_Loader)  # noqa: S506 - our loader: text, lists, maps


class _Unusual(Exception):
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
        if node.tag == _STR:
            if len(node.value) > MAX_TEXT_CHARS:
                raise _Unusual
            return node.value
        if node.tag == _NULL_TAG:
            return None
        raise _Unusual
    if kind is yaml.MappingNode and node.tag == _MAP:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if (key_node.__class__ is not yaml.ScalarNode or key_node.tag != _STR
                    or key_node.value in result or id(key_node) in seen):
                raise _Unusual
            seen.add(id(key_node))
            result[key_node.value] = _plain(value_node, depth + 1, seen)
        return result
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_plain(item, depth + 1, seen) for item in node.value]
    raise _Unusual


def _over_limits(text: str, display: str) -> Problem | None:
    """Where nesting first passes MAX_DEPTH, or the file passes MAX_NODES, found from the flat
    event stream before anything is composed. Only a long file, or one whose cheap upper bound
    on the nesting says the composer could crash, is read this way."""
    # Indentation alone cannot nest much: n levels take n*n/2 bytes, about 1,400 levels in a
    # file under MAX_FILE_BYTES, which the composer survives.
    if len(text) <= _SHORT_TEXT:
        bound = text.count("[") + text.count("{")
        # Every "- " or "? " is a '-' or a '?': counting those is a cheaper, looser bound.
        if bound + text.count("-") + text.count("?") <= _SAFE_NESTING:
            return None
        if bound + len(_INDICATOR.findall(text)) <= _SAFE_NESTING:
            return None
    try:
        return _scan(text, display, _Loader)
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" not in (exc.problem or ""):
            raise
        # Newer libyaml stops at a depth of its own while scanning ahead; the pure-Python
        # parser finds the place where our limit is passed, whatever libyaml is installed.
        return _scan(text, display, yaml.SafeLoader)


def _scan(text: str, display: str, loader: Any) -> Problem | None:
    depth = nodes = 0
    for event in yaml.parse(text, Loader=loader):  # noqa: S506 - events only
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:
                return _limit_problem(display, event, f"nesting is deeper than the limit of "
                                      f"{MAX_DEPTH} levels")
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):  # scalars, aliases, starts of lists and maps
            nodes += 1
            if nodes > MAX_NODES:
                return _limit_problem(display, event, f"file has more than {MAX_NODES:,} keys, "
                                      f"values and list items; the limit is {MAX_NODES:,}")
    return None


def _limit_problem(display: str, event: yaml.Event, message: str) -> Problem:
    mark = event.start_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return Problem(display, line, column, message, "limit")


def _alias_problems(text: str, display: str) -> list[Problem]:
    """One problem at each ``*name`` (only called when the composed tree shares a node)."""
    marks = [
        event.start_mark
        for event in yaml.parse(text, Loader=_Loader)  # noqa: S506 - events only
        if isinstance(event, yaml.AliasEvent)
    ]
    return [
        Problem(display, mark.line + 1, mark.column + 1,
                "anchors and aliases (&name, *name) are not supported", "yaml-alias")
        for mark in marks
        if mark is not None
    ]


def _syntax_problem(exc: yaml.MarkedYAMLError, display: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = (exc.problem or "").strip()
    lines = text.splitlines()
    if mark and mark.line < len(lines) and "\t" in _indentation(lines[mark.line]):
        return Problem(display, line, column,
                       "YAML syntax: line is indented with a tab; indent with spaces only",
                       "yaml-syntax")
    if problem == "mapping values are not allowed in this context":
        problem += "; put text that contains ': ' in quotes"
    context = (exc.context or "").strip()
    start = exc.context_mark
    if context and start and mark and start.line != mark.line:
        context += f" that starts on line {start.line + 1}, column {start.column + 1}"
    message = f"YAML syntax: {problem}" + (f" ({context})" if context else "")
    return Problem(display, line, column, message, "yaml-syntax")


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


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
    text, problems = _decode(raw, display)
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
