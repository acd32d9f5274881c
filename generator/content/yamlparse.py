"""libyaml set up for fact sheets, and the problems found before and around parsing: files
too big or nested too deep to parse safely, bytes that are not UTF-8 text, syntax errors in an
editor's words, aliases. ``loader`` turns what parses into data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from generator.errors import Problem

Location = tuple[int, int]

_YAML = "tag:yaml.org,2002:"
TAG_STR, TAG_MAP, TAG_SEQ, TAG_NULL, TAG_MERGE = (
    _YAML + t for t in ("str", "map", "seq", "null", "merge")
)
SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "timestamp")}
#: Plain scalars that mean "no value" (YAML's null), the only scalars that are not text.
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})

try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as Parser
else:

    class Parser(CParser):  # type: ignore[no-redef,misc]
        """libyaml's composer with the only tags this loader tells apart: text, null, merge
        keys, lists and mappings. PyYAML's resolver would try a dozen patterns on every plain
        scalar to find ints, floats, booleans and dates, which are all text here."""

        def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    if value in _NULLS:
                        return TAG_NULL
                    if value == "<<":
                        return TAG_MERGE
                return TAG_STR
            return TAG_SEQ if kind is yaml.SequenceNode else TAG_MAP

        def descend_resolver(self, *_: object) -> None:  # no path resolvers
            pass

        def ascend_resolver(self, *_: object) -> None:
            pass


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
UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

def tag_as_written(tag: str) -> str:
    """A tag as the editor wrote it: ``!!binary`` rather than ``tag:yaml.org,2002:binary``."""
    return "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag


def decode(data: bytes, display: str) -> tuple[str | None, list[Problem]]:
    if b"\x00" in data:
        line, column = position(data, data.index(b"\x00"))
        return None, [
            Problem(display, line, column, "file contains a NUL byte; is it text?", "encoding")
        ]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line, column = position(data, exc.start)
        return None, [
            Problem(
                display,
                line,
                column,
                f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                "encoding",
            )
        ]


def position(data: bytes, offset: int) -> Location:
    """Line and column (in characters, as editors count them) of a byte offset."""
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
    return line, column


def compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=Parser)  # our loader: text, lists, maps


def over_limits(text: str, display: str) -> Problem | None:
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
        return scan(text, display, Parser)
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" not in (exc.problem or ""):
            raise
        # Newer libyaml stops at a depth of its own while scanning ahead; the pure-Python
        # parser finds the place where our limit is passed, whatever libyaml is installed.
        return scan(text, display, yaml.SafeLoader)


def scan(text: str, display: str, loader: Any) -> Problem | None:
    depth = nodes = 0
    for event in yaml.parse(text, Loader=loader):  # events only
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:
                return limit_problem(display, event, f"nesting is deeper than the limit of "
                                      f"{MAX_DEPTH} levels")
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):  # scalars, aliases, starts of lists and maps
            nodes += 1
            if nodes > MAX_NODES:
                return limit_problem(display, event, f"file has more than {MAX_NODES:,} keys, "
                                      f"values and list items; the limit is {MAX_NODES:,}")
    return None


def limit_problem(display: str, event: yaml.Event, message: str) -> Problem:
    mark = event.start_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return Problem(display, line, column, message, "limit")


def alias_problems(text: str, display: str) -> list[Problem]:
    """One problem at each ``*name`` (only called when the composed tree shares a node)."""
    marks = [
        event.start_mark
        for event in yaml.parse(text, Loader=Parser)  # events only
        if isinstance(event, yaml.AliasEvent)
    ]
    return [
        Problem(display, mark.line + 1, mark.column + 1,
                "anchors and aliases (&name, *name) are not supported", "yaml-alias")
        for mark in marks
        if mark is not None
    ]


#: Line breaks as YAML reads them.
_BREAK = re.compile("[\r\n\x85\u2028\u2029]")


def todo_comments(text: str, word: re.Pattern[str]
                  ) -> Iterator[tuple[Location, Location | None]]:
    """Each comment that ends a line after a key or value (``actor: x  # TODO ...``) and
    holds ``word``: where the word first stands in it, and where the last key or value
    before it starts (None if there is none), both 1-based. The scanner's
    tokens cover everything but spaces, line breaks and comments, so a match between two
    tokens is in a comment. Only called for text that has the word."""
    hits = [match.start() for match in word.finditer(text)]
    tokens = [t for t in yaml.scan(text, Loader=Parser)  # tokens only
              if t.end_mark.index > t.start_mark.index]  # the marks of a sheet's text
    done: set[int] = set()  # comments reported, by where the token before them ends
    before: Any = None  # the last token before the hit
    scalar: Any = None  # the last key or value before the hit
    position = 0
    for hit in hits:
        while position < len(tokens) and tokens[position].end_mark.index <= hit:
            before = tokens[position]
            if isinstance(before, yaml.ScalarToken):
                scalar = before
            position += 1
        if position < len(tokens) and tokens[position].start_mark.index <= hit:
            continue  # inside a key, a value or a tag: not a comment
        end = before.end_mark if before is not None else None
        if end is None or end.index in done or _BREAK.search(text, end.index, hit):
            continue  # a comment on a line of its own, or one already reported
        done.add(end.index)
        at = (end.line + 1, end.column + 1 + hit - end.index)
        start = scalar.start_mark if scalar is not None else None
        yield at, (start.line + 1, start.column + 1) if start is not None else None


def syntax_problem(exc: yaml.MarkedYAMLError, display: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = (exc.problem or "").strip()
    lines = text.splitlines()
    if mark and mark.line < len(lines) and "\t" in indentation(lines[mark.line]):
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


def indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]
