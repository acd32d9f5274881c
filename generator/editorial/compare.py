"""Compare two validated snapshots of the content: what changed, in editors' words.

``compare(base, head)`` makes the ``Diff`` (``diff_model``): sheets added, removed, renamed
and changed, fields and facts within them, the facts citing a new source, the sheets that
referred to a removed one, and the names readers know them by (``Briefing.name`` of the side
they are on). Reading revisions from git is ``revisions``; the public entry points are in
``diff``; Markdown is ``diff_markdown``.

Heuristics, chosen to match how editors work:

* **Renamed**: a removed and an added sheet of the same kind whose facts' texts are at least
  ``RENAME_THRESHOLD`` (80 %) the same (exact text, counted with repeats); sheets without any
  facts count as renamed when that share of their set fields is equal.
* **Reworded**: within one sheet (and one role or relation of it), facts with the same text
  are paired first; the rest are paired by ``difflib`` similarity of their texts, best pairs
  first, when the ratio is at least ``REWORD_THRESHOLD`` (0.6). Unpaired facts are added or
  removed. Reordering facts, list items or a fact's sources is not a change.
* A role keeps its identity through a new title when its body (``of``) is unchanged, and a
  relation through a new kind when its actor (``to``) is: their fields change, their facts are
  compared as facts of one role or relation.
* An added sheet lists all its fields and facts as added; a removed one, as removed.
* Sheets that fail their own checks on either side (YAML, fields, ids) are listed as not
  compared, never guessed at. Sheets whose only errors are references are compared: their
  fields are known; an id that names nothing there is shown as the id.
"""

from __future__ import annotations

import difflib
import logging
import typing
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.content.briefing import Briefing
from generator.content.dates import PartialDate
from generator.content.loader import DataPath, Marks
from generator.content.schema import KINDS, Fact, Node, Ref, Sheet, annotation_parts
from generator.editorial.diff_model import (
    SHEET,
    Citing,
    Diff,
    FactChange,
    FactState,
    FieldChange,
    NotCompared,
    SheetChange,
    SheetRef,
    Side,
    Where,
    folded,
)
from generator.editorial.revisions import Snapshot

log = logging.getLogger(__name__)

RENAME_THRESHOLD = 0.8
REWORD_THRESHOLD = 0.6
_ORDER = {"added": 0, "removed": 1, "renamed": 2, "changed": 3}


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
        changes.append(_changed(base, head, old_id, new_id, "renamed"))
    for i in added:
        if i not in renamed_new:
            changes.append(_added(head, i))
    referrers = _referrers(base.briefing) if removed else {}
    for i in removed:
        if i not in renamed_old:
            changes.append(_removed(base, i, referrers.get(i, ())))
    for i in sorted(set(old) & set(new)):
        if old[i].folder == new[i].folder and old[i] != new[i]:
            change = _changed(base, head, i, i, "changed")
            if change.fields or change.facts:
                changes.append(change)
    changes.sort(key=lambda c: (_ORDER[c.change], KINDS.index(c.folder), c.id))
    not_compared = tuple(
        NotCompared(i, base.invalid.get(i) or base.paths.get(i),
                    head.invalid.get(i) or head.paths.get(i))
        for i in sorted(skip)
    )
    names = _names(changes, base.briefing, head.briefing)
    return Diff(Side.of(base), Side.of(head), tuple(changes), not_compared, names)


def reader_name(briefing: Briefing, sheet_id: str) -> str | None:
    """What readers call the sheet in ``briefing`` (None: no such sheet there)."""
    sheet = briefing.sheets.get(sheet_id)
    if sheet is None:
        return None
    try:
        return briefing.name(sheet_id)
    except KeyError:  # a position whose actor or plan is missing there (a reference error)
        return sheet.name_text


def _ref(briefing: Briefing, sheet_id: str) -> SheetRef:
    sheet = briefing.sheets[sheet_id]
    return SheetRef(sheet.folder, sheet_id, reader_name(briefing, sheet_id) or sheet_id)


def _added(head: Snapshot, sheet_id: str) -> SheetChange:
    """An added sheet: every field and fact added; a source, with the facts citing it."""
    sheet = head.sheets[sheet_id]
    fields, facts = _compare_parts(_empty(sheet), None, sheet, head.marks.get(sheet_id))
    cited = _citing(head, sheet_id) if sheet.folder == "sources" else ()
    return SheetChange("added", sheet.folder, sheet_id, _ref(head.briefing, sheet_id).name,
                       None, head.paths[sheet_id], fields=tuple(fields), facts=tuple(facts),
                       cited_by=cited)


def _removed(base: Snapshot, sheet_id: str, referrers: tuple[SheetRef, ...]) -> SheetChange:
    """A removed sheet: every field and fact removed, and who referred to it."""
    sheet = base.sheets[sheet_id]
    fields, facts = _compare_parts(sheet, base.marks.get(sheet_id), _empty(sheet), None)
    return SheetChange("removed", sheet.folder, sheet_id, _ref(base.briefing, sheet_id).name,
                       base.paths[sheet_id], None, fields=tuple(fields), facts=tuple(facts),
                       referred_by=referrers)


def _changed(base: Snapshot, head: Snapshot, old_id: str, new_id: str,
             change: str) -> SheetChange:
    a, b = base.sheets[old_id], head.sheets[new_id]
    fields, facts = _compare_parts(a, base.marks.get(old_id), b, head.marks.get(new_id))
    return SheetChange(change, b.folder, new_id, _ref(head.briefing, new_id).name,
                       base.paths[old_id], head.paths[new_id],
                       old_id if change == "renamed" else None, tuple(fields), tuple(facts))


def _empty(sheet: Sheet) -> Sheet:
    """A sheet of the same kind with nothing set: every field compares as new (or gone)."""
    return type(sheet).model_construct()


def _citing(head: Snapshot, source_id: str) -> tuple[Citing, ...]:
    """Every fact at HEAD citing the source, by sheet (in id order) and place in the sheet."""
    found = []
    for sheet_id in sorted({c.sheet.id for c in head.briefing.citing(source_id)}):
        sheet = head.sheets[sheet_id]
        ref, path = _ref(head.briefing, sheet_id), head.paths[sheet_id]
        for part in _parts(sheet, head.marks.get(sheet_id)).values():
            for n, fact in enumerate(part.facts):
                if source_id in fact.sources:
                    found.append(Citing(ref, path, part.where,
                                        FactState.of(fact, part.line_of(n))))
    return tuple(found)


def _referrers(briefing: Briefing) -> dict[str, tuple[SheetRef, ...]]:
    """id -> the other sheets referring to it (in any field, facts' sources too), in id
    order."""
    found: dict[str, set[str]] = defaultdict(set)
    for sheet_id, refs in briefing.refs.items():
        for _where, _ref_kind, target in refs:
            if target != sheet_id:
                found[target].add(sheet_id)
    return {target: tuple(_ref(briefing, i) for i in sorted(ids))
            for target, ids in found.items()}


def _names(changes: list[SheetChange], base: Briefing, head: Briefing) -> dict[str, str]:
    """The reader's name of every id the changes mention, as HEAD names it, else BASE."""
    ids: set[str] = set()
    for s in changes:
        ids.add(s.id)
        for c in (*s.fields, *(c for f in s.facts for c in f.fields)):
            if c.ref:
                for value in (c.old, c.new):
                    ids.update((value,) if isinstance(value, str) else value or ())
        for f in s.facts:
            for state in (f.old, f.new):
                ids.update(state.sources if state else ())
        for where in (*(c.where for c in s.fields), *(f.where for f in s.facts)):
            if where.target:
                ids.add(where.target)
        for cite in s.cited_by:
            ids.add(cite.sheet.id)
            ids.update(cite.fact.sources)
            if cite.where.target:
                ids.add(cite.where.target)
        ids.update(r.id for r in s.referred_by)
    names = {}
    for sheet_id in sorted(ids):
        name = reader_name(head, sheet_id) or reader_name(base, sheet_id)
        if name is not None:
            names[sheet_id] = name
    return names


@dataclass(frozen=True)
class _Part:
    """A sheet itself, or one of its roles or relations: fields and facts compared together."""

    where: Where
    anchor: str | None  # what a role or relation is about (of / to): pairs it across versions
    identity: dict[str, Any]  # the fields that name it (title and of; kind and to)
    attrs: dict[str, Any]
    kinds: dict[str, str]  # names of its identity and attrs -> "ref" or "date" (see _kinds)
    facts: list[Fact]
    facts_at: DataPath  # where its facts are in the file
    marks: Marks | None

    def line_of(self, n: int) -> int | None:
        """The line of its ``n``-th fact in the file, if the file's marks are known."""
        if self.marks is None:
            return None
        return self.marks.of_value((*self.facts_at, n))[0]


def _parts(sheet: Sheet, marks: Marks | None) -> dict[str, _Part]:
    """Context ("" for the sheet, "role: Head of x", "relation: met y") -> part."""
    parts = {"": _Part(SHEET, None, {}, _flat(sheet, {"id", "facts", "roles", "relations"}),
                       _kinds(type(sheet)), list(getattr(sheet, "facts", None) or []),
                       ("facts",), marks)}
    counts: Counter[tuple[str, str, str | None]] = Counter()
    for n, role in enumerate(getattr(sheet, "roles", None) or []):
        title = folded(role.title)
        key = ("roles", title, role.of)
        counts[key] += 1
        where = Where("roles", title, role.of, counts[key])
        parts[where.context] = _Part(
            where, role.of, {"title": title, "of": role.of},
            _flat(role, {"title", "of", "facts"}), _kinds(type(role)), list(role.facts),
            ("roles", n, "facts"), marks)
    for n, relation in enumerate(getattr(sheet, "relations", None) or []):
        key = ("relations", relation.kind, relation.to)
        counts[key] += 1
        where = Where("relations", relation.kind, relation.to, counts[key])
        parts[where.context] = _Part(
            where, relation.to, {"kind": relation.kind, "to": relation.to}, {},
            _kinds(type(relation)), list(relation.facts), ("relations", n, "facts"), marks)
    return parts


_KINDS: dict[type[Node], dict[str, str]] = {}


def _kinds(cls: type[Node]) -> dict[str, str]:
    """Field name (nested mappings flattened as ``deadline.date``, as ``_flat`` names them)
    -> "ref" for a field holding ids of other sheets, "date" for a date. Worked out once per
    class."""
    if cls in _KINDS:
        return _KINDS[cls]
    kinds: dict[str, str] = {}
    for name, declared in cls.model_fields.items():
        parts = [part for meta in (declared.annotation, *declared.metadata)
                 for part in annotation_parts(meta)]
        if any(isinstance(part, Ref) for part in parts):
            kinds[name] = "ref"
        elif PartialDate in parts:
            kinds[name] = "date"
        elif not any(typing.get_origin(part) is list for part in parts):
            nested = next((p for p in parts if isinstance(p, type) and issubclass(p, Node)), None)
            if nested is not None:
                kinds.update({f"{name}.{k}": v for k, v in _kinds(nested).items()})
    _KINDS[cls] = kinds
    return kinds


def _compare_parts(a: Sheet, marks_a: Marks | None, b: Sheet, marks_b: Marks | None
                   ) -> tuple[list[FieldChange], list[FactChange]]:
    parts_a, parts_b = _parts(a, marks_a), _parts(b, marks_b)
    # A role or relation whose name changed but whose target did not is the same one, changed:
    # pair the leftovers of each list by target, in order.
    renamed: dict[str, str] = {}  # context in b -> context in a
    left_a = [c for c in parts_a if c not in parts_b]
    for context in (c for c in parts_b if c not in parts_a):
        part = parts_b[context]
        match = next((c for c in left_a if parts_a[c].where.list_field == part.where.list_field
                      and parts_a[c].anchor == part.anchor), None)
        if match is not None:
            renamed[context] = match
            left_a.remove(match)
    fields: list[FieldChange] = []
    facts: list[FactChange] = []
    for context in list(parts_b) + left_a:
        old, new = parts_a.get(renamed.get(context, context)), parts_b.get(context)
        either = new or old
        assert either is not None
        where, kinds = either.where, either.kinds
        if new is None:
            fields.append(FieldChange(where.list_field, context.split(": ", 1)[1], None, where,
                                      item=True))
        elif old is None:
            fields.append(FieldChange(where.list_field, None, context.split(": ", 1)[1], where,
                                      item=True))
        else:
            fields.extend(_field_changes(old.identity, new.identity, where, kinds))
        fields.extend(_field_changes(old.attrs if old else {}, new.attrs if new else {}, where,
                                     kinds))
        facts.extend(_pair_facts(old, new, where))
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
    return folded(str(value))


def _field_changes(a: dict[str, Any], b: dict[str, Any], where: Where,
                   kinds: dict[str, str]) -> list[FieldChange]:
    changes = []
    for name in list(b) + [k for k in a if k not in b]:
        old, new = a.get(name), b.get(name)
        ref, date = kinds.get(name) == "ref", kinds.get(name) == "date"
        if isinstance(old, tuple) or isinstance(new, tuple):
            before, after = old or (), new or ()
            changes += [FieldChange(name, v, None, where, True, ref, date) for v in before
                        if v not in after]
            changes += [FieldChange(name, None, v, where, True, ref, date) for v in after
                        if v not in before]
        elif old != new:
            changes.append(FieldChange(name, old, new, where, ref=ref, date=date))
    return changes


def _pair_facts(old_part: _Part | None, new_part: _Part | None,
                where: Where) -> list[FactChange]:
    old = old_part.facts if old_part else []
    new = new_part.facts if new_part else []
    a = [FactState.of(f) for f in old]
    b = [FactState.of(f) for f in new]

    def located(part: _Part | None, n: int) -> FactState:
        """The n-th fact with its line: looked up only for facts that are shown."""
        assert part is not None
        return FactState.of(part.facts[n], part.line_of(n))

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
            ordered.append((j, 0, FactChange("added", where, None, located(new_part, j))))
            continue
        before = a[pairs[j]]
        fields = tuple(_fact_fields(before, state))
        if before.text != state.text or fields:
            change = "reworded" if before.text != state.text else "changed"
            ordered.append((j, 0, FactChange(change, where, located(old_part, pairs[j]),
                                             located(new_part, j), fields)))
    paired_a = set(pairs.values())
    for i in range(len(a)):
        if i not in paired_a:
            ordered.append((i, 1, FactChange("removed", where, located(old_part, i), None)))
    return [change for _, _, change in sorted(ordered, key=lambda t: (t[0], t[1]))]


def _fact_fields(a: FactState, b: FactState) -> Iterator[FieldChange]:
    if a.certainty != b.certainty:
        yield FieldChange("certainty", a.certainty, b.certainty)
    if set(a.sources) != set(b.sources):
        yield FieldChange("sources", a.sources, b.sources, ref=True)
    if a.as_of != b.as_of:
        yield FieldChange("as_of", a.as_of, b.as_of, date=True)


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
    texts_a = Counter(folded(f.text) for f in _all_facts(a))
    texts_b = Counter(folded(f.text) for f in _all_facts(b))
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
