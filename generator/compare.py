"""Compare two validated snapshots of the content: what changed, in editors' words.

The result is a ``Diff``: sheets added, removed, renamed and changed; within a sheet, fields
changed and facts added, removed, reworded or re-graded. Reading revisions from git is
``revisions``; the public entry points are in ``diff``; Markdown is ``diff_markdown``.

Heuristics, chosen to match how editors work:

* **Renamed**: a removed and an added sheet of the same kind whose facts' texts are at least
  ``RENAME_THRESHOLD`` (80 %) the same (exact text, counted with repeats); sheets without any
  facts count as renamed when that share of their set fields is equal.
* **Reworded**: within one sheet (and one role or relation of it), facts with the same text
  are paired first; the rest are paired by ``difflib`` similarity of their texts, best pairs
  first, when the ratio is at least ``REWORD_THRESHOLD`` (0.6). Unpaired facts are added or
  removed. Reordering facts or list items is not a change.
* A role keeps its identity through a new title when its body (``of``) is unchanged, and a
  relation through a new kind when its actor (``to``) is: their fields change, their facts are
  compared as facts of one role or relation.
* An added sheet lists all its fields and facts as added; a removed one, as removed.
* Sheets with errors on either side are listed as not compared, never guessed at.
"""

from __future__ import annotations

import difflib
import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.revisions import Snapshot
from generator.schema import KINDS, SHEET_TYPES, Fact, Node, Sheet

log = logging.getLogger(__name__)

FORMAT = "briefing-diff/1"
RENAME_THRESHOLD = 0.8
REWORD_THRESHOLD = 0.6
_ORDER = {"added": 0, "removed": 1, "renamed": 2, "changed": 3}
# Fields not shown in the one-line description of an added or removed sheet.
_NOT_ABOUT = {"summary", "url", "reviewed", "aliases"}


@dataclass(frozen=True)
class FieldChange:
    """A field's value before and after (None: not set); ``item`` for one item of a list."""

    field: str
    old: str | None
    new: str | None
    context: str = ""
    item: bool = False


@dataclass(frozen=True)
class FactState:
    text: str
    certainty: str
    sources: tuple[str, ...]
    as_of: str | None

    @classmethod
    def of(cls, fact: Fact) -> FactState:
        return cls(_words(fact.text), fact.certainty, tuple(fact.sources),
                   str(fact.as_of) if fact.as_of else None)


@dataclass(frozen=True)
class FactChange:
    change: str  # added, removed, reworded, changed
    context: str
    old: FactState | None
    new: FactState | None
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class SheetChange:
    change: str  # added, removed, renamed, changed
    folder: str
    id: str
    name: str
    path: str
    old_id: str | None = None
    fields: tuple[FieldChange, ...] = ()
    facts: tuple[FactChange, ...] = ()

    @property
    def kind(self) -> str:
        return SHEET_TYPES[self.folder].label


@dataclass(frozen=True)
class NotCompared:
    """A sheet with errors on one side or both: what changed in it is not guessed at."""

    id: str
    base: str | None
    head: str | None


@dataclass(frozen=True)
class Side:
    label: str
    commit: str | None
    errors: int
    files: int

    @property
    def valid(self) -> bool:
        return self.errors == 0

    @classmethod
    def of(cls, snapshot: Snapshot) -> Side:
        return cls(snapshot.label, snapshot.commit, snapshot.errors, snapshot.files)


@dataclass(frozen=True)
class Diff:
    base: Side
    head: Side
    sheets: tuple[SheetChange, ...] = ()
    not_compared: tuple[NotCompared, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.sheets and not self.not_compared

    def summary(self) -> dict[str, int]:
        def sheets(change: str) -> int:
            return sum(1 for s in self.sheets if s.change == change)

        def facts(change: str) -> int:
            return sum(1 for s in self.sheets for f in s.facts if f.change == change)

        return {
            "sheets_added": sheets("added"),
            "sheets_removed": sheets("removed"),
            "sheets_renamed": sheets("renamed"),
            "sheets_changed": sheets("changed"),
            "sources_added": sum(
                1 for s in self.sheets if s.change == "added" and s.folder == "sources"
            ),
            "facts_added": facts("added"),
            "facts_removed": facts("removed"),
            "facts_reworded": facts("reworded"),
            "facts_changed": facts("changed"),
        }

    def to_dict(self) -> dict[str, Any]:
        def side(s: Side) -> dict[str, Any]:
            return {"label": s.label, "commit": s.commit, "valid": s.valid, "errors": s.errors,
                    "files": s.files}

        def fields(changes: tuple[FieldChange, ...]) -> list[dict[str, Any]]:
            return [{"context": c.context, "field": c.field, "item": c.item, "old": c.old,
                     "new": c.new} for c in changes]

        def fact(state: FactState | None) -> dict[str, Any] | None:
            if state is None:
                return None
            return {"text": state.text, "certainty": state.certainty,
                    "sources": list(state.sources), "as_of": state.as_of}

        return {
            "format": FORMAT,
            "base": side(self.base),
            "head": side(self.head),
            "summary": self.summary(),
            "sheets": [
                {"change": s.change, "kind": s.kind, "folder": s.folder, "id": s.id,
                 "old_id": s.old_id, "name": s.name, "path": s.path, "fields": fields(s.fields),
                 "facts": [{"change": f.change, "context": f.context, "old": fact(f.old),
                            "new": fact(f.new), "fields": fields(f.fields)} for f in s.facts]}
                for s in self.sheets
            ],
            "not_compared": [{"id": n.id, "base": n.base, "head": n.head}
                             for n in self.not_compared],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self, level: int = 2) -> str:
        """Markdown for a pull-request comment or a page (``level``: its heading level);
        every piece of content text is escaped, so it shows as written and cannot inject
        Markdown or HTML."""
        from generator.diff_markdown import diff_markdown  # it needs render; render may need us

        return diff_markdown(self, level)


# --- comparing ----------------------------------------------------------------------------------


def compare(base: Snapshot, head: Snapshot) -> Diff:
    """What changed from ``base`` to ``head``, both already validated."""
    skip = set(base.invalid) | set(head.invalid)
    old = {i: s for i, s in base.sheets.items() if i not in skip}
    new = {i: s for i, s in head.sheets.items() if i not in skip}
    removed = [i for i in old if i not in new or new[i].folder != old[i].folder]
    added = [i for i in new if i not in old or old[i].folder != new[i].folder]
    changes: list[SheetChange] = []
    renamed_old: set[str] = set()
    renamed_new: set[str] = set()
    for old_id, new_id in _renames([old[i] for i in removed], [new[i] for i in added]):
        renamed_old.add(old_id)
        renamed_new.add(new_id)
        changes.append(_changed(old[old_id], new[new_id], head.paths[new_id], "renamed", old_id))
    for i in added:
        if i not in renamed_new:
            changes.append(_whole(new[i], head.paths[i], "added"))
    for i in removed:
        if i not in renamed_old:
            changes.append(_whole(old[i], base.paths[i], "removed"))
    for i in sorted(set(old) & set(new)):
        if old[i].folder == new[i].folder and old[i] != new[i]:
            change = _changed(old[i], new[i], head.paths[i], "changed")
            if change.fields or change.facts:
                changes.append(change)
    changes.sort(key=lambda c: (_ORDER[c.change], KINDS.index(c.folder), c.id))
    not_compared = tuple(
        NotCompared(i, base.invalid.get(i) or base.paths.get(i),
                    head.invalid.get(i) or head.paths.get(i))
        for i in sorted(skip)
    )
    return Diff(Side.of(base), Side.of(head), tuple(changes), not_compared)


def _whole(sheet: Sheet, path: str, change: str) -> SheetChange:
    """An added (or removed) sheet: every field and fact added (or removed)."""
    empty = type(sheet).model_construct()  # nothing set: every field compares as new
    fields, facts = _compare_parts(empty, sheet) if change == "added" else _compare_parts(
        sheet, empty)
    return SheetChange(change, sheet.folder, sheet.id, sheet.name_text, path,
                       fields=tuple(fields), facts=tuple(facts))


def _changed(a: Sheet, b: Sheet, path: str, change: str, old_id: str | None = None) -> SheetChange:
    fields, facts = _compare_parts(a, b)
    return SheetChange(change, b.folder, b.id, b.name_text, path, old_id, tuple(fields),
                       tuple(facts))


@dataclass(frozen=True)
class _Part:
    """A sheet itself, or one of its roles or relations: fields and facts compared together."""

    list_field: str  # "" for the sheet itself, else "roles" or "relations"
    anchor: str | None  # what a role or relation is about (of / to): pairs it across versions
    identity: dict[str, Any]  # the fields that name it (title and of; kind and to)
    attrs: dict[str, Any]
    facts: list[Fact]


def _parts(sheet: Sheet) -> dict[str, _Part]:
    """Context ("" for the sheet, "role: Head of x", "relation: met y") -> part."""
    parts = {"": _Part("", None, {}, _flat(sheet, {"id", "facts", "roles", "relations"}),
                       list(getattr(sheet, "facts", None) or []))}
    for role in getattr(sheet, "roles", None) or []:
        label = role.title + (f" of {role.of}" if role.of else "")
        parts[_unique(f"role: {label}", parts)] = _Part(
            "roles", role.of, {"title": _words(role.title), "of": role.of},
            _flat(role, {"title", "of", "facts"}), list(role.facts))
    for relation in getattr(sheet, "relations", None) or []:
        parts[_unique(f"relation: {relation.kind} {relation.to}", parts)] = _Part(
            "relations", relation.to, {"kind": relation.kind, "to": relation.to}, {},
            list(relation.facts))
    return parts


def _unique(context: str, taken: dict[str, _Part]) -> str:
    n, candidate = 1, context
    while candidate in taken:
        n += 1
        candidate = f"{context} ({n})"
    return candidate


def _compare_parts(a: Sheet, b: Sheet) -> tuple[list[FieldChange], list[FactChange]]:
    parts_a, parts_b = _parts(a), _parts(b)
    # A role or relation whose name changed but whose target did not is the same one, changed:
    # pair the leftovers of each list by target, in order.
    renamed: dict[str, str] = {}  # context in b -> context in a
    left_a = [c for c in parts_a if c not in parts_b]
    for context in (c for c in parts_b if c not in parts_a):
        part = parts_b[context]
        match = next((c for c in left_a if parts_a[c].list_field == part.list_field
                      and parts_a[c].anchor == part.anchor), None)
        if match is not None:
            renamed[context] = match
            left_a.remove(match)
    fields: list[FieldChange] = []
    facts: list[FactChange] = []
    empty = _Part("", None, {}, {}, [])
    for context in list(parts_b) + left_a:
        old_context = renamed.get(context, context)
        old, new = parts_a.get(old_context), parts_b.get(context)
        if new is None:
            assert old is not None
            fields.append(FieldChange(old.list_field, context.split(": ", 1)[1], None, item=True))
        elif old is None:
            fields.append(FieldChange(new.list_field, None, context.split(": ", 1)[1], item=True))
        else:
            fields.extend(_field_changes(old.identity, new.identity, context))
        fields.extend(_field_changes((old or empty).attrs, (new or empty).attrs, context))
        facts.extend(_pair_facts((old or empty).facts, (new or empty).facts, context))
    return fields, facts


def _flat(node: Node, exclude: set[str], prefix: str = "") -> dict[str, Any]:
    """Field name -> shown value (str, tuple of str for lists, None when unset), in model order;
    nested mappings (a deadline) flattened as ``deadline.date``."""
    values: dict[str, Any] = {}
    for name in type(node).model_fields:
        if name in exclude:
            continue
        value = getattr(node, name, None)
        if isinstance(value, Node):
            values.update(_flat(value, set(), f"{prefix}{name}."))
        elif isinstance(value, list):
            values[prefix + name] = tuple(_shown(v) for v in value)
        else:
            values[prefix + name] = None if value is None else _shown(value)
    return values


def _shown(value: Any) -> str:
    return _words(str(value))


def _words(text: str) -> str:
    return " ".join(text.split())


def _field_changes(a: dict[str, Any], b: dict[str, Any], context: str) -> list[FieldChange]:
    changes = []
    for name in list(b) + [k for k in a if k not in b]:
        old, new = a.get(name), b.get(name)
        if isinstance(old, tuple) or isinstance(new, tuple):
            before, after = old or (), new or ()
            changes += [FieldChange(name, v, None, context, True) for v in before if v not in after]
            changes += [FieldChange(name, None, v, context, True) for v in after if v not in before]
        elif old != new:
            changes.append(FieldChange(name, old, new, context))
    return changes


def _pair_facts(old: list[Fact], new: list[Fact], context: str) -> list[FactChange]:
    a = [FactState.of(f) for f in old]
    b = [FactState.of(f) for f in new]
    pairs: dict[int, int] = {}  # index in b -> index in a
    free_a = list(range(len(a)))
    for j, fact in enumerate(b):
        match = next((i for i in free_a if a[i].text == fact.text), None)
        if match is not None:
            pairs[j] = match
            free_a.remove(match)
    free_b = [j for j in range(len(b)) if j not in pairs]
    candidates = []
    for i in free_a:
        for j in free_b:
            matcher = difflib.SequenceMatcher(None, a[i].text, b[j].text, autojunk=False)
            if matcher.real_quick_ratio() >= REWORD_THRESHOLD and \
                    matcher.quick_ratio() >= REWORD_THRESHOLD:
                ratio = matcher.ratio()
                if ratio >= REWORD_THRESHOLD:
                    candidates.append((-ratio, abs(i - j), i, j))
    used_a: set[int] = set()
    for _, _, i, j in sorted(candidates):
        if i not in used_a and j not in pairs:
            pairs[j] = i
            used_a.add(i)
    ordered: list[tuple[int, int, FactChange]] = []
    for j, state in enumerate(b):
        if j not in pairs:
            ordered.append((j, 0, FactChange("added", context, None, state)))
            continue
        before = a[pairs[j]]
        fields = tuple(_fact_fields(before, state))
        if before.text != state.text:
            ordered.append((j, 0, FactChange("reworded", context, before, state, fields)))
        elif fields:
            ordered.append((j, 0, FactChange("changed", context, before, state, fields)))
    paired_a = set(pairs.values())
    for i, state in enumerate(a):
        if i not in paired_a:
            ordered.append((i, 1, FactChange("removed", context, state, None)))
    return [change for _, _, change in sorted(ordered, key=lambda t: (t[0], t[1]))]


def _fact_fields(a: FactState, b: FactState) -> Iterator[FieldChange]:
    if a.certainty != b.certainty:
        yield FieldChange("certainty", a.certainty, b.certainty)
    if a.sources != b.sources:
        yield FieldChange("sources", ", ".join(a.sources), ", ".join(b.sources))
    if a.as_of != b.as_of:
        yield FieldChange("as_of", a.as_of, b.as_of)


def _renames(removed: list[Sheet], added: list[Sheet]) -> list[tuple[str, str]]:
    candidates = []
    for a in removed:
        for b in added:
            if a.folder == b.folder:
                score = _similarity(a, b)
                if score >= RENAME_THRESHOLD:
                    candidates.append((-score, a.id, b.id))
    pairs: list[tuple[str, str]] = []
    used: set[str] = set()
    for _, old_id, new_id in sorted(candidates):
        if old_id not in used and new_id not in used:
            pairs.append((old_id, new_id))
            used.update((old_id, new_id))
    return pairs


def _similarity(a: Sheet, b: Sheet) -> float:
    texts_a = Counter(_words(f.text) for f in _all_facts(a))
    texts_b = Counter(_words(f.text) for f in _all_facts(b))
    if texts_a or texts_b:
        same = sum((texts_a & texts_b).values())
        return same / max(sum(texts_a.values()), sum(texts_b.values()))
    fields_a = _flat(a, {"id"})
    fields_b = _flat(b, {"id"})
    names = [n for n in fields_a if fields_a[n] or fields_b.get(n)]
    if not names:
        return 0.0
    return sum(1 for n in names if fields_a[n] == fields_b.get(n)) / len(names)


def _all_facts(sheet: Sheet) -> list[Fact]:
    found = list(getattr(sheet, "facts", None) or [])
    for holder in (getattr(sheet, "roles", None) or []) + (getattr(sheet, "relations", None) or []):
        found.extend(holder.facts)
    return found


def about(change: SheetChange) -> str:
    """A sheet's main fields in one line, e.g. ``kind person, side Ukraine``."""
    shown = []
    for c in change.fields:
        value = c.new if change.change == "added" else c.old
        if c.context or c.item or value is None or c.field in _NOT_ABOUT or value == change.name:
            continue
        shown.append(f"{c.field} {value}")
    return ", ".join(shown)
