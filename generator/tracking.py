"""What a page read while it was rendered, so that a rebuild re-renders only pages whose
inputs changed (used by ``pipeline.Workspace`` under ``mkdocs serve``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.model import OPEN_CERTAINTIES, Briefing, facts_of
from generator.schema import Sheet
from generator.validate import iter_references

ALL = "*"  # a dependency on everything (a page that summarises the whole briefing)
OPEN = "open-questions"  # a dependency on which facts are open questions


@dataclass
class Dependencies:
    """What one page read while rendering."""

    ids: set[str] = field(default_factory=set)  # sheets whose content it showed
    targets: set[str] = field(default_factory=set)  # ids it looked up referrers of
    kinds: set[str] = field(default_factory=set)  # folders it listed whole, or ALL / OPEN


class TrackingBriefing:
    """A Briefing that notes what a template reads from it. Same interface, by delegation."""

    _LOOKUPS = frozenset({
        "terms_of", "positions_on", "positions_of", "events_with", "plans_drafted_by",
        "places_linked_to", "relations_to", "members", "citing",
    })
    _LISTS = frozenset({"sources", "actors", "plans", "terms", "positions", "events", "places"})
    _WHOLE = frozenset({"citations", "sheets", "paths", "review_queue"})

    def __init__(self, briefing: Briefing, deps: Dependencies):
        self._briefing = briefing
        self._deps = deps

    def get(self, sheet_id: str) -> Sheet:
        self._deps.ids.add(sheet_id)
        return self._briefing.get(sheet_id)

    def name(self, sheet_id: str) -> str:
        self._deps.ids.add(sheet_id)
        return self._briefing.name(sheet_id)

    def path_of(self, sheet_id: str) -> str:
        self._deps.ids.add(sheet_id)
        return self._briefing.path_of(sheet_id)

    def sides(self) -> Any:
        self._deps.kinds.add("actors")
        return self._briefing.sides()

    @property
    def open_questions(self) -> Any:
        self._deps.kinds.add(OPEN)
        found = self._briefing.open_questions
        self._deps.ids.update(c.sheet.id for c in found)
        self._deps.ids.update(s for c in found for s in c.fact.sources)
        return found

    @property
    def as_of(self) -> Any:
        self._deps.kinds.add("sources")
        return self._briefing.as_of

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._briefing, name)
        if name in self._LISTS:
            self._deps.kinds.add(name)
            return value
        if name in self._WHOLE:
            self._deps.kinds.add(ALL)
            return value
        if name in self._LOOKUPS:
            def lookup(target: str) -> Any:
                self._deps.targets.add(target)
                found = value(target)
                self._deps.ids.update(_ids_in(found))
                return found
            return lookup
        raise AttributeError(f"templates may not use Briefing.{name} untracked")


def _ids_in(found: Iterable[Any]) -> Iterator[str]:
    for item in found:
        if isinstance(item, tuple):
            item = item[0]
        if isinstance(item, Sheet):
            yield item.id
        else:  # a Citation
            yield item.sheet.id
            yield from item.fact.sources


@dataclass(frozen=True)
class Changes:
    """What differs between two versions of the content."""

    ids: set[str]  # sheets added, removed or changed
    targets: set[str]  # ids those sheets (old or new version) refer to
    kinds: set[str]  # their folders, plus OPEN and ALL flags

    @classmethod
    def between(cls, before: dict[str, Sheet], after: dict[str, Sheet],
                candidates: Iterable[str] | None = None) -> Changes:
        """The changes from ``before`` to ``after``; ``candidates``, if given, holds every id
        whose sheet may differ (the others are known to be the very same objects)."""
        ids = {
            i
            for i in (before.keys() | after.keys() if candidates is None else candidates)
            # A sheet the workspace did not re-read is the very same object: skip comparing.
            if before.get(i) is not after.get(i) and before.get(i) != after.get(i)
        }
        targets: set[str] = set()
        kinds: set[str] = {ALL} if ids else set()
        for sheet_id in ids:
            for version in (before.get(sheet_id), after.get(sheet_id)):
                if version is None:
                    continue
                kinds.add(version.folder)
                targets.update(target for _where, _ref, target in iter_references(version))
                if any(c.fact.certainty in OPEN_CERTAINTIES for c in facts_of(version)):
                    kinds.add(OPEN)
        return cls(ids, targets | ids, kinds)

    def affect(self, deps: Dependencies) -> bool:
        return bool(deps.ids & self.ids or deps.targets & self.targets or deps.kinds & self.kinds)
