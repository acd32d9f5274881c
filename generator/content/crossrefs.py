"""The checks across sheets: ids unique across all kinds, references that resolve to a sheet
of the right kind, sheets nothing uses, reviews overdue. ``Links`` keeps their results between
the runs of a ``check.ContentCheck``: after an edit only what the change can affect is
checked again. A first run (nothing remembered) checks everything with the same code, and is
what ``check.check`` and ``briefing check`` do, so a full check and an incremental one
cannot drift apart (``tests/build/test_incremental.py`` edits content and compares them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Iterator

from generator.content.checked import Broken, Existing, Item, Located, SheetFile, key_name
from generator.content.chronology import Written, chronology
from generator.content.schema import SHEET_TYPES, Actor, Event
from generator.errors import Problem, Severity, did_you_mean


def existing_ids(files: list[SheetFile]) -> Existing:
    """Id -> kinds of every sheet file found, valid or not (discover gives only .yml files)."""
    existing: Existing = {}
    for _path, display, folder in files:
        sheet_id = display[display.rfind("/") + 1 : -len(".yml")]
        existing[sheet_id] = (*existing.get(sheet_id, ()), folder)
    return existing


def unique_ids(items: Iterable[Item]) -> tuple[dict[str, Located], list[Problem]]:
    """The valid sheets by id, and an error for each file whose id an earlier file has. A
    valid sheet is left out only for an earlier valid one: a file with errors of its own
    claims its id, but references are not resolved against it."""
    problems: list[Problem] = []
    sheets: dict[str, Located] = {}
    first: dict[str, str] = {}  # id -> the file that has it first
    for item in items:
        sheet_id = item.id
        if sheet_id is None:
            continue
        raw = item.raw
        if sheet_id in first:
            line, column = raw.marks.of_value(("id",))
            problems.append(
                Problem(raw.path, line, column,
                        f"id '{sheet_id}' is already used by {first[sheet_id]}; ids "
                        "are unique across all kinds", "duplicate-id")
            )
        else:
            first[sheet_id] = raw.path
        if isinstance(item, Located) and sheet_id not in sheets:
            sheets[sheet_id] = item
    return sheets, problems


def check_references(
    sheets: dict[str, Located],
    existing: Existing | None = None,
    only: Iterable[Item] | None = None,
) -> list[Problem]:
    """Problems with the references of ``only`` (default: every valid sheet), resolved against
    ``sheets``; ``existing`` maps the id of every sheet file found, valid or not, to its kinds,
    so that a sheet with errors of its own is reported once, in its own file, not again by
    every reference to it."""
    problems = []
    existing = existing or {}
    for item in sheets.values() if only is None else only:
        for where, ref, target in item.refs:
            found = sheets.get(target)
            if found is not None and found.sheet.folder in ref.kinds:
                continue
            if any(kind in ref.kinds for kind in existing.get(target, ())):
                continue  # a file of the right kind exists, with errors of its own
            wanted = " or ".join(SHEET_TYPES[k].label for k in ref.kinds)
            name = key_name(where)
            line, column = item.raw.marks.of_value(where)
            if found is None:
                candidates = [i for i, s in sheets.items() if s.sheet.folder in ref.kinds]
                message = (f"'{name}' refers to {wanted} '{target}', which does not exist"
                           f"{did_you_mean(target, candidates)}")
            else:
                message = (f"'{name}' must refer to {_a(wanted)}; '{target}' is "
                           f"{_a(found.sheet.label)}")
            problems.append(Problem(item.raw.path, line, column, message, "reference"))
    return problems


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def cited_by(item: Item) -> Iterator[str]:
    """The sources a sheet cites (once per citation)."""
    return (target for _where, ref, target in item.refs if ref.kinds == ("sources",))


def positioned_by(item: Item) -> Iterator[str]:
    """The actor a position sheet is of."""
    if item.raw.folder == "positions":
        yield from (target for where, _ref, target in item.refs if where == ("actor",))


def usage_of(
    located: Located, cited: Container[str], positioned: Container[str]
) -> list[Problem]:
    """Warnings if nothing uses this sheet, given every source cited and actor positioned."""
    sheet = located.sheet
    problems = []
    if sheet.folder == "sources" and sheet.id not in cited:
        problems.append(_warning_at_id(located, f"source '{sheet.id}' is not cited by any "
                                       "fact", "unused-source"))
    # A role or a relation holds facts of its own (at least one each): they count.
    if (isinstance(sheet, Actor) and not (sheet.facts or sheet.roles or sheet.relations)
            and sheet.id not in positioned):
        problems.append(_warning_at_id(located, f"actor '{sheet.id}' has no facts and no "
                                       "positions", "actor-without-facts"))
    return problems


def _warning_at_id(located: Located, message: str, rule: str) -> Problem:
    # Marks are looked up only for a sheet with something to report: finding them costs a
    # second parse of its file.
    line, column = located.raw.marks.of_value(("id",))
    return Problem(located.raw.path, line, column, message, rule, Severity.WARNING)


def order_problems(sheets: dict[str, Located]) -> list[Problem]:
    """Errors for orders of events (``after:``, ``before:``) that run in a circle or that
    their dates contradict, each where the order is written."""
    events = {i: found.sheet for i, found in sheets.items() if isinstance(found.sheet, Event)}
    found = chronology(events)
    problems = []
    for circle in found.circles:
        writer, name = circle.written[0], circle.written[1]
        if len(circle.events) == 1:
            message = f"'{name}' names this event itself; an event cannot come {name} itself"
        else:
            ring = [_called(e, writer) for e in (*circle.events, circle.events[0])]
            chain = f"{ring[0]} came before {ring[1]}" + "".join(
                f", which came before {e}" for e in ring[2:])
            message = (f"'{name}' makes the order of events a circle: {chain}; remove the "
                       "order that is wrong")
        problems.append(_at_order(sheets, circle.written, message, "order-cycle"))
    for clash in found.clashes:
        writer, name = clash.link.written[0], clash.link.written[1]
        early, late = clash.earliest, clash.latest
        via = (" by way of " + ", ".join(_called(e, writer) for e in clash.via)
               if clash.via else "")
        message = (f"'{name}' puts {_called(early, writer)} before {_called(late, writer)}"
                   f"{via}, but {_called(early, writer)} is dated {events[early].date} and "
                   f"{_called(late, writer)} {events[late].date}")
        problems.append(_at_order(sheets, clash.link.written, message, "order-dates"))
    return problems


def _called(event_id: str, writer: str) -> str:
    return "this event" if event_id == writer else f"'{event_id}'"


def _at_order(sheets: dict[str, Located], written: Written, message: str, rule: str
              ) -> Problem:
    located = sheets[written[0]]
    line, column = located.raw.marks.of_value(written[1:])
    return Problem(located.raw.path, line, column, message, rule)


def freshness_of(located: Located, max_age_days: int, today: dt.date) -> list[Problem]:
    """A warning if this sheet was last reviewed more than ``max_age_days`` before ``today``."""
    reviewed = located.sheet.reviewed
    if reviewed is None:
        return []
    age = (today - reviewed.span()[0]).days
    if age <= max_age_days:
        return []
    line, column = located.raw.marks.of_key(("reviewed",))
    return [Problem(
        located.raw.path, line, column,
        f"last reviewed {reviewed} ({age} days ago); sheets are due for review after "
        f"{max_age_days} days (review_after_days in briefing.yml)",
        "stale-review", Severity.WARNING)]


class Links:
    """The checks across sheets, redone only where a change can matter:
    the references of changed sheets and of sheets referring to an id that appeared, went or
    changed kind; 'did you mean' hints when the ids changed; usage warnings of sheets whose
    citers or positions changed. Sheets with errors of their own (few, and only while being
    fixed) are followed by file, and their references checked again whenever ids move."""

    def __init__(self) -> None:
        self.sheets: dict[str, Located] = {}
        self.existing: Existing = {}
        self._broken: dict[str, Broken] = {}  # path -> a sheet with errors of its own
        self._broken_references: dict[str, list[Problem]] = {}  # path -> its reference problems
        self._displays: list[str] = []
        self._referrers: dict[str, set[str]] = {}  # target -> ids of sheets referring to it
        self._references: dict[str, list[Problem]] = {}  # id -> its reference problems
        self._usage: dict[str, list[Problem]] = {}  # id -> its usage warnings
        self._order: list[Problem] = []  # orders of events that cannot hold
        self._cited: dict[str, int] = {}  # source id -> citations of it
        self._positioned: dict[str, int] = {}  # actor id -> positions of it
        self._fresh: dict[str, tuple[Located, list[Problem]]] = {}
        self._fresh_key: tuple[int, object] | None = None
        self._fresh_dirty: set[str] = set()  # changed since freshness() last looked
        #: Ids whose validated sheet differs from the last update's (added, changed, gone).
        self.changed: set[str] = set()

    def update(self, items: list[Item], files: list[SheetFile]
               ) -> tuple[dict[str, Located], list[Problem]]:
        sheets, problems = unique_ids(items)
        broken = {item.raw.path: item for item in items if isinstance(item, Broken)}
        mended = {p for p in broken.keys() | self._broken.keys()
                  if broken.get(p) is not self._broken.get(p)}  # broken ones added, changed, gone
        displays = [display for _path, display, _folder in files]
        before, existing_before = self.sheets, self.existing
        existing = existing_before
        if displays != self._displays:
            existing = existing_ids(files)
        changed = {i for i in sheets.keys() | before.keys() if sheets.get(i) is not before.get(i)}
        # Ids that appeared, went or changed kind, among sheets or files.
        moved = {
            i for i in changed
            if (i in sheets) != (i in before)
            or (i in sheets and sheets[i].sheet.folder != before[i].sheet.folder)
        }
        if existing is not existing_before:
            moved.update(i for i in existing.keys() | existing_before.keys()
                         if existing.get(i) != existing_before.get(i))
        for sheet_id in changed:
            old, new = before.get(sheet_id), sheets.get(sheet_id)
            if old is not None:
                for target in {t for _w, _r, t in old.refs}:
                    self._referrers[target].discard(sheet_id)
                _count(self._cited, cited_by(old), -1)
                _count(self._positioned, positioned_by(old), -1)
            if new is not None:
                for target in {t for _w, _r, t in new.refs}:
                    self._referrers.setdefault(target, set()).add(sheet_id)
                _count(self._cited, cited_by(new), 1)
                _count(self._positioned, positioned_by(new), 1)
        for path in mended:
            for counted, step in ((self._broken.get(path), -1), (broken.get(path), 1)):
                if counted is not None:
                    _count(self._cited, cited_by(counted), step)
                    _count(self._positioned, positioned_by(counted), step)
        recheck = set(changed)
        for target in moved:
            recheck.update(self._referrers.get(target, ()))
        if moved:  # the ids 'did you mean' chooses from changed
            recheck.update(i for i, found in self._references.items() if found)
        for sheet_id in recheck:
            checked = sheets.get(sheet_id)
            if checked is None:
                self._references.pop(sheet_id, None)
            else:
                self._references[sheet_id] = check_references(sheets, existing, [checked])
        for path in mended - broken.keys():
            self._broken_references.pop(path, None)
        for path in broken if moved else mended & broken.keys():
            self._broken_references[path] = check_references(sheets, existing, [broken[path]])
        # Usage: changed sheets, and those whose count of citations or positions moved.
        reuse = set(changed)
        versions: list[tuple[Item | None, Item | None]] = [
            (before.get(i), sheets.get(i)) for i in changed]
        versions += [(self._broken.get(p), broken.get(p)) for p in mended]
        for pair in versions:
            for version in pair:
                if version is not None:
                    reuse.update(cited_by(version))
                    reuse.update(positioned_by(version))
        for sheet_id in reuse:
            used = sheets.get(sheet_id)
            if used is None:
                self._usage.pop(sheet_id, None)
            else:
                self._usage[sheet_id] = usage_of(used, self._cited, self._positioned)
        # The order of events is one whole (a circle or a clash may run through any of
        # them): worked out again, for all events, when any event changed.
        if any(isinstance(version.sheet, Event)
               for i in changed for version in (before.get(i), sheets.get(i)) if version):
            self._order = order_problems(sheets)
        for found in (self._references, self._broken_references, self._usage):
            for listed in found.values():
                problems.extend(listed)
        problems.extend(self._order)
        self.sheets, self.existing, self._displays = sheets, existing, displays
        self._broken = broken
        self.changed = changed
        self._fresh_dirty |= changed
        return sheets, problems

    def freshness(self, max_age_days: int, today: dt.date) -> list[Problem]:
        """The overdue-review warnings of every sheet (``freshness_of``), worked out again for
        the changed sheets only while ``max_age_days`` and the day stay the same."""
        key = (max_age_days, today)
        if key != self._fresh_key:
            self._fresh = {}
            self._fresh_key = key
            todo: Iterable[str] = self.sheets
        else:
            todo = self._fresh_dirty
        self._fresh_dirty = set()
        for sheet_id in todo:
            item = self.sheets.get(sheet_id)
            if item is None:
                self._fresh.pop(sheet_id, None)
                continue
            found = freshness_of(item, max_age_days, today)
            if found:
                self._fresh[sheet_id] = (item, found)
            else:
                self._fresh.pop(sheet_id, None)
        return [p for _item, found in self._fresh.values() for p in found]


def _count(counts: dict[str, int], ids: Iterable[str], step: int) -> None:
    for sheet_id in ids:
        value = counts.get(sheet_id, 0) + step
        if value:
            counts[sheet_id] = value
        else:
            del counts[sheet_id]
