"""The checks across sheets (``validate.link_sheets``), kept up to date between a workspace's
checks: after an edit, only what the change can affect is checked again, and the problems are
exactly those a full check reports (``tests/test_incremental.py`` holds it to that).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from generator.problems import Problem
from generator.validate import (
    Broken,
    Existing,
    Item,
    Located,
    SheetFile,
    check_references,
    cited_by,
    existing_ids,
    freshness_of,
    positioned_by,
    unique_ids,
    usage_of,
)


class Links:
    """The checks across sheets (validate.link_sheets), redone only where a change can matter:
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
        for found in (self._references, self._broken_references, self._usage):
            for listed in found.values():
                problems.extend(listed)
        self.sheets, self.existing, self._displays = sheets, existing, displays
        self._broken = broken
        self.changed = changed
        self._fresh_dirty |= changed
        return sheets, problems

    def freshness(self, max_age_days: int, today: date) -> list[Problem]:
        """check_freshness, redone for changed sheets only while the day stays the same."""
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
