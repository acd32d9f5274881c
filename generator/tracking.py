"""What a page read while it was rendered, so that a rebuild re-renders only pages whose
inputs changed (used by ``pipeline.Workspace`` under ``mkdocs serve``).

Two grains. A sheet's own page is small: it depends on every sheet it touched, whole
(``Dependencies.ids``). A composed page (index, matrix, open questions...) shows a little of
thousands of sheets: while it renders, every field of every sheet read, by a template or by
Python (figures), is noted as (id, field) (``Dependencies.reads``), so that editing a fact's
text does not redo a page that shows only names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, SupportsIndex, overload

from generator.model import OPEN_CERTAINTIES, Briefing, Citation, facts_of
from generator.schema import SHEET_TYPES, Fact, Sheet
from generator.validate import iter_references

ALL = "*"  # a dependency on everything (a page that summarises the whole briefing)
OPEN = "open-questions"  # a dependency on which facts are open questions
IDS = "ids"  # a dependency on which sheets exist
EXISTS = "(exists)"  # pseudo-field: the sheet exists (with this kind)
PATH = "(path)"  # pseudo-field: the content file the sheet comes from
KINDS = ("sources", "actors", "plans", "terms", "positions", "events", "places")


@dataclass
class Dependencies:
    """What one page read while rendering."""

    ids: set[str] = field(default_factory=set)  # sheets whose content it showed
    targets: set[str] = field(default_factory=set)  # ids it looked up referrers of
    kinds: set[str] = field(default_factory=set)  # folders it listed whole, or ALL / OPEN / IDS
    #: Composed pages: (id, field) of every sheet field read.
    reads: set[tuple[str, str]] = field(default_factory=set)
    #: Composed pages: what some reads gave (key -> value), compared again when they may
    #: have changed: "list:<kind>" (ids in order), "open:<n>" (first n open questions).
    values: dict[str, Any] = field(default_factory=dict)
    fine: bool = False  # reads and values, not ids, say which sheets it showed


# --- recording field reads ------------------------------------------------------------------

_reads: set[tuple[str, str]] | None = None


class _Field:
    """Stands in for a sheet field on its class while a composed page renders: notes the
    read, then gives the value (pydantic keeps field values in the instance ``__dict__``)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            raise AttributeError(self.name)
        values = obj.__dict__
        if _reads is not None:
            _reads.add((values["id"], self.name))
        return values[self.name]

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value


_SHEET_CLASSES = tuple(dict.fromkeys(SHEET_TYPES.values()))


@contextmanager
def recording(into: set[tuple[str, str]]) -> Iterator[None]:
    """Note into ``into`` every (sheet id, field) read, by any code, until the block ends."""
    global _reads
    installed: list[tuple[type, str, Any]] = []
    try:
        for cls in _SHEET_CLASSES:
            for name in cls.model_fields:
                if name != "id":
                    installed.append((cls, name, cls.__dict__.get(name, _MISSING)))
                    setattr(cls, name, _Field(name))
        _reads = into
        yield
    finally:
        _reads = None
        for cls, name, before in installed:
            if before is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, before)


_MISSING = object()


class _OpenList(list[Citation]):
    """The open questions, noting whether a page read them all or only the first few."""

    def __init__(self, items: Iterable[Citation], deps: Dependencies):
        super().__init__(items)
        self._deps = deps

    def __iter__(self) -> Iterator[Citation]:
        self._deps.kinds.add(OPEN)
        return super().__iter__()

    def __len__(self) -> int:
        self._deps.kinds.add(OPEN)
        return super().__len__()

    @overload
    def __getitem__(self, index: SupportsIndex) -> Citation: ...
    @overload
    def __getitem__(self, index: slice) -> list[Citation]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> Citation | list[Citation]:
        if isinstance(index, slice) and index.start is None and index.step is None \
                and isinstance(index.stop, int) and index.stop >= 0:
            found = list.__getitem__(self, index)
            self._deps.values[f"open:{index.stop}"] = _open_key(found)
            return found
        self._deps.kinds.add(OPEN)
        return list.__getitem__(self, index)


def _open_key(citations: Iterable[Citation]) -> list[tuple[str, str, Any]]:
    return [(c.sheet.id, c.context, c.fact) for c in citations]


class TrackingBriefing:
    """A Briefing that notes what a template reads from it. Same interface, by delegation."""

    _LOOKUPS = frozenset({
        "terms_of", "positions_on", "positions_of", "events_with", "plans_drafted_by",
        "places_linked_to", "relations_to", "members", "citing",
    })
    _LISTS = frozenset(KINDS)
    _WHOLE = frozenset({"citations", "sheets", "paths"})

    def __init__(self, briefing: Briefing, deps: Dependencies):
        self._briefing = briefing
        self._deps = deps

    def get(self, sheet_id: str) -> Sheet:
        self._note(sheet_id)
        return self._briefing.get(sheet_id)

    def find(self, sheet_id: str) -> Sheet | None:
        self._note(sheet_id)  # whether it exists, too: a page may differ when it comes
        return self._briefing.find(sheet_id)

    def name(self, sheet_id: str) -> str:
        self._note(sheet_id)
        return self._briefing.name(sheet_id)

    def path_of(self, sheet_id: str) -> str:
        if self._deps.fine:
            self._deps.reads.add((sheet_id, PATH))
        else:
            self._deps.ids.add(sheet_id)
        return self._briefing.path_of(sheet_id)

    def _note(self, sheet_id: str) -> None:
        if self._deps.fine:
            self._deps.reads.add((sheet_id, EXISTS))  # its fields note themselves
        else:
            self._deps.ids.add(sheet_id)

    def sides(self) -> Any:
        self._list("actors")
        return self._briefing.sides()

    def review_queue(self, *args: Any) -> Any:
        if self._deps.fine:  # which sheets exist, and their review dates (read as fields)
            self._deps.kinds.add(IDS)
        else:
            self._deps.kinds.add(ALL)
        return self._briefing.review_queue(*args)

    @property
    def open_questions(self) -> Any:
        found = self._briefing.open_questions
        if self._deps.fine:
            return _OpenList(found, self._deps)
        self._deps.kinds.add(OPEN)
        self._deps.ids.update(c.sheet.id for c in found)
        self._deps.ids.update(s for c in found for s in c.fact.sources)
        return found

    @property
    def as_of(self) -> Any:
        value = self._briefing.as_of
        if self._deps.fine:
            self._deps.values["as_of"] = value
        else:
            self._deps.kinds.add("sources")
        return value

    def _list(self, kind: str) -> None:
        if self._deps.fine:
            self._deps.values[f"list:{kind}"] = [s.id for s in getattr(self._briefing, kind)]
        else:
            self._deps.kinds.add(kind)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._briefing, name)
        if name in self._LISTS:
            self._list(name)
            return value
        if name in self._WHOLE:
            self._deps.kinds.add(ALL)
            return value
        if name in self._LOOKUPS:
            def lookup(target: str) -> Any:
                self._deps.targets.add(target)
                found = value(target)
                if not self._deps.fine:
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
    kinds: set[str]  # their folders, plus OPEN and ALL flags (and IDS if sheets came or went)
    #: id -> fields that differ (None: all of them; the sheet came, went or changed kind)
    fields: dict[str, set[str] | None] = field(default_factory=dict)
    #: ids referred to from the fields that differ (old or new version)
    field_targets: set[str] = field(default_factory=set)

    @classmethod
    def between(cls, before: Briefing | None, after: Briefing,
                candidates: Iterable[str] | None = None) -> Changes:
        """The changes from ``before`` to ``after``; ``candidates``, if given, holds every id
        whose sheet may differ (the others are known to be the very same objects)."""
        old_sheets = before.sheets if before is not None else {}
        new_sheets = after.sheets
        ids = {
            i
            for i in (old_sheets.keys() | new_sheets.keys() if candidates is None
                      else candidates)
            # A sheet the workspace did not re-read is the very same object: skip comparing.
            if (old_sheets.get(i) is not new_sheets.get(i)
                and (old_sheets.get(i) != new_sheets.get(i) or before is None
                     or before.paths.get(i) != after.paths.get(i)))
        }
        targets: set[str] = set()
        field_targets: set[str] = set()
        fields: dict[str, set[str] | None] = {}
        kinds: set[str] = {ALL} if ids else set()
        for sheet_id in ids:
            old, new = old_sheets.get(sheet_id), new_sheets.get(sheet_id)
            differ: set[str] | None = None
            if old is not None and new is not None and type(old) is type(new):
                differ = {name for name in type(new).model_fields
                          if old.__dict__[name] != new.__dict__[name]}
                if before is not None and before.paths[sheet_id] != after.paths[sheet_id]:
                    differ.add(PATH)
            else:
                kinds.add(IDS)
            fields[sheet_id] = differ
            old_open: list[tuple[str, Fact]] = []
            new_open: list[tuple[str, Fact]] = []
            for version, opened in ((old, old_open), (new, new_open)):
                if version is None:
                    continue
                kinds.add(version.folder)
                for where, _ref, target in iter_references(version):
                    targets.add(target)
                    if differ is None or where[0] in differ:
                        field_targets.add(target)
                opened.extend((c.context, c.fact) for c in facts_of(version)
                              if c.fact.certainty in OPEN_CERTAINTIES)
            if old_open or new_open:
                kinds.add(OPEN)
                if old_open != new_open:
                    kinds.add("open-changed")
        return cls(ids, targets | ids, kinds, fields, field_targets)

    def affect(self, deps: Dependencies, after: Briefing) -> bool:
        if deps.fine:
            return self._affect_fine(deps, after)
        return bool(deps.ids & self.ids or deps.targets & self.targets or deps.kinds & self.kinds)

    def _affect_fine(self, deps: Dependencies, after: Briefing) -> bool:
        if not self.ids:
            return False
        if ALL in deps.kinds or deps.targets & self.field_targets:
            return True
        if IDS in deps.kinds and IDS in self.kinds:
            return True
        if OPEN in deps.kinds and "open-changed" in self.kinds:
            return True
        reads = deps.reads
        for sheet_id, differ in self.fields.items():
            if differ is None:
                if (sheet_id, EXISTS) in reads or (sheet_id, PATH) in reads or any(
                        (sheet_id, name) in reads
                        for cls in _SHEET_CLASSES for name in cls.model_fields):
                    return True
            elif any((sheet_id, name) in reads for name in differ):
                return True
        for key, value in deps.values.items():
            kind, _, arg = key.partition(":")
            if kind == "list" and arg in self.kinds:
                if [s.id for s in getattr(after, arg)] != value:
                    return True
            elif kind == "open" and OPEN in self.kinds:
                if _open_key(after.open_questions[: int(arg)]) != value:
                    return True
            elif kind == "as_of" and "sources" in self.kinds:
                if after.as_of != value:
                    return True
        return False


class PageIndex:
    """Which pages depend on what, looked up by what changed (not page by page: thousands)."""

    def __init__(self) -> None:
        self.ids: dict[str, set[str]] = {}
        self.targets: dict[str, set[str]] = {}
        self.kinds: dict[str, set[str]] = {}
        self.fine: set[str] = set()  # composed pages: judged one by one

    def _parts(
        self, keys: Dependencies | Changes
    ) -> Iterator[tuple[dict[str, set[str]], set[str]]]:
        """Each index with the keys of its kind: a page's dependencies, or a change's."""
        yield self.ids, keys.ids
        yield self.targets, keys.targets
        yield self.kinds, keys.kinds

    def add(self, path: str, deps: Dependencies) -> None:
        if deps.fine:
            self.fine.add(path)
            return
        for index, keys in self._parts(deps):
            for key in keys:
                index.setdefault(key, set()).add(path)

    def remove(self, path: str, deps: Dependencies) -> None:
        if deps.fine:
            self.fine.discard(path)
            return
        for index, keys in self._parts(deps):
            for key in keys:
                index.get(key, set()).discard(path)

    def coarse(self, changes: Changes) -> set[str]:
        redo: set[str] = set()
        for index, keys in self._parts(changes):
            for key in keys:
                redo.update(index.get(key, ()))
        return redo
