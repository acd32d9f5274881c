"""Check fact sheets against the declared model and against each other; collect every problem.

Nothing is raised one problem at a time: a run reports all it finds, sorted by file, line
and column. Only content that passes produces a ``Briefing``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.dates import type_name
from generator.jsonschema import schema_line
from generator.loader import DataPath, RawSheet, load_bytes, load_file
from generator.pause import without_collector
from generator.problems import Problem, Severity, did_you_mean, sort_key
from generator.schema import (
    KINDS,
    SHEET_TYPES,
    Actor,
    Node,
    Position,
    Ref,
    Sheet,
    annotation_parts,
)

log = logging.getLogger(__name__)

SHEET_SUFFIX = ".yml"


@dataclass(frozen=True)
class Located:
    """A validated sheet with the file it came from, the marks of its keys, and every id it
    refers to (worked out once, reused by every check and lookup)."""

    sheet: Sheet
    raw: RawSheet
    refs: tuple[Reference, ...] = ()

    @classmethod
    def of(cls, raw: RawSheet, sheet: Sheet) -> Located:
        return cls(sheet, raw, tuple(iter_references(sheet)))


@dataclass
class CheckResult:
    sheets: dict[str, Located]
    problems: list[Problem]
    files: int

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


#: (path, path as shown to editors, kind folder); the path is a string: at thousands of files,
#: making a Path of each costs more than the rest of the walk.
SheetFile = tuple[str, str, str]


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


@without_collector
def check(content_dir: Path, display_root: Path | None = None) -> CheckResult:
    """Load and validate every sheet under ``content_dir``; never raises on bad content.
    (``pipeline.Workspace.check`` gives the same result, re-reading only what changed.)"""
    display_root = display_root or content_dir.parent
    files, problems = discover(content_dir, display_root)
    located: list[Located] = []
    for path, display, folder in files:
        item, found = load_one(path, display, folder)
        problems.extend(found)
        if item is not None:
            located.append(item)
    sheets, found = link_sheets(located, existing_ids(files))
    problems.extend(found)
    return CheckResult(sheets, sorted(problems, key=sort_key), len(files))


def existing_ids(files: list[SheetFile]) -> dict[str, str]:
    """Id -> kind of every sheet file found, valid or not (discover gives only .yml files)."""
    return {display[display.rfind("/") + 1 : -len(".yml")]: folder
            for _path, display, folder in files}


def load_one(path: str | os.PathLike[str], display: str, folder: str, data: bytes | None = None
             ) -> tuple[Located | None, list[Problem]]:
    """Read (unless its bytes are given as ``data``) and validate one file on its own
    (cross-sheet checks come in link_sheets)."""
    if data is None:
        raw, problems = load_file(path, display, folder)
    else:
        raw, problems = load_bytes(data, path, display, folder)
    if raw is None:
        return None, problems
    sheet, more = validate_one(raw)
    return (Located.of(raw, sheet) if sheet is not None else None), [*problems, *more]


def link_sheets(
    located: list[Located], existing: dict[str, str] | None = None
) -> tuple[dict[str, Located], list[Problem]]:
    """Checks across sheets: unique ids, references that resolve, sheets nothing uses.
    ``existing`` maps the id of every sheet file found, valid or not, to its kind, so that a
    broken sheet is reported once, in its own file, not again by every reference to it."""
    sheets, problems = unique_ids(located)
    problems.extend(check_references(sheets, existing))
    problems.extend(check_usage(sheets))
    return sheets, problems


def unique_ids(located: Iterable[Located]) -> tuple[dict[str, Located], list[Problem]]:
    """The sheets by id; a sheet whose id an earlier one has is left out, with an error."""
    problems: list[Problem] = []
    sheets: dict[str, Located] = {}
    for item in located:
        sheet_id = item.sheet.id
        if sheet_id in sheets:
            raw = item.raw
            line, column = raw.marks.of_value(("id",))
            problems.append(
                Problem(raw.path, line, column,
                        f"id '{sheet_id}' is already used by {sheets[sheet_id].raw.path}; ids "
                        "are unique across all kinds", "duplicate-id")
            )
            continue
        sheets[sheet_id] = item
    return sheets, problems


def validate_one(raw: RawSheet) -> tuple[Sheet | None, list[Problem]]:
    cls = SHEET_TYPES[raw.folder]
    try:
        sheet = cls.model_validate(raw.data)
    except ValidationError as exc:
        dropped = raw.marks.dropped
        return None, [
            problem_from_pydantic(error, raw, cls)
            for error in exc.errors()
            # The loader already reported why a value it dropped is missing. (Prefixes of the
            # error's path are looked up, not every dropped path compared: a file of thousands
            # of aliases would otherwise take errors x dropped steps.)
            if not any(tuple(error["loc"])[:n] in dropped for n in range(len(error["loc"]) + 1))
        ]
    if sheet.id != raw.stem:
        line, column = raw.marks.of_value(("id",))
        return None, [
            Problem(raw.path, line, column,
                    f"'id' must equal the file name '{raw.stem}'; got '{sheet.id}'", "id-mismatch")
        ]
    warnings = []
    expected = schema_line(raw.folder)
    if raw.first_line.strip() != expected:
        warnings.append(
            Problem(raw.path, 1, 1, f"first line must be '{expected}' so editors get completion "
                    "and checks", "schema-line", Severity.WARNING)
        )
    for where in _placeholders(raw.data, ()) if "TODO" in raw.text else ():
        line, column = raw.marks.of_key(where)
        name = next((str(p) for p in reversed(where) if isinstance(p, str)), "value")
        warnings.append(
            Problem(raw.path, line, column, f"'{name}' still holds a TODO placeholder; replace "
                    "it before publishing", "placeholder", Severity.WARNING)
        )
    return sheet, warnings


_TODO = re.compile(r"\bTODO\b")


def _placeholders(data: Any, where: DataPath) -> Iterator[DataPath]:
    """Where text still says TODO (left from 'briefing new', or by an editor)."""
    if isinstance(data, str):
        if _TODO.search(data):
            yield where
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _placeholders(value, (*where, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _placeholders(value, (*where, index))


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
        model = _model_in(field.annotation) if field else None
    return list(model.model_fields) if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    return next(
        (p for p in annotation_parts(annotation)
         if isinstance(p, type) and issubclass(p, BaseModel)),
        None,
    )


# --- references ---------------------------------------------------------------------------------


@cache
def _ref_of(cls: type[BaseModel], name: str) -> Ref | None:
    field = cls.model_fields[name]
    for meta in field.metadata:
        if isinstance(meta, Ref):
            return meta
    return _ref_in(field.annotation)


def _ref_in(annotation: Any) -> Ref | None:
    return next((p for p in annotation_parts(annotation) if isinstance(p, Ref)), None)


Reference = tuple[DataPath, Ref, str]


def iter_references(node: Node, path: DataPath = ()) -> Iterator[Reference]:
    """Every id ``node`` refers to, with where it stands and which kinds it may name."""
    cls = type(node)
    for name in cls.model_fields:
        value = getattr(node, name)
        if value is None:
            continue
        ref = _ref_of(cls, name)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = (*path, name) if index is None else (*path, name, index)
            if ref is not None:
                yield where, ref, item
            elif isinstance(item, Node):
                yield from iter_references(item, where)


def check_references(
    sheets: dict[str, Located],
    existing: dict[str, str] | None = None,
    only: Iterable[Located] | None = None,
) -> list[Problem]:
    """Problems with the references of ``only`` (default: every sheet), resolved against
    ``sheets`` (and ``existing``, see link_sheets)."""
    problems = []
    existing = existing or {}
    for located in sheets.values() if only is None else only:
        for where, ref, target in located.refs:
            found = sheets.get(target)
            if found is not None and found.sheet.folder in ref.kinds:
                continue
            if found is None and existing.get(target) in ref.kinds:
                continue  # the target's file exists but has errors of its own
            wanted = " or ".join(SHEET_TYPES[k].label for k in ref.kinds)
            name = next(str(p) for p in reversed(where) if isinstance(p, str))
            line, column = located.raw.marks.of_value(where)
            if found is None:
                candidates = [i for i, s in sheets.items() if s.sheet.folder in ref.kinds]
                message = (f"'{name}' refers to {wanted} '{target}', which does not exist"
                           f"{did_you_mean(target, candidates)}")
            else:
                message = (f"'{name}' must refer to {_a(wanted)}; '{target}' is "
                           f"{_a(found.sheet.label)}")
            problems.append(Problem(located.raw.path, line, column, message, "reference"))
    return problems


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def check_usage(sheets: dict[str, Located]) -> list[Problem]:
    """Warnings for sheets nothing uses."""
    cited: set[str] = set()
    positioned: set[str] = set()
    for located in sheets.values():
        cited.update(cited_by(located))
        positioned.update(positioned_by(located))
    return [p for located in sheets.values() for p in usage_of(located, cited, positioned)]


def cited_by(located: Located) -> Iterator[str]:
    """The sources a sheet cites (once per citation)."""
    return (target for _where, ref, target in located.refs if ref.kinds == ("sources",))


def positioned_by(located: Located) -> Iterator[str]:
    """The actor a position sheet is of."""
    if isinstance(located.sheet, Position):
        yield located.sheet.actor


def usage_of(
    located: Located, cited: Container[str], positioned: Container[str]
) -> list[Problem]:
    """Warnings if nothing uses this sheet, given every source cited and actor positioned."""
    sheet = located.sheet
    problems = []
    if sheet.folder == "sources" and sheet.id not in cited:
        problems.append(_warning_at_id(located, f"source '{sheet.id}' is not cited by any "
                                       "fact", "unused-source"))
    if isinstance(sheet, Actor) and not sheet.facts and sheet.id not in positioned:
        problems.append(_warning_at_id(located, f"actor '{sheet.id}' has no facts and no "
                                       "positions", "actor-without-facts"))
    return problems


def _warning_at_id(located: Located, message: str, rule: str) -> Problem:
    # Marks are looked up only for a sheet with something to report: finding them costs a
    # second parse of its file.
    line, column = located.raw.marks.of_value(("id",))
    return Problem(located.raw.path, line, column, message, rule, Severity.WARNING)


def check_freshness(
    sheets: dict[str, Located], max_age_days: int, today: dt.date
) -> list[Problem]:
    """Warnings for sheets last reviewed more than ``max_age_days`` before ``today``."""
    return [p for located in sheets.values() for p in freshness_of(located, max_age_days, today)]


def freshness_of(located: Located, max_age_days: int, today: dt.date) -> list[Problem]:
    """A warning if this sheet was last reviewed more than ``max_age_days`` before ``today``."""
    reviewed = located.sheet.reviewed
    if reviewed is None:
        return []
    age = (today - reviewed.span()[0]).days
    if age <= max_age_days:
        return []
    line, column = located.raw.marks.of_key(("reviewed",))
    return [Problem(
        located.raw.path, line, column,
        f"last reviewed {reviewed} ({age} days ago); sheets are due for review after "
        f"{max_age_days} days (review_after_days in briefing.yml)",
        "stale-review", Severity.WARNING)]
