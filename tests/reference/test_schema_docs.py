"""Every field of the content model and every setting says what it is for (the schemas and the
field reference are made from them), and every setting is in the field reference."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, Field

from generator.config import CONFIG_FILE, Settings
from generator.content import schema
from generator.content.schema import SHEET_TYPES
from generator.reference.fields import SETTINGS_SCHEMA, reference_markdown, settings_markdown
from generator.reference.jsonschema import schema_for


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from models_in(arg)


def all_models() -> list[type[BaseModel]]:
    """Every sheet type, every model nested in one, and the briefing's settings."""
    seen: dict[str, type[BaseModel]] = {}
    todo: list[type[BaseModel]] = [*SHEET_TYPES.values(), Settings]
    while todo:
        model = todo.pop()
        if model.__name__ in seen:
            continue
        seen[model.__name__] = model
        for field in model.model_fields.values():
            todo.extend(models_in(field.annotation))
    return [seen[name] for name in sorted(seen)]


MODELS = all_models()


def test_nested_models_are_found() -> None:
    names = {model.__name__ for model in MODELS}
    assert {"Fact", "Role", "Relation", "Deadline", "Settings"} <= names
    assert {cls.__name__ for cls in SHEET_TYPES.values()} <= names


def test_every_node_model_is_reachable() -> None:
    """A model declared in schema.py but used by no sheet would escape the checks below."""
    declared = {
        obj.__name__
        for obj in vars(schema).values()
        if isinstance(obj, type)
        and issubclass(obj, schema.Node)
        and obj.__module__ == schema.__name__
    }
    assert declared - {"Node", "Sheet"} <= {model.__name__ for model in MODELS}


def undocumented(model: type[BaseModel]) -> list[str]:
    """The fields of ``model`` without a description."""
    return [name for name, field in model.model_fields.items()
            if not (field.description or "").strip()]


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_every_field_has_a_description(model: type[BaseModel]) -> None:
    assert (model.__doc__ or "").strip(), f"{model.__name__} has no docstring"
    assert undocumented(model) == [], f"{model.__name__} fields without a description"


class MoreSettings(Settings):
    """The settings with two keys more, as a new setting would be added."""

    undocumented_key: int = 1
    site_address: str | None = Field(default=None, description="Where the site is published.")


def test_a_setting_without_a_description_fails() -> None:
    """What test_every_field_has_a_description[Settings] finds when a key is added bare."""
    assert undocumented(MoreSettings) == ["undocumented_key"]


def test_a_new_setting_reaches_the_field_reference_by_itself() -> None:
    rows = settings_markdown(MoreSettings)
    assert rows[-1] == "| `site_address` | text | not set | Where the site is published. |"
    assert rows[-2].startswith("| `undocumented_key` | whole number | `1` |")


def settings_rows() -> dict[str, list[str]]:
    """The field reference's table of settings: key -> its cells."""
    page = reference_markdown()
    heading = f"## Settings (`{CONFIG_FILE}`)"
    assert page.count(heading) == 1
    rows = {}
    for line in page.split(heading, 1)[1].split("\n## ", 1)[0].splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| `"):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_every_setting_is_in_the_field_reference() -> None:
    rows = settings_rows()
    assert list(rows) == list(Settings.model_fields)
    for name, field in Settings.model_fields.items():
        kind, default, meaning = rows[name]
        assert meaning == field.description, name
        assert kind, name
        if field.is_required():
            assert default == "required", name
        elif field.default is None:
            assert default == "not set", name
        elif field.default_factory is not None:  # the vocabularies: none declared
            assert default == "the built-in words", name
        else:
            assert default == f"`{field.default}`", name


def test_settings_rows_as_editors_read_them() -> None:
    rows = settings_rows()
    assert rows["title"][:2] == ["text", "required"]
    assert rows["review_after_days"][:2] == ["whole number, at least 1", "`90`"]
    assert rows["repo_url"][:2] == ["web address (http or https)", "not set"]
    assert rows["edit_uri"][:2] == ["text", "`edit/main/`"]


@pytest.mark.parametrize("kind", [*sorted(SHEET_TYPES), SETTINGS_SCHEMA])
def test_descriptions_reach_the_json_schema(kind: str) -> None:
    generated = schema_for(kind)
    for name, prop in generated["properties"].items():
        assert prop.get("description"), f"{kind}.{name} has no description in the schema"
    for definition in generated.get("$defs", {}).values():
        for name, prop in definition.get("properties", {}).items():
            assert prop.get("description"), f"{definition.get('title')}.{name}: no description"
