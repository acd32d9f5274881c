"""Files generated from the declared model: JSON Schema for editors
(``schemas/<kind>.schema.json``) and the field reference page (``docs/reference.md``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.reference import reference_markdown
from generator.schema import SHEET_TYPES, schema_line

__all__ = ["rendered", "schema_for", "schema_line", "stale", "write"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
REFERENCE_PAGE = "docs/reference.md"


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
    """Path under the project root -> exact file text, for everything made from the model:
    a JSON Schema per kind and the field reference page."""
    files = {
        f"schemas/{folder}.schema.json": json.dumps(
            schema_for(folder), indent=2, ensure_ascii=False
        )
        + "\n"
        for folder in SHEET_TYPES
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
