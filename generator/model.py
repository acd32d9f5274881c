"""The validated briefing as one cross-referenced, read-only graph.

Built only from sheets that passed validation, so every reference resolves. Templates read
this, never raw YAML.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TypeVar

from generator.dates import PartialDate
from generator.schema import (
    Actor,
    Event,
    Fact,
    Place,
    Plan,
    Position,
    Sheet,
    Source,
    Term,
)
from generator.validate import CheckResult, Reference

S = TypeVar("S", bound=Sheet)

OPEN_CERTAINTIES = ("possible", "disputed", "denied")


@dataclass(frozen=True)
class Citation:
    """One fact, the sheet it stands on, and where in the sheet (for context)."""

    sheet: Sheet
    fact: Fact
    context: str  # "" for the sheet's own facts, else e.g. "role: Head" or "relation: met"


@dataclass(frozen=True)
class Briefing:
    """Every validated sheet, by id, with the lookups pages need."""

    sheets: dict[str, Sheet]
    paths: dict[str, str]  # id -> content path, e.g. content/actors/x.yml
    digests: dict[str, str] = field(default_factory=dict)  # id -> hash of the file's bytes
    #: id -> every reference of the sheet, as validation found them (not worked out again)
    refs: dict[str, tuple[Reference, ...]] = field(default_factory=dict)

    @classmethod
    def from_check(
        cls, result: CheckResult, previous: Briefing | None = None,
        changed: Collection[str] | None = None,
    ) -> Briefing:
        """The briefing of a check's sheets. With ``previous`` (the briefing of an earlier
        check) and ``changed`` (every id whose sheet is not the very same object in both),
        what ``previous`` had worked out is updated rather than worked out again."""
        if previous is None or changed is None:
            ordered = sorted(result.sheets.items())
            return cls(
                sheets={i: located.sheet for i, located in ordered},
                paths={i: located.raw.path for i, located in ordered},
                refs={i: located.refs for i, located in ordered},
            )
        sheets, paths, refs = dict(previous.sheets), dict(previous.paths), dict(previous.refs)
        added = False
        for sheet_id in changed:
            located = result.sheets.get(sheet_id)
            if located is None:
                sheets.pop(sheet_id, None)
                paths.pop(sheet_id, None)
                refs.pop(sheet_id, None)
            else:
                added = added or sheet_id not in sheets
                sheets[sheet_id] = located.sheet
                paths[sheet_id] = located.raw.path
                refs[sheet_id] = located.refs
        if added:  # kept in id order, as a full build has them
            sheets = dict(sorted(sheets.items()))
            paths = dict(sorted(paths.items()))
        briefing = cls(sheets=sheets, paths=paths, refs=refs)
        briefing._update_from(previous, set(changed))
        return briefing

    def _update_from(self, previous: Briefing, changed: set[str]) -> None:
        """Carry over the indexes ``previous`` built, updated for the ``changed`` sheets."""
        done = previous.__dict__
        olds = [previous.sheets[i] for i in changed if i in previous.sheets]
        news = [self.sheets[i] for i in changed if i in self.sheets]
        touched = {s.folder for s in (*olds, *news)}
        for kind in ("sources", "actors", "plans", "terms", "positions", "events", "places"):
            if kind in done and kind not in touched:
                self.__dict__[kind] = done[kind]
        if "as_of" in done and "sources" not in touched:
            self.__dict__["as_of"] = done["as_of"]
        if "_referrers" in done:
            referrers = dict(done["_referrers"])
            fresh: dict[str, list[tuple[Sheet, str]]] = defaultdict(list)
            for sheet in sorted(news, key=lambda s: s.id):
                for target, name in _named(self.refs[sheet.id]):
                    fresh[target].append((sheet, name))
            old_targets = {t for s in olds for t, _ in _named(previous.refs[s.id])}
            for target in old_targets | fresh.keys():
                kept = [e for e in referrers.get(target, ()) if e[0].id not in changed]
                referrers[target] = sorted([*kept, *fresh.get(target, ())],
                                           key=lambda e: e[0].id)
            self.__dict__["_referrers"] = referrers
        new_citations = [c for s in sorted(news, key=lambda s: s.id) for c in facts_of(s)]
        if "_citing" in done:
            citing = dict(done["_citing"])
            fresh_citing: dict[str, list[Citation]] = defaultdict(list)
            for citation in new_citations:
                for source_id in dict.fromkeys(citation.fact.sources):
                    fresh_citing[source_id].append(citation)
            old_sources = {i for s in olds for c in facts_of(s) for i in c.fact.sources}
            for source_id in old_sources | fresh_citing.keys():
                kept_citations = [c for c in citing.get(source_id, ())
                                  if c.sheet.id not in changed]
                citing[source_id] = sorted([*kept_citations, *fresh_citing.get(source_id, ())],
                                           key=lambda c: c.sheet.id)
            self.__dict__["_citing"] = citing
        if "open_questions" in done:
            old_open = any(_is_open(c) for s in olds for c in facts_of(s))
            new_open = [c for c in new_citations if _is_open(c)]
            if not old_open and not new_open:
                self.__dict__["open_questions"] = done["open_questions"]
            else:
                kept_open = [c for c in done["open_questions"] if c.sheet.id not in changed]
                self.__dict__["open_questions"] = sorted([*kept_open, *new_open],
                                                         key=lambda c: c.sheet.id)

    # --- by kind ---------------------------------------------------------------------------

    def _of(self, cls: type[S]) -> list[S]:
        return [s for s in self.sheets.values() if isinstance(s, cls)]

    @cached_property
    def sources(self) -> list[Source]:
        return sorted(self._of(Source), key=lambda s: (s.title.casefold(), s.id))

    @cached_property
    def actors(self) -> list[Actor]:
        return sorted(self._of(Actor), key=lambda s: (s.name.casefold(), s.id))

    @cached_property
    def plans(self) -> list[Plan]:
        return sorted(self._of(Plan), key=lambda s: (s.title.casefold(), s.id))

    @cached_property
    def terms(self) -> list[Term]:
        return sorted(self._of(Term), key=_term_key)

    @cached_property
    def positions(self) -> list[Position]:
        return sorted(self._of(Position), key=lambda s: s.id)

    @cached_property
    def events(self) -> list[Event]:
        """Oldest first; a span sorts by its first day, then its last."""
        return sorted(self._of(Event), key=lambda s: (s.date.sort_key(), s.title, s.id))

    @cached_property
    def places(self) -> list[Place]:
        return sorted(self._of(Place), key=lambda s: (s.name.casefold(), s.id))

    def get(self, sheet_id: str) -> Sheet:
        return self.sheets[sheet_id]

    def find(self, sheet_id: str) -> Sheet | None:
        """The sheet with this id, or None: for ids that may name nothing (the history's)."""
        return self.sheets.get(sheet_id)

    def name(self, sheet_id: str) -> str:
        """What a reader calls the sheet; a position is "<actor> on <plan or term>"."""
        sheet = self.sheets[sheet_id]
        if isinstance(sheet, Position):
            return f"{self.name(sheet.actor)} on {self.name(sheet.on)}"
        return sheet.name_text

    def path_of(self, sheet_id: str) -> str:
        """The content file a sheet comes from, e.g. content/actors/x.yml."""
        return self.paths[sheet_id]

    # --- lookups ---------------------------------------------------------------------------

    @cached_property
    def _referrers(self) -> dict[str, list[tuple[Sheet, str]]]:
        """id -> (sheet, field name) for every reference in the content, in id order."""
        found: dict[str, list[tuple[Sheet, str]]] = defaultdict(list)
        for sheet in self.sheets.values():
            for target, name in _named(self.refs[sheet.id]):
                found[target].append((sheet, name))
        return found

    def _referring(self, target: str, cls: type[S], *fields: str) -> list[S]:
        seen: dict[str, S] = {}
        for sheet, name in self._referrers.get(target, []):
            if isinstance(sheet, cls) and (not fields or name in fields):
                seen.setdefault(sheet.id, sheet)
        return list(seen.values())

    def terms_of(self, plan_id: str) -> list[Term]:
        return sorted(self._referring(plan_id, Term, "plan"), key=_term_key)

    def positions_on(self, target_id: str) -> list[Position]:
        return sorted(
            self._referring(target_id, Position, "on"),
            key=lambda p: (self.name(p.actor).casefold(), p.id),
        )

    def positions_of(self, actor_id: str) -> list[Position]:
        return sorted(self._referring(actor_id, Position, "actor"), key=lambda p: p.id)

    def events_with(self, sheet_id: str) -> list[Event]:
        """Events an actor took part in, a plan concerned, or a place hosted."""
        found = self._referring(sheet_id, Event, "participants", "plans", "place")
        return sorted(found, key=lambda e: (e.date.sort_key(), e.title, e.id))

    def plans_drafted_by(self, actor_id: str) -> list[Plan]:
        return self._referring(actor_id, Plan, "drafted_by")

    def places_linked_to(self, actor_id: str) -> list[Place]:
        return self._referring(actor_id, Place, "linked_to")

    def relations_to(self, actor_id: str) -> list[tuple[Actor, str]]:
        """(other actor, relation kind) for relations other actors state towards this one."""
        result = []
        for sheet in self._referring(actor_id, Actor, "to"):
            for relation in sheet.relations:
                if relation.to == actor_id:
                    result.append((sheet, relation.kind))
        return result

    def members(self, actor_id: str) -> list[tuple[Actor, str]]:
        """(actor, role title) for actors holding a role in this one."""
        result = []
        for sheet in self._referring(actor_id, Actor, "of"):
            for role in sheet.roles:
                if role.of == actor_id:
                    result.append((sheet, role.title))
        return result

    # --- facts -----------------------------------------------------------------------------

    @cached_property
    def citations(self) -> list[Citation]:
        """Every fact in the content, in sheet-id order, with its context."""
        return [c for sheet in self.sheets.values() for c in facts_of(sheet)]

    @cached_property
    def _citing(self) -> dict[str, list[Citation]]:
        found: dict[str, list[Citation]] = defaultdict(list)
        for citation in self.citations:
            for source_id in dict.fromkeys(citation.fact.sources):
                found[source_id].append(citation)
        return found

    def citing(self, source_id: str) -> list[Citation]:
        """Every fact that cites the source, in sheet-id order."""
        return self._citing.get(source_id, [])

    @cached_property
    def open_questions(self) -> list[Citation]:
        return [c for c in self.citations if _is_open(c)]

    @cached_property
    def as_of(self) -> PartialDate | None:
        """The newest publication date among the sources: what the briefing is current to."""
        dates = [s.published for s in self.sources if s.published]
        return max(dates, key=lambda d: d.sort_key()) if dates else None

    def review_queue(self, today: date, max_age_days: int) -> list[tuple[Sheet, int | None]]:
        """Sheets due for review, with days since their review (None: never reviewed);
        never-reviewed sheets first, then the longest unreviewed."""
        due: list[tuple[Sheet, int | None]] = []
        for sheet in self.sheets.values():
            if sheet.reviewed is None:
                due.append((sheet, None))
            else:
                age = (today - sheet.reviewed.span()[0]).days
                if age > max_age_days:
                    due.append((sheet, age))
        return sorted(due, key=lambda item: (item[1] is not None, -(item[1] or 0), item[0].id))

    def sides(self) -> list[tuple[str, list[Actor]]]:
        """Actors grouped by side, sides in alphabetical order, 'Other' (unset) last."""
        groups: dict[str, list[Actor]] = defaultdict(list)
        for actor in self.actors:
            groups[actor.side or ""].append(actor)
        return sorted(
            ((side or "Other", actors) for side, actors in groups.items()),
            key=lambda item: (item[0] == "Other", item[0].casefold()),
        )


def facts_of(sheet: Sheet) -> Iterator[Citation]:
    """A sheet's own facts, then those of its roles and relations."""
    for fact in getattr(sheet, "facts", []):
        yield Citation(sheet, fact, "")
    for role in getattr(sheet, "roles", []):
        for fact in role.facts:
            yield Citation(sheet, fact, f"role: {role.title}")
    for relation in getattr(sheet, "relations", []):
        for fact in relation.facts:
            yield Citation(sheet, fact, f"relation: {relation.kind} {relation.to}")


def _named(refs: Iterable[Reference]) -> Iterator[tuple[str, str]]:
    """(target, field name) for every reference of a sheet but its facts' sources."""
    for where, _ref, target in refs:
        name = where[-1] if isinstance(where[-1], str) else where[-2]  # (..., name[, index])
        if name != "sources":
            yield target, str(name)


def _is_open(citation: Citation) -> bool:
    return citation.fact.certainty in OPEN_CERTAINTIES


def _term_key(term: Term) -> tuple[str, int, str, str]:
    return (term.plan, term.number or 10**9, term.title.casefold(), term.id)
