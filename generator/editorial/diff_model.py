"""What changed in the content, as data: the ``Diff`` that ``compare.compare`` makes and that
``diff_markdown`` writes for reviewers and for readers.

Sheets added, removed, renamed and changed; within a sheet, fields changed and facts added,
removed, reworded or re-graded; for a new source, the facts that cite it; for a removed sheet,
the sheets that referred to it; and the name readers know each sheet by. ``Diff.to_json()``
is ``briefing diff --format json``; its keys are documented in ``diff``.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from generator.content.schema import SHEET_TYPES, Fact
from generator.editorial.revisions import Snapshot

FORMAT = "briefing-diff/2"
#: A field's value as compared and shown: text, the items of a list, or None (not set).
Value = str | tuple[str, ...] | None


@dataclass(frozen=True)
class SheetRef:
    """A sheet as readers know it: its kind's folder, its id and its name."""

    folder: str
    id: str
    name: str

    @property
    def kind(self) -> str:
        return SHEET_TYPES[self.folder].label


@dataclass(frozen=True)
class Where:
    """The part of a sheet a change is in: the sheet itself, or one of its roles or relations.

    ``word`` is the role's title or the relation's kind; ``target`` the role's body (``of``)
    or the relation's other actor (``to``); ``n`` counts roles or relations that share both."""

    list_field: str = ""  # "", "roles" or "relations"
    word: str = ""
    target: str | None = None
    n: int = 1

    def __bool__(self) -> bool:
        return bool(self.list_field)

    @property
    def context(self) -> str:
        """"" for the sheet itself, else "role: <title> of <id>" or "relation: <kind> <id>"."""
        if self.list_field == "roles":
            text = f"role: {self.word}" + (f" of {self.target}" if self.target else "")
        elif self.list_field == "relations":
            text = f"relation: {self.word} {self.target}"
        else:
            return ""
        return text + (f" ({self.n})" if self.n > 1 else "")


SHEET = Where()


@dataclass(frozen=True)
class FieldChange:
    """A field's value before and after (None: not set); ``item`` for one item of a list (for
    ``roles`` and ``relations``, the item is the role or relation ``where`` names); ``ref``
    when the values are ids of sheets (``Diff.names`` has their names), ``date`` when they
    are dates as written (``2024-03``, ``late 2024-06``)."""

    field: str
    old: Value
    new: Value
    where: Where = SHEET
    item: bool = False
    ref: bool = False
    date: bool = False

    @property
    def context(self) -> str:
        return self.where.context


@dataclass(frozen=True)
class FactState:
    text: str
    certainty: str
    sources: tuple[str, ...]
    as_of: str | None
    #: Line of the fact in its file (the side it is from), None when not known.
    line: int | None = field(default=None, compare=False)

    @classmethod
    def of(cls, fact: Fact, line: int | None = None) -> FactState:
        return cls(folded(fact.text), fact.certainty, tuple(fact.sources),
                   str(fact.as_of) if fact.as_of else None, line)


@dataclass(frozen=True)
class FactChange:
    change: str  # added, removed, reworded, changed
    where: Where
    old: FactState | None
    new: FactState | None
    fields: tuple[FieldChange, ...] = ()

    @property
    def context(self) -> str:
        return self.where.context

    @functools.cached_property
    def words(self) -> tuple[tuple[str, str], ...]:
        """A reworded fact's text word by word: ("=", kept), ("-", deleted), ("+", inserted)."""
        if self.old is None or self.new is None or self.old.text == self.new.text:
            return ()
        return word_diff(self.old.text, self.new.text)


@dataclass(frozen=True)
class Citing:
    """A fact that cites a source: the sheet it stands on, where in it, and the fact."""

    sheet: SheetRef
    path: str
    where: Where
    fact: FactState


@dataclass(frozen=True)
class SheetChange:
    change: str  # added, removed, renamed, changed
    folder: str
    id: str
    name: str  # as readers know it (Briefing.name): "<actor> on <term>" for a position
    old_path: str | None  # the file at BASE (None: added)
    new_path: str | None  # the file at HEAD (None: removed)
    old_id: str | None = None
    fields: tuple[FieldChange, ...] = ()
    facts: tuple[FactChange, ...] = ()
    #: A new source: every fact at HEAD that cites it.
    cited_by: tuple[Citing, ...] = ()
    #: A removed sheet: the sheets that referred to it at BASE.
    referred_by: tuple[SheetRef, ...] = ()

    @property
    def kind(self) -> str:
        return SHEET_TYPES[self.folder].label

    @property
    def path(self) -> str:
        """The file as it is now: at HEAD, or at BASE for a removed sheet."""
        path = self.new_path or self.old_path
        assert path is not None
        return path


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
    #: id -> the name readers know it by, for every sheet the diff mentions (at HEAD, else at
    #: BASE); an id that names no sheet on either side is left out.
    names: dict[str, str] = field(default_factory=dict)

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

        def value(v: Value) -> Any:
            return list(v) if isinstance(v, tuple) else v

        def fields(changes: tuple[FieldChange, ...]) -> list[dict[str, Any]]:
            return [{"context": c.context, "field": c.field, "item": c.item, "ref": c.ref,
                     "old": value(c.old), "new": value(c.new)} for c in changes]

        def fact(state: FactState | None) -> dict[str, Any] | None:
            if state is None:
                return None
            return {"text": state.text, "certainty": state.certainty,
                    "sources": list(state.sources), "as_of": state.as_of, "line": state.line}

        def sheet_ref(s: SheetRef) -> dict[str, Any]:
            return {"kind": s.kind, "folder": s.folder, "id": s.id, "name": s.name}

        return {
            "format": FORMAT,
            "base": side(self.base),
            "head": side(self.head),
            "summary": self.summary(),
            "sheets": [
                {"change": s.change, "kind": s.kind, "folder": s.folder, "id": s.id,
                 "old_id": s.old_id, "name": s.name, "path": s.path, "old_path": s.old_path,
                 "new_path": s.new_path, "fields": fields(s.fields),
                 "facts": [{"change": f.change, "context": f.context, "old": fact(f.old),
                            "new": fact(f.new), "fields": fields(f.fields),
                            "words": [list(w) for w in f.words]} for f in s.facts],
                 "cited_by": [{**sheet_ref(c.sheet), "path": c.path, "context": c.where.context,
                               "fact": fact(c.fact)} for c in s.cited_by],
                 "referred_by": [sheet_ref(r) for r in s.referred_by]}
                for s in self.sheets
            ],
            "not_compared": [{"id": n.id, "base": n.base, "head": n.head}
                             for n in self.not_compared],
            "names": dict(sorted(self.names.items())),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def folded(text: str) -> str:
    """Text with its whitespace folded to single spaces, as pages show it: a line break in
    YAML is not a change."""
    return " ".join(text.split())


# --- word by word -------------------------------------------------------------------------------

# Words, runs of spaces, and each other character (punctuation) on its own: "Northland." and
# "Northland," differ in the full stop only.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """``old`` to ``new`` word by word, as Wikipedia's diff shows a reworded paragraph:
    ("=", kept text), ("-", deleted text), ("+", inserted text), in reading order. Changes
    separated only by a space are shown as one."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    runs: list[list[str]] = []  # [op, text]

    def add(op: str, text: str) -> None:
        if not text:
            return
        if runs and runs[-1][0] == op:
            runs[-1][1] += text
        else:
            runs.append([op, text])

    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        kept = "".join(a[i1:i2])
        between = 0 < n < len(opcodes) - 1 and op == "equal" and kept.isspace()
        if op == "equal" and not between:
            add("=", kept)
            continue
        # A change, or a lone space between two changes: both sides take it.
        deleted, inserted = "".join(a[i1:i2]), "".join(b[j1:j2])
        if runs and runs[-1][0] == "+" and deleted:
            # Keep one deletion before one insertion: move the insertion after this deletion.
            ins = runs.pop()
            add("-", deleted)
            runs.append(ins)
            add("+", inserted)
        else:
            add("-", deleted)
            add("+", inserted)
    return tuple((op, text) for op, text in runs)
