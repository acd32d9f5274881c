"""Files generated from the declared models: JSON Schema for editors (``schemas/<kind>.schema.json``
for sheets, ``schemas/briefing.schema.json`` for the settings) and the field reference page
(``docs/reference.md``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator.config import Settings
from generator.content.schema import SHEET_TYPES, schema_line
from generator.reference.fields import SETTINGS_SCHEMA, reference_markdown

__all__ = ["rendered", "schema_for", "schema_line", "stale", "write"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
REFERENCE_PAGE = "docs/reference.md"


def schema_for(folder: str) -> dict[str, Any]:
    """The JSON Schema of a kind's sheets, or (for ``SETTINGS_SCHEMA``) of the settings."""
    if folder == SETTINGS_SCHEMA:
        return _schema(Settings, folder, "Briefing settings (briefing.yml)")
    cls = SHEET_TYPES[folder]
    return _schema(cls, folder, f"{cls.label.capitalize()} fact sheet")


def _schema(model: type[BaseModel], name: str, title: str) -> dict[str, Any]:
    body = model.model_json_schema(mode="validation")
    return {
        "$schema": DRAFT,
        "$id": f"{name}.schema.json",
        "title": title,
        **{k: v for k, v in body.items() if k != "title"},
    }


def rendered() -> dict[str, str]:
    """Path under the project root -> exact file text, for everything made from the models:
    a JSON Schema per kind and for the settings, and the field reference page."""
    files = {
        f"schemas/{name}.schema.json": json.dumps(schema_for(name), indent=2, ensure_ascii=False)
        + "\n"
        for name in (*SHEET_TYPES, SETTINGS_SCHEMA)
    }
    files[REFERENCE_PAGE] = reference_markdown()
    return files


def stale(root: Path) -> list[str]:
    """Paths of generated files missing under ``root`` or different from the model."""
    return sorted(
        name
        for name, text in rendered().items()
        if not (root / name).is_file() or (root / name).read_text(encoding="utf-8") != text
    )


def write(root: Path) -> list[str]:
    """Write the generated files whose text changed; returns their paths."""
    changed = stale(root)
    texts = rendered()
    for name in changed:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(texts[name], encoding="utf-8")
    return changed
