"""The validated briefing as one cross-referenced, read-only graph.

Built only from sheets that passed validation, so every reference resolves. Templates read
this, never raw YAML. It knows nothing of the checks that came before it: the builder makes
it from their results (``checked.CheckResult.briefing``).

**Questions a page asks.** Every public lookup is marked where it is defined, ``@lookup`` or
``@query``; a page being rendered sees the briefing through an observer
(``incremental.Observer``) that notes each question it asks and the answer it got, and a rebuild
asks again only what an edit can have changed (``incremental``, and "How the incremental build
decides what to redo" in ARCHITECTURE.md). The mark says how far the answer can reach:

- ``@lookup``: the answer depends only on the sheets its id arguments name, the sheets in the
  answer, and sheets one reference away from either (in either direction). Asked again when
  such a sheet changes.
- ``@query``: the answer may depend on anything (a list of every actor, the newest source).
  Asked again after every edit.

A method with neither mark is tracked too, by what it reads: while a page renders it runs on
a briefing whose marked lookups and whose ``sheets``, ``paths`` and ``refs`` note every
question, so it costs nothing to register. It must read the briefing through those public
attributes only, never through ``_index`` (the marked lookups' private work).
"""

from __future__ import annotations

import functools
import inspect
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ParamSpec, Protocol, TypeVar

from generator.content.chronology import Chronology, Window, chronology
from generator.content.dates import PartialDate
from generator.content.schema import (
    Actor,
    Event,
    Fact,
    Place,
    Plan,
    Position,
    Reference,
    Sheet,
    Source,
    Term,
)
from generator.content.vocabularies import OTHER_SIDE

S = TypeVar("S", bound=Sheet)
P = ParamSpec("P")
R = TypeVar("R")

OPEN_CERTAINTIES = ("possible", "disputed", "denied")


@dataclass(frozen=True)
class Citation:
    """One fact, the sheet it stands on, and where in the sheet (for context)."""

    sheet: Sheet
    fact: Fact
    context: str  # "" for the sheet's own facts, else e.g. "role: Head" or "relation: met"
    #: For a relation's fact, its kind and the actor it points to: pages name them in readers'
    #: words (the kind's label, the actor's name), not as the ids the context holds.
    relation: tuple[str, str] | None = None


# --- questions: how a page's lookups are noted ------------------------------------------------


class Asked:
    """One kind of question a page may ask the briefing: a marked method or property, or a
    read of one of its mappings. ``answer(briefing, *args)`` works the answer out."""

    __slots__ = ("answer", "local", "name")

    def __init__(self, answer: Callable[..., Any], name: str, local: bool):
        self.answer = answer
        self.name = name
        self.local = local  # @lookup: only sheets near its arguments and answer matter

    def __repr__(self) -> str:
        return f"<{'lookup' if self.local else 'query'} {self.name}>"


class Observer(Protocol):
    """What a briefing reports its marked lookups to while a page renders."""

    def ask(self, asked: Asked, args: tuple[Any, ...]) -> Any: ...


def lookup(method: Callable[P, R]) -> Callable[P, R]:
    """Mark a Briefing method whose answer depends only on the sheets its id arguments name,
    the sheets in its answer, and sheets one reference away from either (see the module
    docstring). A rebuild asks it again only when such a sheet changed."""
    return _asking(method, local=True)


def query(method: Callable[P, R]) -> Callable[P, R]:
    """Mark a Briefing method (or property getter) whose answer may depend on any sheet. A
    rebuild asks it again after every edit and redoes the pages whose answer differs."""
    return _asking(method, local=False)


def _asking(method: Callable[P, R], local: bool) -> Callable[P, R]:
    asked = Asked(method, method.__name__, local)
    signature = inspect.signature(method)

    @functools.wraps(method)
    def ask(*args: P.args, **kwargs: P.kwargs) -> R:
        briefing = args[0]
        observer = briefing._observer  # type: ignore[attr-defined]
        if observer is None:
            return method(*args, **kwargs)
        if kwargs:  # a question is its arguments in order, however they were written
            args = signature.bind(*args, **kwargs).args  # type: ignore[assignment]
        return observer.ask(asked, args[1:])  # type: ignore[no-any-return]

    ask.asked = asked  # type: ignore[attr-defined]
    return ask


# --- the briefing ------------------------------------------------------------------------------


class _Index:
    """What the lookups work out from the sheets, each part when first needed. Private to the
    marked lookups; ``Briefing.updated`` carries the parts over to the next briefing."""

    def __init__(self) -> None:
        self.kinds: dict[str, list[Sheet]] = {}
        self.referrers: dict[str, list[tuple[Sheet, str]]] | None = None
        self.citing: dict[str, list[Citation]] | None = None
        self.citations: list[Citation] | None = None
        self.open: list[Citation] | None = None
        self.as_of: tuple[PartialDate | None] | None = None  # (value,) once worked out
        self.chronology: Chronology | None = None
        self.rank: dict[str, int] | None = None  # event id -> its place in the order


@dataclass(frozen=True)
class Briefing:
    """Every validated sheet, by id, with the lookups pages need."""

    sheets: Mapping[str, Sheet]
    paths: Mapping[str, str]  # id -> content path, e.g. content/actors/x.yml
    #: id -> every reference of the sheet, as validation found them (not worked out again)
    refs: Mapping[str, tuple[Reference, ...]] = field(default_factory=dict)
    _index: _Index = field(default_factory=_Index, compare=False, repr=False)
    #: Set only on the copy a page sees while it renders (``observed``).
    _observer: Observer | None = field(default=None, compare=False, repr=False)

    def observed(self, observer: Observer, sheets: Mapping[str, Sheet],
                 paths: Mapping[str, str], refs: Mapping[str, tuple[Reference, ...]]
                 ) -> Briefing:
        """This briefing as a page sees it while ``observer`` notes its questions: marked
        lookups are answered by this briefing and reported; other methods run on the copy,
        whose ``sheets``, ``paths`` and ``refs`` are the given (noting) mappings."""
        return Briefing(sheets, paths, refs, self._index, observer)

    def updated(self, changed: Mapping[str, tuple[Sheet, str, tuple[Reference, ...]] | None]
                ) -> Briefing:
        """A briefing with the ``changed`` sheets replaced (None: removed), the lookups this
        one worked out carried over where the change leaves them as they were."""
        sheets, paths, refs = dict(self.sheets), dict(self.paths), dict(self.refs)
        added = False
        for sheet_id, new in changed.items():
            if new is None:
                sheets.pop(sheet_id, None)
                paths.pop(sheet_id, None)
                refs.pop(sheet_id, None)
            else:
                added = added or sheet_id not in sheets
                sheets[sheet_id], paths[sheet_id], refs[sheet_id] = new
        if added:  # kept in id order, as a briefing made at once has them
            sheets = dict(sorted(sheets.items()))
            paths = dict(sorted(paths.items()))
        briefing = Briefing(sheets, paths, refs)
        briefing._carry(self, set(changed))
        return briefing

    def _carry(self, previous: Briefing, changed: set[str]) -> None:
        """Take over what ``previous`` worked out, updated for the ``changed`` sheets."""
        done, index = previous._index, self._index
        olds = [previous.sheets[i] for i in changed if i in previous.sheets]
        news = sorted((self.sheets[i] for i in changed if i in self.sheets), key=lambda s: s.id)
        touched = {s.folder for s in (*olds, *news)}
        index.kinds = {k: v for k, v in done.kinds.items() if k not in touched}
        if Event.folder not in touched:
            index.chronology, index.rank = done.chronology, done.rank
        if done.as_of is not None and "sources" not in touched:
            index.as_of = done.as_of
        if done.referrers is not None:
            referrers = dict(done.referrers)
            fresh: dict[str, list[tuple[Sheet, str]]] = defaultdict(list)
            for sheet in news:
                for target, name in _named(self.refs[sheet.id]):
                    fresh[target].append((sheet, name))
            old_targets = {t for s in olds for t, _ in _named(previous.refs[s.id])}
            for target in old_targets | fresh.keys():
                kept = [e for e in referrers.get(target, ()) if e[0].id not in changed]
                referrers[target] = sorted([*kept, *fresh.get(target, ())],
                                           key=lambda e: e[0].id)
            index.referrers = referrers
        new_citations = [c for s in news for c in facts_of(s)]
        if done.citing is not None:
            citing = dict(done.citing)
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
            index.citing = citing
        if done.open is not None:
            old_open = any(_is_open(c) for s in olds for c in facts_of(s))
            new_open = [c for c in new_citations if _is_open(c)]
            if not old_open and not new_open:
                index.open = done.open
            else:
                kept_open = [c for c in done.open if c.sheet.id not in changed]
                index.open = sorted([*kept_open, *new_open], key=lambda c: c.sheet.id)

    # --- by kind ---------------------------------------------------------------------------

    def _kind(self, kind: str) -> list[Sheet]:
        found = self._index.kinds.get(kind)
        if found is None:
            if kind == Event.folder:
                found = [self.sheets[i] for i in self._chronology().order]
            else:
                order = _ORDER.get(kind, _by_name)
                found = sorted((s for s in self.sheets.values() if s.folder == kind), key=order)
            self._index.kinds[kind] = found
        return found

    def _chronology(self) -> Chronology:
        found = self._index.chronology
        if found is None:
            events = {i: s for i, s in self.sheets.items() if isinstance(s, Event)}
            found = self._index.chronology = chronology(events)
            self._index.rank = {i: n for n, i in enumerate(found.order)}
        return found

    def _rank(self) -> dict[str, int]:
        self._chronology()
        assert self._index.rank is not None
        return self._index.rank

    @property
    @query
    def sources(self) -> list[Source]:
        return self._kind(Source.folder)  # type: ignore[return-value]

    @property
    @query
    def actors(self) -> list[Actor]:
        return self._kind(Actor.folder)  # type: ignore[return-value]

    @property
    @query
    def plans(self) -> list[Plan]:
        return self._kind(Plan.folder)  # type: ignore[return-value]

    @property
    @query
    def terms(self) -> list[Term]:
        return self._kind(Term.folder)  # type: ignore[return-value]

    @property
    @query
    def positions(self) -> list[Position]:
        return self._kind(Position.folder)  # type: ignore[return-value]

    @property
    @query
    def events(self) -> list[Event]:
        """Oldest first: a span sorts by its first day, then its last, as narrowed by the
        order of events (``after:``, ``before:``); where they tie, an event after those it
        follows (``content.chronology``)."""
        return self._kind(Event.folder)  # type: ignore[return-value]

    @query
    def window(self, event_id: str) -> Window:
        """When the event can have happened, given its date and the order of events. A query,
        not a lookup: an order reaches along a chain of events of any length."""
        return self._chronology().windows[event_id]

    @property
    @query
    def places(self) -> list[Place]:
        return self._kind(Place.folder)  # type: ignore[return-value]

    @lookup
    def get(self, sheet_id: str) -> Sheet:
        return self.sheets[sheet_id]

    @lookup
    def find(self, sheet_id: str) -> Sheet | None:
        """The sheet with this id, or None: for ids that may name nothing (the history's)."""
        return self.sheets.get(sheet_id)

    @lookup
    def name(self, sheet_id: str) -> str:
        """What a reader calls the sheet; a position is "<actor> on <plan or term>"."""
        sheet = self.sheets[sheet_id]
        if isinstance(sheet, Position):
            return f"{self.name(sheet.actor)} on {self.name(sheet.on)}"
        return sheet.name_text

    @lookup
    def path_of(self, sheet_id: str) -> str:
        """The content file a sheet comes from, e.g. content/actors/x.yml."""
        return self.paths[sheet_id]

    # --- lookups ---------------------------------------------------------------------------

    def _referrers(self) -> dict[str, list[tuple[Sheet, str]]]:
        """id -> (sheet, field name) for every reference in the content, in id order."""
        found = self._index.referrers
        if found is None:
            found = defaultdict(list)
            for sheet in self.sheets.values():
                for target, name in _named(self.refs[sheet.id]):
                    found[target].append((sheet, name))
            self._index.referrers = found
        return found

    def _referring(self, target: str, cls: type[S], *fields: str) -> list[S]:
        seen: dict[str, S] = {}
        for sheet, name in self._referrers().get(target, []):
            if isinstance(sheet, cls) and (not fields or name in fields):
                seen.setdefault(sheet.id, sheet)
        return list(seen.values())

    @lookup
    def referrers(self, sheet_id: str) -> list[Sheet]:
        """Every sheet that refers to this one, by citing it as a source too, in id order."""
        return self._referring(sheet_id, Sheet)

    @lookup
    def terms_of(self, plan_id: str) -> list[Term]:
        return sorted(self._referring(plan_id, Term, "plan"), key=_term_key)

    @lookup
    def positions_on(self, target_id: str) -> list[Position]:
        return sorted(
            self._referring(target_id, Position, "on"),
            key=lambda p: (self.name(p.actor).casefold(), p.id),
        )

    @lookup
    def positions_of(self, actor_id: str) -> list[Position]:
        return sorted(self._referring(actor_id, Position, "actor"), key=lambda p: p.id)

    @query
    def events_with(self, sheet_id: str) -> list[Event]:
        """Events an actor took part in, a plan concerned, or a place hosted, in the order of
        ``events``. A query, not a lookup: that order can hang on events far from these."""
        found = self._referring(sheet_id, Event, "participants", "plans", "place")
        rank = self._rank()
        return sorted(found, key=lambda e: rank[e.id])

    @lookup
    def plans_drafted_by(self, actor_id: str) -> list[Plan]:
        return self._referring(actor_id, Plan, "drafted_by")

    @lookup
    def places_linked_to(self, actor_id: str) -> list[Place]:
        return self._referring(actor_id, Place, "linked_to")

    @lookup
    def relations_to(self, actor_id: str) -> list[tuple[Actor, str]]:
        """(other actor, relation kind) for relations other actors state towards this one."""
        result = []
        for sheet in self._referring(actor_id, Actor, "to"):
            for relation in sheet.relations:
                if relation.to == actor_id:
                    result.append((sheet, relation.kind))
        return result

    @lookup
    def members(self, actor_id: str) -> list[tuple[Actor, str]]:
        """(actor, role title) for actors holding a role in this one."""
        result = []
        for sheet in self._referring(actor_id, Actor, "of"):
            for role in sheet.roles:
                if role.of == actor_id:
                    result.append((sheet, role.title))
        return result

    # --- facts -----------------------------------------------------------------------------

    @property
    @query
    def citations(self) -> list[Citation]:
        """Every fact in the content, in sheet-id order, with its context."""
        found = self._index.citations
        if found is None:
            found = self._index.citations = [
                c for sheet in self.sheets.values() for c in facts_of(sheet)]
        return found

    @lookup
    def citing(self, source_id: str) -> list[Citation]:
        """Every fact that cites the source, in sheet-id order."""
        found = self._index.citing
        if found is None:
            found = defaultdict(list)
            for sheet in self.sheets.values():
                for citation in facts_of(sheet):
                    for cited in dict.fromkeys(citation.fact.sources):
                        found[cited].append(citation)
            self._index.citing = found
        return found.get(source_id, [])

    @property
    @query
    def open_questions(self) -> list[Citation]:
        found = self._index.open
        if found is None:
            found = self._index.open = [
                c for sheet in self.sheets.values() for c in facts_of(sheet) if _is_open(c)]
        return found

    @property
    @query
    def as_of(self) -> PartialDate | None:
        """The newest publication date among the sources: what the briefing is current to."""
        if self._index.as_of is None:
            dates = [s.published for s in self.sources if s.published]
            self._index.as_of = (max(dates, key=lambda d: d.sort_key()) if dates else None,)
        return self._index.as_of[0]

    # Neither of these two is marked: each is tracked by what it reads (the sheets, the
    # actors), which is all a new method needs.

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

    def sides(self, order: Sequence[str] = ()) -> list[tuple[str, list[Actor]]]:
        """Actors grouped by side: the sides in ``order`` (the briefing's declared sides),
        any others alphabetically, then one group, ``Other``, of the actors without a side
        and those whose side is Other. Empty sides are left out."""
        groups: dict[str, list[Actor]] = defaultdict(list)
        for actor in self.actors:
            groups[actor.side or OTHER_SIDE].append(actor)
        rank = {side: i for i, side in enumerate(order)}
        return sorted(
            groups.items(),
            key=lambda item: (item[0] == OTHER_SIDE, rank.get(item[0], len(rank)),
                              item[0].casefold(), item[0]),
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
            yield Citation(sheet, fact, f"relation: {relation.kind} {relation.to}",
                           (relation.kind, relation.to))


def _named(refs: Iterable[Reference]) -> Iterator[tuple[str, str]]:
    """(target, field name) for every reference of a sheet, its facts' sources included."""
    for where, _ref, target in refs:
        name = where[-1] if isinstance(where[-1], str) else where[-2]  # (..., name[, index])
        yield target, str(name)


def _is_open(citation: Citation) -> bool:
    return citation.fact.certainty in OPEN_CERTAINTIES


def _by_name(sheet: Sheet) -> tuple[str, str]:
    return (sheet.name_text.casefold(), sheet.id)


def _term_key(term: Term) -> tuple[str, int, str, str]:
    return (term.plan, term.number or 10**9, term.title.casefold(), term.id)


#: How the sheets of a kind are listed, where it is not by name (``name_text``) then id; events
#: are listed in their order (``_chronology``).
_ORDER: dict[str, Callable[[Any], Any]] = {Term.folder: _term_key}
