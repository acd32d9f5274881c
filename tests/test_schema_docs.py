"""Every field of the content model says what it is for (the schema and docs are made from it)."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from generator import schema
from generator.config import Settings
from generator.jsonschema import schema_for
from generator.schema import SHEET_TYPES


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


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_every_field_has_a_description(model: type[BaseModel]) -> None:
    assert (model.__doc__ or "").strip(), f"{model.__name__} has no docstring"
    missing = [
        name for name, field in model.model_fields.items() if not (field.description or "").strip()
    ]
    assert missing == [], f"{model.__name__} fields without a description: {missing}"


@pytest.mark.parametrize("kind", sorted(SHEET_TYPES))
def test_descriptions_reach_the_json_schema(kind: str) -> None:
    generated = schema_for(kind)
    for name, prop in generated["properties"].items():
        assert prop.get("description"), f"{kind}.{name} has no description in the schema"
    for definition in generated.get("$defs", {}).values():
        for name, prop in definition.get("properties", {}).items():
            assert prop.get("description"), f"{definition.get('title')}.{name}: no description"
