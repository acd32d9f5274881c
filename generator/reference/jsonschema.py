"""Files generated from the declared models: JSON Schema for editors (``schemas/<kind>.schema.json``
for sheets, ``schemas/briefing.schema.json`` for the settings) and the field reference page
(``docs/reference.md``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator.config import Settings
from generator.content.schema import SCHEMA_MARK, SHEET_TYPES, schema_line
from generator.content.vocabularies import DEFAULT, Vocabularies
from generator.reference.fields import SETTINGS_SCHEMA, reference_markdown

__all__ = ["rendered", "schema_for", "schema_line", "stale", "write"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
REFERENCE_PAGE = "docs/reference.md"


def schema_for(folder: str, vocabularies: Vocabularies = DEFAULT) -> dict[str, Any]:
    """The JSON Schema of a kind's sheets, with the briefing's ``vocabularies`` as the words
    its controlled fields offer, or (for ``SETTINGS_SCHEMA``) of the settings."""
    if folder == SETTINGS_SCHEMA:
        # The settings name fixed words only (a stance's colour is a fixed stance).
        return _schema(Settings, folder, "Briefing settings (briefing.yml)", DEFAULT)
    cls = SHEET_TYPES[folder]
    return _schema(cls, folder, f"{cls.label.capitalize()} fact sheet", vocabularies)


def _schema(model: type[BaseModel], name: str, title: str, vocabularies: Vocabularies
            ) -> dict[str, Any]:
    body = _with_words(model.model_json_schema(mode="validation"), vocabularies)
    return {
        "$schema": DRAFT,
        "$id": f"{name}.schema.json",
        "title": title,
        **{k: v for k, v in body.items() if k != "title"},
    }


def _with_words(node: Any, vocabularies: Vocabularies) -> Any:
    """``node`` with each marked vocabulary's ``enum`` the briefing's words (and the mark
    gone): what an editor's completion offers."""
    if isinstance(node, list):
        return [_with_words(item, vocabularies) for item in node]
    if not isinstance(node, dict):
        return node
    found = {k: _with_words(v, vocabularies) for k, v in node.items() if k != SCHEMA_MARK}
    name = node.get(SCHEMA_MARK)
    if name == "side":
        if not vocabularies.side.open:
            found["enum"] = list(vocabularies.side_accepted())
    elif name is not None:
        found["enum"] = list(vocabularies[name].names)
    return found


def rendered(vocabularies: Vocabularies = DEFAULT) -> dict[str, str]:
    """Path under the project root -> exact file text, for everything made from the models
    and the briefing's ``vocabularies``: a JSON Schema per kind and for the settings, and the
    field reference page."""
    files = {
        f"schemas/{name}.schema.json":
        json.dumps(schema_for(name, vocabularies), indent=2, ensure_ascii=False) + "\n"
        for name in (*SHEET_TYPES, SETTINGS_SCHEMA)
    }
    files[REFERENCE_PAGE] = reference_markdown(vocabularies)
    return files


def stale(root: Path, vocabularies: Vocabularies = DEFAULT) -> list[str]:
    """Paths of generated files missing under ``root`` or different from the model."""
    return sorted(
        name
        for name, text in rendered(vocabularies).items()
        if not (root / name).is_file() or (root / name).read_text(encoding="utf-8") != text
    )


def write(root: Path, vocabularies: Vocabularies = DEFAULT) -> list[str]:
    """Write the generated files whose text changed; returns their paths."""
    changed = stale(root, vocabularies)
    texts = rendered(vocabularies)
    for name in changed:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(texts[name], encoding="utf-8")
    return changed
