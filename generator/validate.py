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
from generator.loader import DataPath, RawSheet, load_bytes, load_file
from generator.pause import without_collector
from generator.problems import Problem, Severity, did_you_mean, sort_key
from generator.schema import (
    KINDS,
    SHEET_TYPES,
    Actor,
    Node,
    Ref,
    Sheet,
    annotation_parts,
    schema_line,
)
from generator.yamlparse import todo_comments

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

    @property
    def id(self) -> str:
        return self.sheet.id


@dataclass(frozen=True)
class Broken:
    """A sheet with errors of its own, kept for the checks across sheets that can still be
    made on it, so that one run reports them all: its id (None when that is wrong, or differs
    from the file name) and the references among its values that are not wrong themselves."""

    raw: RawSheet
    id: str | None
    refs: tuple[Reference, ...] = ()


#: One content file that loaded as a mapping, valid or not.
Item = Located | Broken


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
    items: list[Item] = []
    for path, display, folder in files:
        item, found = load_one(path, display, folder)
        problems.extend(found)
        if item is not None:
            items.append(item)
    sheets, found = link_sheets(items, existing_ids(files))
    problems.extend(found)
    return CheckResult(sheets, sorted(problems, key=sort_key), len(files))


#: Id -> the kinds of the sheet files with that name (more than one when ids clash).
Existing = dict[str, tuple[str, ...]]


def existing_ids(files: list[SheetFile]) -> Existing:
    """Id -> kinds of every sheet file found, valid or not (discover gives only .yml files)."""
    existing: Existing = {}
    for _path, display, folder in files:
        sheet_id = display[display.rfind("/") + 1 : -len(".yml")]
        existing[sheet_id] = (*existing.get(sheet_id, ()), folder)
    return existing


def load_one(path: str | os.PathLike[str], display: str, folder: str, data: bytes | None = None
             ) -> tuple[Item | None, list[Problem]]:
    """Read (unless its bytes are given as ``data``) and validate one file on its own
    (cross-sheet checks come in link_sheets). None when the file is no mapping of keys."""
    if data is None:
        raw, problems = load_file(path, display, folder)
    else:
        raw, problems = load_bytes(data, path, display, folder)
    if raw is None:
        return None, problems
    item, more = validate_one(raw)
    return item, [*problems, *more]


def link_sheets(
    items: list[Item], existing: Existing | None = None
) -> tuple[dict[str, Located], list[Problem]]:
    """Checks across sheets: unique ids, references that resolve, sheets nothing uses.
    ``items`` are in the order of their files; sheets with errors of their own take part with
    what can still be checked. ``existing`` maps the id of every sheet file found, valid or
    not, to its kinds, so that a broken sheet is reported once, in its own file, not again by
    every reference to it."""
    sheets, problems = unique_ids(items)
    broken = [item for item in items if isinstance(item, Broken)]
    problems.extend(check_references(sheets, existing))
    problems.extend(check_references(sheets, existing, broken))
    problems.extend(check_usage(sheets, broken))
    return sheets, problems


def unique_ids(items: Iterable[Item]) -> tuple[dict[str, Located], list[Problem]]:
    """The valid sheets by id, and an error for each file whose id an earlier file has. A
    valid sheet is left out only for an earlier valid one: a file with errors of its own
    claims its id, but references are not resolved against it."""
    problems: list[Problem] = []
    sheets: dict[str, Located] = {}
    first: dict[str, str] = {}  # id -> the file that has it first
    for item in items:
        sheet_id = item.id
        if sheet_id is None:
            continue
        raw = item.raw
        if sheet_id in first:
            line, column = raw.marks.of_value(("id",))
            problems.append(
                Problem(raw.path, line, column,
                        f"id '{sheet_id}' is already used by {first[sheet_id]}; ids "
                        "are unique across all kinds", "duplicate-id")
            )
        else:
            first[sheet_id] = raw.path
        if isinstance(item, Located) and sheet_id not in sheets:
            sheets[sheet_id] = item
    return sheets, problems


def validate_one(raw: RawSheet) -> tuple[Item, list[Problem]]:
    """The sheet in ``raw`` checked on its own: every problem of its fields, its id and its
    text. A sheet with errors comes back as Broken, with what other checks can still use."""
    cls = SHEET_TYPES[raw.folder]
    try:
        sheet = cls.model_validate(raw.data)
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
            Problem(raw.path, line, column, f"'{_name(where)}' still holds a TODO placeholder; "
                    "replace it before publishing", "placeholder", Severity.WARNING)
        )
    starts = {at: where for where, at in raw.marks.values.items()}
    starts.update({at: where for where, at in raw.marks.keys.items()})
    for (line, column), before in todo_comments(raw.text, _TODO):
        named = starts.get(before) if before else None
        if named is None or named in in_values or _under(named, wrong):
            continue
        found.append(
            Problem(raw.path, line, column, f"'{_name(named)}' is marked TODO in a comment; "
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


def _name(where: DataPath) -> str:
    """The key a value stands under (a list item's: its list's)."""
    return next((str(p) for p in reversed(where) if isinstance(p, str)), "value")


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
def _fields(cls: type[BaseModel]) -> tuple[tuple[str, Ref | None, type[BaseModel] | None], ...]:
    """Each field of ``cls`` with what it holds: ids of other sheets (its Ref), or a model."""
    found = []
    for name, field in cls.model_fields.items():
        ref = next((m for m in field.metadata if isinstance(m, Ref)), None) or next(
            (p for p in annotation_parts(field.annotation) if isinstance(p, Ref)), None)
        found.append((name, ref, None if ref is not None else _model_in(field.annotation)))
    return tuple(found)


Reference = tuple[DataPath, Ref, str]


def iter_references(node: Node | dict[str, Any], path: DataPath = (),
                    model: type[BaseModel] | None = None,
                    skip: Container[DataPath] = ()) -> Iterator[Reference]:
    """Every id ``node`` refers to, with where it stands and which kinds it may name. ``node``
    is a validated model, or the data of one that failed validation, walked by the fields
    ``model`` declares: then values at or under a path in ``skip`` (found wrong already) and
    values of the wrong shape are passed over."""
    data: dict[str, Any] | None = None
    if isinstance(node, dict):
        data = node
        assert model is not None, "the data of a sheet is walked by its model"
        cls = model
    else:
        cls = type(node)
    for name, ref, inner in _fields(cls):
        value = getattr(node, name) if data is None else data.get(name)
        if value is None:
            continue
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = (*path, name) if index is None else (*path, name, index)
            if skip and (where in skip or index is not None and where[:-1] in skip):
                continue  # found wrong already (the walk never enters what is)
            if ref is not None:
                if isinstance(item, str):
                    yield where, ref, item
            elif isinstance(item, Node):
                yield from iter_references(item, where)
            elif isinstance(item, dict) and inner is not None:
                yield from iter_references(item, where, inner, skip)


def check_references(
    sheets: dict[str, Located],
    existing: Existing | None = None,
    only: Iterable[Item] | None = None,
) -> list[Problem]:
    """Problems with the references of ``only`` (default: every valid sheet), resolved against
    ``sheets`` (and ``existing``, see link_sheets)."""
    problems = []
    existing = existing or {}
    for item in sheets.values() if only is None else only:
        for where, ref, target in item.refs:
            found = sheets.get(target)
            if found is not None and found.sheet.folder in ref.kinds:
                continue
            if any(kind in ref.kinds for kind in existing.get(target, ())):
                continue  # a file of the right kind exists, with errors of its own
            wanted = " or ".join(SHEET_TYPES[k].label for k in ref.kinds)
            name = _name(where)
            line, column = item.raw.marks.of_value(where)
            if found is None:
                candidates = [i for i, s in sheets.items() if s.sheet.folder in ref.kinds]
                message = (f"'{name}' refers to {wanted} '{target}', which does not exist"
                           f"{did_you_mean(target, candidates)}")
            else:
                message = (f"'{name}' must refer to {_a(wanted)}; '{target}' is "
                           f"{_a(found.sheet.label)}")
            problems.append(Problem(item.raw.path, line, column, message, "reference"))
    return problems


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def check_usage(sheets: dict[str, Located], broken: Iterable[Broken] = ()) -> list[Problem]:
    """Warnings for valid sheets nothing uses (a sheet with errors may still use them)."""
    cited: set[str] = set()
    positioned: set[str] = set()
    items: list[Item] = [*sheets.values(), *broken]
    for item in items:
        cited.update(cited_by(item))
        positioned.update(positioned_by(item))
    return [p for located in sheets.values() for p in usage_of(located, cited, positioned)]


def cited_by(item: Item) -> Iterator[str]:
    """The sources a sheet cites (once per citation)."""
    return (target for _where, ref, target in item.refs if ref.kinds == ("sources",))


def positioned_by(item: Item) -> Iterator[str]:
    """The actor a position sheet is of."""
    if item.raw.folder == "positions":
        yield from (target for where, _ref, target in item.refs if where == ("actor",))


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
