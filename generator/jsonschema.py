"""JSON Schema for editors, generated from the declared model (``schemas/<kind>.schema.json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.schema import SHEET_TYPES

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def schema_for(folder: str) -> dict[str, Any]:
    cls = SHEET_TYPES[folder]
    body = cls.model_json_schema(mode="validation")
    return {
        "$schema": DRAFT,
        "$id": f"{folder}.schema.json",
        "title": f"{cls.label.capitalize()} fact sheet",
        **{k: v for k, v in body.items() if k != "title"},
    }


def rendered() -> dict[str, str]:
    """File name -> exact file text, for every kind."""
    return {
        f"{folder}.schema.json": json.dumps(schema_for(folder), indent=2, ensure_ascii=False)
        + "\n"
        for folder in SHEET_TYPES
    }


def stale(directory: Path) -> list[str]:
    """Names of schema files missing from ``directory`` or different from the model."""
    return sorted(
        name
        for name, text in rendered().items()
        if not (directory / name).is_file()
        or (directory / name).read_text(encoding="utf-8") != text
    )


def write(directory: Path) -> list[str]:
    """Write the schema files whose text changed; returns their names."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = stale(directory)
    texts = rendered()
    for name in changed:
        (directory / name).write_text(texts[name], encoding="utf-8")
    return changed


def schema_line(folder: str) -> str:
    """The first line of every content file: tells the editor's YAML server which schema."""
    return f"# yaml-language-server: $schema=../../schemas/{folder}.schema.json"
