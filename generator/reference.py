"""The field reference page (``docs/reference.md``), generated from the declared model so that
it cannot drift from what the validator accepts."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel

from generator.schema import SHEET_TYPES, VOCABULARIES, Ref, Vocabulary, annotation_parts

HEADER = """<!-- Generated from generator/schema.py by `briefing schema`; do not edit by hand. -->

# Field reference

Every kind of fact sheet, every field it takes, and every word a controlled field accepts.
Dates are written `2025`, `2025-11`, `2025-11-27`, or with `early`, `mid` or `late` before a
year or month (`late 2025-10`). A *fact* is a statement with its sources and certainty.

The site also publishes the whole validated briefing as [`briefing.json`](briefing.json):
`format` (`briefing/1`), `title`, `subtitle`, `language`, `as_of` and `sheets`, a list per
kind whose records have exactly the fields below (empty optional fields left out) plus `path`,
the content file the sheet comes from.

"""


def _type(annotation: Any) -> str:
    """A reader's name for a field's type."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, Ref):
            return " or ".join(f"{SHEET_TYPES[k].label} id" for k in meta.kinds)
    if origin is typing.Annotated:
        return _type(args[0])
    if origin is list:
        return f"list of {_type(args[0])}"
    if args and type(None) in args:
        return " or ".join(_type(a) for a in args if a is not type(None))
    name = getattr(annotation, "__name__", str(annotation))
    return {
        "str": "text",
        "int": "whole number",
        "PartialDate": "date",
        "Fact": "fact",
    }.get(name, name.lower())


def _vocabulary_of(annotation: Any) -> str | None:
    for part in annotation_parts(annotation):
        if isinstance(part, Vocabulary):
            return ", ".join(f"`{word}`" for word in part.words)
    return None


def _table(model: type[BaseModel]) -> list[str]:
    rows = ["| field | required | type | meaning |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        annotation: Any = field.annotation
        if field.metadata:
            annotation = typing.Annotated[(annotation, *field.metadata)]
        kind = _type(annotation)
        words = _vocabulary_of(annotation)
        if words:
            kind = f"one of {words}"
        required = "yes" if field.is_required() else ""
        rows.append(f"| `{name}` | {required} | {kind} | {field.description} |")
    return rows


def _nested(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[type[BaseModel]]:
    found = []
    for field in model.model_fields.values():
        for part in annotation_parts(field.annotation):
            if isinstance(part, type) and issubclass(part, BaseModel) and part not in seen:
                seen.add(part)
                found.append(part)
                found.extend(_nested(part, seen))
    return found


def reference_markdown() -> str:
    lines = [HEADER.rstrip(), ""]
    seen: set[type[BaseModel]] = set()
    nested: list[type[BaseModel]] = []
    for folder, cls in SHEET_TYPES.items():
        lines += [f"## {cls.label.capitalize()} (`content/{folder}/`)", "", cls.__doc__ or "", ""]
        lines += _table(cls)
        lines.append("")
        nested += _nested(cls, seen)
    lines += ["## Parts of sheets", ""]
    for model in sorted(nested, key=lambda m: m.__name__):
        lines += [f"### {model.__name__}", "", model.__doc__ or "", ""]
        lines += _table(model)
        lines.append("")
    lines += ["## Vocabularies", ""]
    for name, words in VOCABULARIES.items():
        lines += [f"### {name.capitalize()}", "", "| word | meaning |", "|---|---|"]
        lines += [f"| `{word}` | {meaning} |" for word, meaning in words.items()]
        lines.append("")
    return "\n".join(line.rstrip() for line in lines).rstrip() + "\n"
