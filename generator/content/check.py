"""Check fact sheets against the declared model and against each other; collect every problem.

Here: finding the content files (``discover``), the checks of one sheet on its own (its
fields, its id, its text), pydantic's errors in editors' words, and ``ContentCheck``, the one
path every caller validates through, which hands the checks across sheets to ``crossrefs``.

Nothing is raised one problem at a time: a run reports all it finds, sorted by file, line
and column. Only content that passes produces a ``Briefing`` (``checked.CheckResult``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import time
from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.content.checked import Broken, CheckResult, Item, Located, SheetFile, key_name
from generator.content.crossrefs import Links, check_references
from generator.content.dates import type_name
from generator.content.loader import DataPath, RawSheet, load_bytes, load_file, read_file
from generator.content.schema import (
    KINDS,
    SHEET_TYPES,
    Node,
    Sheet,
    iter_references,
    model_in,
    schema_line,
)
from generator.content.vocabularies import CONTEXT_KEY, DEFAULT, Vocabularies
from generator.content.yamlparse import todo_comments
from generator.errors import Problem, Severity, did_you_mean, sort_key
from generator.gcpause import without_collector

log = logging.getLogger(__name__)

SHEET_SUFFIX = ".yml"


def discover(content_dir: Path, display_root: Path) -> tuple[list[SheetFile], list[Problem]]:
    """Every fact-sheet file under ``content_dir`` as (path, display path, folder)."""
    found: list[SheetFile] = []
    problems: list[Problem] = []
    if not content_dir.is_dir():
        problems.append(
            Problem(_display(content_dir, display_root), 0, 0, "content folder not found", "io")
        )
        return found, problems
    root = content_dir.resolve()
    try:  # worked out once: resolving every file's folder is slow at thousands of files
        base = root.relative_to(display_root.resolve()).as_posix()
    except ValueError:
        base = content_dir.as_posix()
    unreadable: list[tuple[tuple[str, ...], OSError]] = []
    for parts, entry in sorted(_entries(str(content_dir), (), unreadable),
                               key=lambda item: item[0]):
        name = entry.name
        is_link = entry.is_symlink()
        if is_link and _is_dir(entry) and not Path(entry.path).resolve().is_relative_to(root):
            # The walk does not follow it: without a word, every sheet in it would be missing.
            problems.append(
                Problem(_display(Path(entry.path), display_root), 0, 0, "is a link to a folder "
                        "outside the content folder; fact sheets must live inside it", "symlink")
            )
            continue
        dot = name.rfind(".")
        suffix = name[dot:] if 0 < dot < len(name) - 1 else ""
        misnamed = None if suffix == ".yml" else _misnamed(name, suffix)
        if suffix != ".yml" and misnamed is None or name.startswith("."):
            continue
        display = f"{base}/{'/'.join(parts)}"
        path = entry.path
        if is_link and not os.path.exists(path):  # resolve() raises on a loop of links
            problems.append(
                Problem(display, 0, 0, "is a link to a file that does not exist (or a loop of "
                        "links)", "symlink")
            )
            continue
        if is_link and not Path(path).resolve().is_relative_to(root):
            problems.append(
                Problem(display, 0, 0, "is a link to a file outside the content folder; "
                        "fact sheets must live inside it", "symlink")
            )
            continue
        if not _is_file(entry):
            continue
        if misnamed:
            problems.append(Problem(display, 0, 0, misnamed, "file-name"))
            continue
        if len(parts) != 2 or parts[0] not in KINDS:
            problems.append(
                Problem(display, 0, 0, "fact sheets live in content/<kind>/<id>.yml with kind "
                        f"one of {', '.join(KINDS)}", "unknown-kind")
            )
            continue
        found.append((path, display, parts[0]))
    for parts, exc in unreadable:
        # Without a word, every sheet in it would be missing from the site.
        where = "/".join((base, *parts))
        problems.append(Problem(where, 0, 0, f"cannot read folder: {exc.strerror or exc}; "
                                "the fact sheets in it were not checked", "io"))
    return found, problems


def _misnamed(name: str, suffix: str) -> str | None:
    """What is wrong with the name of a file meant as a fact sheet (``x.yaml``, ``x.YML``,
    ``x.yml `` with a space after it), and the name to give it; None for any other file."""
    word = suffix.rstrip()
    if word.lower() not in (".yml", ".yaml"):
        return None
    stem = name[: len(name) - len(suffix)]
    if word != suffix:
        last = suffix[len(word):][-1]
        what = "a space" if last == " " else f"an invisible character (U+{ord(last):04X})"
        return f"file name ends in {what} after '{word}'; rename to {stem}.yml"
    if word.lower() == ".yml":
        return f"fact sheets end in .yml, in lower case; rename to {stem}.yml"
    return f"fact sheets end in .yml; rename to {stem}.yml"


def _entries(folder: str, parts: tuple[str, ...], unreadable: list[tuple[tuple[str, ...], OSError]]
             ) -> Iterator[tuple[tuple[str, ...], os.DirEntry[str]]]:
    """Every entry under ``folder`` with its path parts below the content folder, as
    ``Path.rglob("*")`` gives them: hidden ones too, links to folders listed but not entered;
    folders that cannot be read are added to ``unreadable``. (``os.scandir`` knows most
    entries' types without asking the file system again: at thousands of files, ``rglob``
    and ``stat`` do not.)"""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as exc:
        unreadable.append((parts, exc))
        return
    for entry in entries:
        here = (*parts, entry.name)
        yield here, entry
        if _is_dir(entry) and not entry.is_symlink():
            yield from _entries(entry.path, here, unreadable)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _display(path: Path, root: Path) -> str:
    try:
        # Resolve the folder, not the file: a link is shown where it is, not where it points.
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class _FileState:
    signature: tuple[int, int]  # (mtime_ns, size): unchanged means not re-read
    digest: str  # hash of the bytes: unchanged means not re-parsed
    folder: str  # kind folder it was read as
    item: Item | None  # None when the file is no mapping of keys
    problems: list[Problem]


class ContentCheck:
    """The one validation path: every check of every content file, and across them. The CLI
    (``briefing check``), the MkDocs plugin and the build (through ``workspace.Workspace``),
    the diff's snapshots (``revisions``) and ``check()`` below all run this.

    It remembers what it found: a later ``run()`` re-reads only files whose size, time or
    bytes changed and re-checks across sheets only what those changes can affect (``Links``).
    A first run remembers nothing, so a full check is the very same code as an incremental
    one."""

    def __init__(self, content_dir: Path, display_root: Path):
        self.content_dir = content_dir
        self.display_root = display_root
        #: The words the last run checked against: other words make every file checked again.
        self._vocabularies = DEFAULT
        self._files: dict[str, _FileState] = {}
        self._links = Links()
        self._checked_ns = 0  # when the last run started (file-system clock)
        #: Files the last run parsed (the others were unchanged).
        self.parsed = 0
        #: Ids whose validated sheet the last run changed (added, changed, gone).
        self.changed: set[str] = set()

    @without_collector
    def run(self, review_after_days: int | None = None, today: dt.date | None = None,
            vocabularies: Vocabularies = DEFAULT) -> CheckResult:
        """Validate the content against the briefing's ``vocabularies``; never raises on bad
        content. With ``review_after_days`` and ``today``, sheets overdue for review are
        warned about too."""
        if vocabularies != self._vocabularies:
            # A word may be right or wrong now in any file: nothing read before is kept.
            self._files = {}
            self._vocabularies = vocabularies
        # As git does for "racy" files: a file modified within two seconds of the last run
        # may have changed again since without its time or size moving, so it is hashed.
        racy_after = self._checked_ns - 2_000_000_000
        self._checked_ns = time.time_ns()
        files, problems = discover(self.content_dir, self.display_root)
        current: dict[str, _FileState] = {}
        items: list[Item] = []
        parsed = 0
        for path, display, folder in files:
            state = self._files.get(display)
            try:
                stat = os.stat(path)
                signature = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                signature = (0, -1)
            if (state is None or state.signature != signature or signature[0] >= racy_after
                    or state.folder != folder):
                # Read once: hashed to see whether it really changed, then parsed if it did.
                data, unreadable = read_file(path, display)
                digest = (hashlib.sha256(data).hexdigest() if data is not None
                          else "\n".join(p.format() for p in unreadable))
                if state is None or state.digest != digest or state.folder != folder:
                    parsed += 1
                    loaded = (load_one(path, display, folder, data, vocabularies)
                              if data is not None
                              else (None, unreadable))
                    state = _FileState(signature, digest, folder, *loaded)
                else:
                    state.signature = signature
            current[display] = state
            if state.problems:
                problems.extend(state.problems)
            if state.item is not None:
                items.append(state.item)
        self._files = current
        self.parsed = parsed
        sheets, found = self._links.update(items, files)
        self.changed = self._links.changed
        problems.extend(found)
        if review_after_days is not None and today is not None:
            problems.extend(self._links.freshness(review_after_days, today))
        return CheckResult(sheets, sorted(problems, key=sort_key), len(files))

    def references_of(self, raw: RawSheet, node: Node) -> list[Problem]:
        """Problems with the ids ``node`` (read from ``raw``, a file beside the content such as
        briefing.yml) refers to, against the sheets of the last run: the same lines and rules
        as a sheet's own references."""
        outside = Broken(raw, None, tuple(iter_references(node)))
        return check_references(self._links.sheets, self._links.existing, only=[outside])


def check(content_dir: Path, display_root: Path | None = None,
          review_after_days: int | None = None, today: dt.date | None = None,
          vocabularies: Vocabularies = DEFAULT) -> CheckResult:
    """Load and validate every sheet under ``content_dir``; never raises on bad content. A
    ``ContentCheck`` that remembers nothing: the same code an incremental check runs."""
    return ContentCheck(content_dir, display_root or content_dir.parent).run(
        review_after_days, today, vocabularies)


def load_one(path: str | os.PathLike[str], display: str, folder: str, data: bytes | None = None,
             vocabularies: Vocabularies = DEFAULT) -> tuple[Item | None, list[Problem]]:
    """Read (unless its bytes are given as ``data``) and validate one file on its own
    (the checks across sheets are in ``crossrefs``). None when the file is no mapping of keys."""
    if data is None:
        raw, problems = load_file(path, display, folder)
    else:
        raw, problems = load_bytes(data, path, display, folder)
    if raw is None:
        return None, problems
    item, more = validate_one(raw, vocabularies)
    return item, [*problems, *more]


def validate_one(raw: RawSheet, vocabularies: Vocabularies = DEFAULT
                 ) -> tuple[Item, list[Problem]]:
    """The sheet in ``raw`` checked on its own (its words against ``vocabularies``): every
    problem of its fields, its id and its text. A sheet with errors comes back as Broken,
    with what other checks can still use."""
    cls = SHEET_TYPES[raw.folder]
    try:
        sheet = cls.model_validate(raw.data, context={CONTEXT_KEY: vocabularies})
    except ValidationError as exc:
        return _broken(raw, cls, exc)
    if sheet.id != raw.stem:
        refs = tuple(iter_references(sheet))
        return Broken(raw, None, refs), [_id_mismatch(raw, sheet.id), *_text_warnings(raw)]
    return Located.of(raw, sheet), _text_warnings(raw)


def _broken(raw: RawSheet, cls: type[Sheet], exc: ValidationError) -> tuple[Item, list[Problem]]:
    """The problems of a sheet that failed validation, and what is left to check across
    sheets: values reported as wrong (or dropped by the loader) are left out, so that nothing
    is reported twice or made up from a value already found wrong."""
    dropped = raw.marks.dropped
    errors = exc.errors()
    problems = [
        problem_from_pydantic(error, raw, cls)
        for error in errors
        # The loader already reported why a value it dropped is missing. (Prefixes of the
        # error's path are looked up, not every dropped path compared: a file of thousands
        # of aliases would otherwise take errors x dropped steps.)
        if not any(tuple(error["loc"])[:n] in dropped for n in range(len(error["loc"]) + 1))
    ]
    wrong = {tuple(error["loc"]) for error in errors} | dropped
    sheet_id = raw.data.get("id")
    if ("id",) in wrong or not isinstance(sheet_id, str):
        sheet_id = None
    elif sheet_id != raw.stem:
        problems.append(_id_mismatch(raw, sheet_id))
        sheet_id = None
    refs = tuple(iter_references(raw.data, model=cls, skip=wrong))
    return Broken(raw, sheet_id, refs), [*problems, *_text_warnings(raw, wrong)]


def _id_mismatch(raw: RawSheet, sheet_id: str) -> Problem:
    line, column = raw.marks.of_value(("id",))
    return Problem(raw.path, line, column,
                   f"'id' must equal the file name '{raw.stem}'; got '{sheet_id}'", "id-mismatch")


def _text_warnings(raw: RawSheet, wrong: Container[DataPath] = ()) -> list[Problem]:
    """The schema line, and TODOs left in values and comments (except in ``wrong`` ones)."""
    warnings = []
    expected = schema_line(raw.folder)
    if raw.first_line.strip() != expected:
        warnings.append(
            Problem(raw.path, 1, 1, f"first line must be '{expected}' so editors get completion "
                    "and checks", "schema-line", Severity.WARNING)
        )
    if "TODO" in raw.text:
        warnings += _placeholders(raw, wrong)
    return warnings


_TODO = re.compile(r"\bTODO\b")


def _placeholders(raw: RawSheet, wrong: Container[DataPath]) -> list[Problem]:
    """Where a value still says TODO, or a comment after a key or value does ('briefing new'
    writes both; an editor may too). Comments on lines of their own are left alone: they are
    notes and the commented-out optional fields of 'briefing new'."""
    found = []
    in_values = set()
    for where in _todo_values(raw.data, (), wrong):
        in_values.add(where)
        line, column = raw.marks.of_key(where)
        found.append(
            Problem(raw.path, line, column, f"'{key_name(where)}' still holds a TODO placeholder; "
                    "replace it before publishing", "placeholder", Severity.WARNING)
        )
    starts = {at: where for where, at in raw.marks.values.items()}
    starts.update({at: where for where, at in raw.marks.keys.items()})
    for (line, column), before in todo_comments(raw.text, _TODO):
        named = starts.get(before) if before else None
        if named is None or named in in_values or _under(named, wrong):
            continue
        found.append(
            Problem(raw.path, line, column, f"'{key_name(named)}' is marked TODO in a comment; "
                    "set the right value and delete the comment before publishing", "placeholder",
                    Severity.WARNING)
        )
    return found


def _todo_values(data: Any, where: DataPath, wrong: Container[DataPath]) -> Iterator[DataPath]:
    """Where text still says TODO, outside values reported as wrong."""
    if where in wrong:
        return
    if isinstance(data, str):
        if _TODO.search(data):
            yield where
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _todo_values(value, (*where, key), wrong)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _todo_values(value, (*where, index), wrong)


def _under(where: DataPath, wrong: Container[DataPath]) -> bool:
    return any(where[:n] in wrong for n in range(len(where) + 1))


# --- pydantic errors, in editors' words -------------------------------------------------------

_RULES = {"vocabulary", "slug", "url", "date", "type", "empty", "language"}


def problem_from_pydantic(error: Any, raw: RawSheet, cls: type[BaseModel]) -> Problem:
    loc: DataPath = tuple(error["loc"])
    kind = error["type"]
    name = next((str(part) for part in reversed(loc) if isinstance(part, str)), "sheet")
    given = error.get("input")
    if kind == "missing":
        line, column = raw.marks.of_value(loc[:-1])
        return Problem(raw.path, line, column, f"'{name}' is required but missing",
                       "missing-field")
    if kind == "extra_forbidden":
        line, column = raw.marks.of_key(loc)
        allowed = _fields_at(cls, loc[:-1])
        hint = did_you_mean(name, allowed)
        return Problem(raw.path, line, column,
                       f"unknown key '{name}'; expected one of {', '.join(allowed)}{hint}",
                       "unknown-key")
    line, column = raw.marks.of_key(loc)
    # 'aliases' is a list; what is wrong is one of its items.
    what = f"item {loc[-1] + 1} of '{name}'" if loc and isinstance(loc[-1], int) else f"'{name}'"
    if kind in _RULES:
        return Problem(raw.path, line, column, f"{what} {error['msg']}", kind)
    if kind == "too_short":
        noun = "source" if name == "sources" else "fact"
        return Problem(raw.path, line, column,
                       f"{what} must list at least one {noun}; got none", "unsourced")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return Problem(raw.path, line, column,
                       f"{what} must be a whole number; got {type_name(given)}", "type")
    if kind == "greater_than_equal":
        return Problem(raw.path, line, column,
                       f"{what} must be at least {error['ctx']['ge']}; got {given}", "type")
    if kind == "list_type":
        return Problem(raw.path, line, column,
                       f"{what} must be a list; got {type_name(given)}", "type")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        keys = _fields_at(cls, loc)
        return Problem(raw.path, line, column,
                       f"{what} must be a mapping with keys {', '.join(keys)}; "
                       f"got {type_name(given)}", "type")
    return Problem(raw.path, line, column, f"{what}: {error['msg']}", "invalid")


def _fields_at(cls: type[BaseModel], loc: DataPath) -> list[str]:
    """The keys allowed in the mapping at ``loc`` of a sheet of type ``cls``."""
    model: type[BaseModel] | None = cls
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        model = model_in(field.annotation) if field else None
    return list(model.model_fields) if model else []
