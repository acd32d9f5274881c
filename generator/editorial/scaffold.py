"""``briefing new <kind> <id>``: a new fact sheet from the content model, commented for editors.

The template is generated from the declared model (``schema.py``), never kept by hand: the
schema line first, then every field of the kind with its one-line description as a comment.
Required fields are filled with placeholders that validate (``TODO ...`` text, the safest
word of a vocabulary, ids of sheets that exist); optional fields are there, commented out,
ready to uncomment. Facts cite the source saved most recently (most likely the one just
added); with no source yet, only a source sheet can be created. This is the only code that
writes into ``content/``, and it never overwrites a file.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, WithJsonSchema
from pydantic.fields import FieldInfo

from generator.content.check import SHEET_SUFFIX, check, discover
from generator.content.dates import PartialDate
from generator.content.schema import (
    KINDS,
    SHEET_TYPES,
    SLUG_PATTERN,
    Event,
    Ref,
    Sheet,
    Vocabulary,
    schema_line,
)
from generator.content.vocabularies import DEFAULT, Vocabularies
from generator.errors import BriefingError, did_you_mean

log = logging.getLogger(__name__)

# The word a placeholder takes in each vocabulary: the one that claims least.
_CAUTIOUS = ("unknown", "other", "reported")
# Text YAML reads back unchanged when written unquoted, in a block or in a [flow, list].
_PLAIN = re.compile(r"[A-Za-z][^#:\n\[\]{},&*!|>%@`]*")
INDENT = "  "


class ScaffoldUsageError(BriefingError):
    """The command was called wrongly (unknown kind, an id that is not a slug): exit 2."""


class ScaffoldRefused(BriefingError):
    """The sheet cannot be written (it exists, or what it must refer to does not): exit 1."""


@dataclass(frozen=True)
class Created:
    path: Path  # the file written
    display: str  # as editors see it: content/actors/x.yml
    notes: tuple[str, ...]  # what the editor should do next


def resolve_kind(kind: str) -> str:
    """The folder for ``kind``, given as folder (``actors``) or label (``actor``)."""
    labels = {cls.label: folder for folder, cls in SHEET_TYPES.items()}
    word = kind.strip().lower()
    if word in SHEET_TYPES:
        return word
    if word in labels:
        return labels[word]
    raise ScaffoldUsageError(
        f"unknown kind '{kind}'; expected one of {', '.join(KINDS)} "
        f"(or {', '.join(labels)}){did_you_mean(word, [*KINDS, *labels])}"
    )


def check_id(sheet_id: str) -> str:
    if not re.match(SLUG_PATTERN, sheet_id):
        suggestion = "-".join(re.findall(r"[a-z0-9]+", sheet_id.lower()))
        hint = f"; for example '{suggestion}'" if suggestion else ""
        raise ScaffoldUsageError(
            f"'{sheet_id}' is not a valid id: ids are lower-case slugs (a-z, 0-9, single "
            f"hyphens) and become the file name{hint}"
        )
    return sheet_id


def _check_fits(content_dir: Path, sheet_id: str) -> None:
    """An id becomes a file name: one the file system cannot hold is a usage error."""
    try:
        most = os.pathconf(content_dir, "PC_NAME_MAX")
    except (OSError, ValueError):
        most = 255  # what Linux, macOS and Windows file systems allow
    name = f"{sheet_id}{SHEET_SUFFIX}"
    if len(os.fsencode(name)) > most:
        raise ScaffoldUsageError(
            f"id '{sheet_id[:20]}...' is {len(sheet_id)} characters long: with "
            f"'{SHEET_SUFFIX}' it is too long for a file name here (at most {most} bytes); "
            f"choose an id of at most {most - len(SHEET_SUFFIX)} characters"
        )


class _Existing:
    """The valid sheets already in the content, to refer to from placeholders."""

    def __init__(self, sheets: dict[str, Sheet], saved: dict[str, float] | None = None):
        self.saved = saved or {}  # id -> when its file was last written
        self.by_folder: dict[str, list[Sheet]] = {k: [] for k in KINDS}
        for sheet in sorted(sheets.values(), key=lambda s: s.id):
            self.by_folder[sheet.folder].append(sheet)

    def ids(self, kinds: tuple[str, ...]) -> list[str]:
        return [s.id for k in kinds for s in self.by_folder[k]]

    def source_to_cite(self) -> str | None:
        """The source saved most recently (most likely the one just added for these facts);
        ties by publication date, then id."""
        sources = self.by_folder["sources"]
        if not sources:
            return None

        def rank(source: Sheet) -> tuple[float, tuple[dt.date, dt.date], str]:
            published: PartialDate | None = getattr(source, "published", None)
            when = published.sort_key() if published else (dt.date.min, dt.date.min)
            return self.saved.get(source.id, 0.0), when, source.id

        return max(sources, key=rank).id


@dataclass
class _Template:
    """Writes the lines of one sheet; ``full`` fills optional fields too (for tests)."""

    folder: str
    sheet_id: str
    existing: _Existing
    today: str
    full: bool = False
    #: The briefing's words: its vocabularies' placeholders and notes offer them.
    vocabularies: Vocabularies = DEFAULT

    def sheet(self) -> list[str]:
        cls = SHEET_TYPES[self.folder]
        lines = [schema_line(self.folder), f"# {cls.__doc__ or cls.label}"]
        lines.append("# Replace every TODO. Optional fields are commented out: remove the '# ' "
                     "to use one.")
        order = ["id", *(n for n in cls.model_fields if n not in ("id", "reviewed", "facts")),
                 "reviewed", "facts"]
        # An actor needs no facts to validate, but one without facts is flagged; a source's
        # facts are about the document and rarely needed.
        fill = {"facts"} if self.folder != "sources" else set()
        for name in order:
            info = cls.model_fields[name]
            lines += self._field(name, info, "", info.is_required() or name in fill, cls)
        return lines

    def _field(self, name: str, info: FieldInfo, indent: str, filled: bool,
               owner: type[BaseModel]) -> list[str]:
        shape = _shape(info.annotation, info.metadata, self.vocabularies)
        lines = [f"{indent}# {_describe(info, shape)}"]
        body = self._value(name, shape, indent, owner)
        if filled or self.full:
            return lines + body
        return lines + [f"{indent}# {line[len(indent):]}" for line in body]

    def _model(self, model: type[BaseModel], indent: str) -> list[str]:
        lines: list[str] = []
        for name, info in model.model_fields.items():
            lines += self._field(name, info, indent, info.is_required(), model)
        return lines

    def _value(self, name: str, shape: _Shape, indent: str, owner: type[BaseModel]) -> list[str]:
        if shape.kind == "model" and shape.model is not None:
            return [f"{indent}{name}:", *self._model(shape.model, indent + INDENT)]
        if shape.kind == "list" and shape.item is not None and shape.item.kind == "model":
            assert shape.item.model is not None
            inner = self._model(shape.item.model, indent + INDENT * 2)
            first = next(i for i, line in enumerate(inner) if not line.lstrip().startswith("#"))
            item = [line.replace(INDENT, "", 1) for line in inner[:first]]
            item.append(f"{indent}{INDENT}- {inner[first][len(indent) + 4:]}")
            return [f"{indent}{name}:", *item, *inner[first + 1 :]]
        if shape.kind == "list" and shape.item is not None and (owner, name) == (Event, "before"):
            # A new event is dated today, most likely after every other: naming one as what it
            # came before would contradict the dates (and 'after' names the same candidate).
            if self.full:
                return [f"{indent}{name}: []"]
            return [f"{indent}{name}: [event-id]  # TODO the id of an event it came before"]
        if shape.kind == "list" and shape.item is not None:
            value, note = self._scalar(name, shape.item, owner)
            return [f"{indent}{name}: [{value}]{note}"]
        value, note = self._scalar(name, shape, owner)
        return [f"{indent}{name}: {value}{note}"]

    def _scalar(self, name: str, shape: _Shape, owner: type[BaseModel]) -> tuple[str, str]:
        """A placeholder value and an end-of-line note."""
        if name == "id" and owner is SHEET_TYPES[self.folder]:
            return self.sheet_id, ""
        if shape.kind == "ref":
            return self._ref(name, shape.ref, owner)
        if shape.kind == "vocabulary":
            return next((w for w in _CAUTIOUS if w in shape.choices), shape.choices[0]), ""
        if shape.kind == "date":
            return self.today, ""
        if shape.kind == "int":
            return "1", ""
        if shape.kind == "url":
            return "https://example.org/TODO", ""
        if shape.kind == "slug":
            return "todo", ""
        return _plain(f"TODO {_placeholder(name, owner)}"), ""

    def _ref(self, name: str, kinds: tuple[str, ...], owner: type[BaseModel]) -> tuple[str, str]:
        wanted = " or ".join(SHEET_TYPES[k].label for k in kinds)
        if kinds == ("sources",):
            newest = self.existing.source_to_cite()
            if self.folder == "sources":  # the document's own facts cite the document
                return self.sheet_id, ""
            if newest is None:
                raise ScaffoldRefused(
                    "every fact cites a source, and content/sources/ has none yet: run "
                    "'briefing new source <id>' first"
                )
            return newest, "  # the source(s) that say so"
        inferred = _from_position_id(self.sheet_id, self.existing) if self.folder == "positions" \
            else {}
        if name in inferred:
            return inferred[name], ""
        candidates = self.existing.ids(kinds)
        if not candidates:
            if owner is SHEET_TYPES[self.folder] and SHEET_TYPES[self.folder].model_fields[
                    name].is_required():
                label = SHEET_TYPES[kinds[0]].label
                raise ScaffoldRefused(
                    f"a {SHEET_TYPES[self.folder].label} must refer to a {wanted}, and there is "
                    f"none yet: run 'briefing new {label} <id>' first"
                )
            return f"{SHEET_TYPES[kinds[0]].label}-id", f"  # TODO the id of a {wanted}"
        if len(candidates) == 1:
            return candidates[0], ""
        return candidates[0], f"  # TODO the right {wanted} id"


def _from_position_id(sheet_id: str, existing: _Existing) -> dict[str, str]:
    """``<actor>-on-<plan or term>`` ids name both ends of a position."""
    actors = set(existing.ids(("actors",)))
    targets = set(existing.ids(("plans", "terms")))
    for match in re.finditer(r"-on-", sheet_id):
        actor, target = sheet_id[: match.start()], sheet_id[match.end() :]
        if actor in actors and target in targets:
            return {"actor": actor, "on": target}
    return {}


@dataclass(frozen=True)
class _Shape:
    kind: str  # text, slug, url, int, date, vocabulary, ref, model, list
    choices: tuple[str, ...] = ()
    ref: tuple[str, ...] = ()
    model: type[BaseModel] | None = None
    item: _Shape | None = None


def _shape(annotation: Any, metadata: list[Any], vocabularies: Vocabularies = DEFAULT
           ) -> _Shape:
    """What sort of value a field takes, read from its declared type and metadata."""
    metadata = list(metadata)
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            metadata += list(annotation.__metadata__)
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            break
    if origin is list:
        return _shape_list(typing.get_args(annotation)[0], vocabularies)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _Shape("model", model=annotation)
    if annotation is PartialDate:
        return _Shape("date")
    if annotation is int:
        return _Shape("int")
    for meta in metadata:
        if isinstance(meta, Ref):
            return _Shape("ref", ref=meta.kinds)
        if isinstance(meta, Vocabulary):
            if meta.name == "side":  # a side is any text, unless the briefing declares them
                if vocabularies.side.open:
                    return _Shape("text")
                return _Shape("vocabulary", choices=vocabularies.side_accepted())
            return _Shape("vocabulary", choices=vocabularies[meta.name].names)
    for meta in metadata:
        if isinstance(meta, WithJsonSchema) and meta.json_schema:
            if meta.json_schema.get("format") == "uri":
                return _Shape("url")
            if "pattern" in meta.json_schema:
                return _Shape("slug")
    return _Shape("text")


def _shape_list(item: Any, vocabularies: Vocabularies = DEFAULT) -> _Shape:
    return _Shape("list", item=_shape(item, [], vocabularies))


def _describe(info: FieldInfo, shape: _Shape) -> str:
    text = (info.description or "").strip()
    inner = shape.item if shape.kind == "list" and shape.item else shape
    if inner.kind == "vocabulary":
        text += f" One of: {', '.join(inner.choices)}."
    elif inner.kind == "date":
        text += " Written 2024, 2024-03, 2024-03-15 or late 2024-06."
    return text + ("" if info.is_required() else " (optional)")


def _placeholder(name: str, owner: type[BaseModel]) -> str:
    info = owner.model_fields.get(name)
    words = (info.description if info and info.description else name).strip().rstrip(".")
    words = re.split(r"[,(;]", words)[0].strip()  # 'The role, e.g. ...' -> 'the role'
    return words[:1].lower() + words[1:]


def _plain(text: str) -> str:
    """Text as a YAML scalar: unquoted where YAML reads it back unchanged, else quoted."""
    if _PLAIN.fullmatch(text) and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def template(content_dir: Path, kind: str, sheet_id: str, *, full: bool = False,
             today: dt.date | None = None, vocabularies: Vocabularies = DEFAULT) -> str:
    """The text of a new sheet (nothing written), offering the briefing's ``vocabularies``.
    ``full`` fills the optional fields too."""
    folder = resolve_kind(kind)
    check_id(sheet_id)
    result = check(content_dir, content_dir.parent, vocabularies=vocabularies)
    day = (today or dt.date.today()).isoformat()
    saved = {}
    for i, located in result.sheets.items():
        try:
            saved[i] = (content_dir.parent / located.raw.path).stat().st_mtime
        except OSError:
            saved[i] = 0.0
    existing = _Existing({i: located.sheet for i, located in result.sheets.items()}, saved)
    writer = _Template(folder, sheet_id, existing, day, full, vocabularies)
    return "\n".join(writer.sheet()) + "\n"


def new_sheet(root: Path, kind: str, sheet_id: str,
              today: Callable[[], dt.date] = dt.date.today,
              vocabularies: Vocabularies = DEFAULT) -> Created:
    """Write ``content/<kind>/<id>.yml`` under ``root``. Raises ScaffoldUsageError (bad kind or
    id, no content folder) or ScaffoldRefused (the file or id exists; a needed sheet is missing)."""
    folder = resolve_kind(kind)
    check_id(sheet_id)
    content_dir = root / "content"
    if not content_dir.is_dir():
        raise ScaffoldUsageError(f"no content folder at {content_dir}")
    _check_fits(content_dir, sheet_id)
    display = f"content/{folder}/{sheet_id}{SHEET_SUFFIX}"
    files, _ = discover(content_dir, root)
    for _, other, _ in files:
        if other == display:
            raise ScaffoldRefused(f"{display} already exists; edit it instead "
                                  "('briefing new' never overwrites a file)")
        if Path(other).stem == sheet_id:
            raise ScaffoldRefused(f"id '{sheet_id}' is already used by {other}; ids are unique "
                                  "across all kinds")
    text = template(content_dir, folder, sheet_id, today=today(), vocabularies=vocabularies)
    path = content_dir / folder / f"{sheet_id}{SHEET_SUFFIX}"
    path.parent.mkdir(exist_ok=True)
    if not path.parent.resolve().is_relative_to(content_dir.resolve()):
        # The kind's folder is a link out of content/: nothing is written outside it.
        raise ScaffoldRefused(f"content/{folder} is a link to a folder outside content/; "
                              "fact sheets must live inside it")
    try:
        handle = path.open("x", encoding="utf-8", newline="\n")  # never overwrite
    except FileExistsError:
        raise ScaffoldRefused(f"{display} already exists; edit it instead") from None
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        raise ScaffoldUsageError(f"{display}: the path is too long for this file system; "
                                 "choose a shorter id") from None
    try:
        with handle:
            handle.write(text)
    except BaseException as exc:
        path.unlink(missing_ok=True)  # a disk that filled up leaves no half sheet behind
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # flushing on close says nothing of which file
        raise
    notes = ["replace every TODO, then run 'briefing check'"]
    if folder == "sources":
        notes.append(f"until a fact cites it (sources: [{sheet_id}]), 'briefing check' warns "
                     "that the source is unused")
    elif any("TODO the right" in line for line in text.splitlines()
             if not line.lstrip().startswith("#")):
        notes.append("placeholder ids marked '# TODO the right ... id' point at an existing "
                     "sheet: change them")
    return Created(path, display, tuple(notes))
