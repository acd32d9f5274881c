"""The built-in search: what a reader types finds the right page, and sheets rank above
indexes. Lunr is emulated roughly: a page matches when every query word is a word of the
title or text of one of its sections (split at the index's own separator, lower case)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.content.schema import KINDS

TAGS = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def index(shipped_site: Path) -> dict[str, Any]:
    return dict(json.loads((shipped_site / "search" / "search_index.json").read_text("utf-8")))


def words(text: str, separator: re.Pattern[str]) -> set[str]:
    """Lunr's tokens: split at the index's separator, lower case. Nothing is trimmed (the
    index's pipeline has no trimmer), so "(RDIF)," stays one token unless the separator
    splits it."""
    return {t.lower() for t in separator.split(TAGS.sub(" ", text))} - {""}


def search(index: dict[str, Any], query: str) -> set[str]:
    """Locations of the pages (not sections) with a section in which every query word
    begins a token (Material searches each word as a prefix)."""
    separator = re.compile(index["config"]["separator"])
    wanted = words(query, separator)
    found = set()
    for doc in index["docs"]:
        tokens = words(doc["title"], separator) | words(doc["text"], separator)
        if all(any(t.startswith(w) for t in tokens) for w in wanted):
            found.add(doc["location"].split("#", 1)[0])
    return found


def is_sheet(location: str) -> bool:
    parts = location.split("#", 1)[0].strip("/").split("/")
    return len(parts) == 2 and parts[0] in KINDS


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("RDIF", "actors/kirill-dmitriev/"),
        ("Russian Direct Investment Fund", "actors/kirill-dmitriev/"),
        ("RDIF", "actors/russian-direct-investment-fund/"),
        ("Faena", "places/faena-hotel/"),
        ("Crimea", "terms/crimea-recognised-as-russian/"),
        ("Kyiv", "actors/ukraine-government/"),  # an alias
    ],
)
def test_search_finds(index: dict[str, Any], query: str, location: str) -> None:
    assert location in search(index, query)


def test_page_titles_are_names(index: dict[str, Any]) -> None:
    titles = {doc["location"]: doc["title"] for doc in index["docs"]}
    assert titles["actors/kirill-dmitriev/"] == "Kirill Dmitriev"
    assert titles["places/faena-hotel/"] == "Faena Hotel"
    # Aliases are in the heading, which the index weighs as the title (not as text).
    assert titles["actors/russian-direct-investment-fund/"] == (
        "Russian Direct Investment Fund (RDIF)")
    assert titles["plans/us-russia-28-point-plan/"].endswith("for Ukraine (28-point plan)")


def boosts(index: dict[str, Any]) -> dict[str, set[float]]:
    """Each kind's pages' boosts (composed pages under "composed")."""
    found: dict[str, set[float]] = {}
    for doc in index["docs"]:
        kind = doc["location"].split("/")[0] if is_sheet(doc["location"]) else "composed"
        found.setdefault(kind, set()).add(doc.get("boost", 1))
    return found


def test_sheets_rank_above_the_pages_that_name_them(index: dict[str, Any]) -> None:
    """Actors, plans, terms and places are named in events' titles, and sources' and
    positions' ("X on Y"): those rank below them, positions no higher than composed pages."""
    by_kind = boosts(index)
    assert set(by_kind) == {*KINDS, "composed"}
    assert all(len(values) == 1 for values in by_kind.values()), by_kind
    boost = {kind: values.pop() for kind, values in by_kind.items()}
    named = min(boost[k] for k in ("actors", "plans", "terms", "places"))
    assert named > boost["events"] > boost["sources"] > boost["positions"] == boost["composed"]
