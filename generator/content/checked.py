"""What the checks hand on: each content file as checked (a valid sheet, or one with errors
of its own), and the result of a whole check, from which the builder makes the ``Briefing``.

Shared by the checks of one sheet (``check``), the checks across sheets (``crossrefs``) and
everything after them, so that none of those imports another's workings.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from generator.content.briefing import Briefing
from generator.content.loader import DataPath, RawSheet
from generator.content.schema import Reference, Sheet, iter_references
from generator.errors import Problem

#: (path, path as shown to editors, kind folder); the path is a string: at thousands of files,
#: making a Path of each costs more than the rest of the walk.
SheetFile = tuple[str, str, str]

#: Id -> the kinds of the sheet files with that name (more than one when ids clash).
Existing = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Located:
    """A validated sheet with the file it came from, the marks of its keys, and every id it
    refers to (worked out once, reused by every check and lookup)."""

    sheet: Sheet
    raw: RawSheet
    refs: tuple[Reference, ...] = ()

    @classmethod
    def of(cls, raw: RawSheet, sheet: Sheet) -> Located:
        return cls(sheet, raw, tuple(iter_references(sheet)))

    @property
    def id(self) -> str:
        return self.sheet.id


@dataclass(frozen=True)
class Broken:
    """A sheet with errors of its own, kept for the checks across sheets that can still be
    made on it, so that one run reports them all: its id (None when that is wrong, or differs
    from the file name) and the references among its values that are not wrong themselves."""

    raw: RawSheet
    id: str | None
    refs: tuple[Reference, ...] = ()


#: One content file that loaded as a mapping, valid or not.
Item = Located | Broken


@dataclass
class CheckResult:
    sheets: dict[str, Located]
    problems: list[Problem]
    files: int

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def briefing(self, previous: Briefing | None = None,
                 changed: Collection[str] | None = None) -> Briefing:
        """The briefing of this check's valid sheets. With ``previous`` (the briefing of an
        earlier check) and ``changed`` (every id whose sheet is not the very same object in
        both), what ``previous`` had worked out is updated rather than worked out again."""
        if previous is None or changed is None:
            ordered = sorted(self.sheets.items())
            return Briefing(
                sheets={i: located.sheet for i, located in ordered},
                paths={i: located.raw.path for i, located in ordered},
                refs={i: located.refs for i, located in ordered},
            )
        return previous.updated({
            i: (found.sheet, found.raw.path, found.refs) if found is not None else None
            for i in changed for found in (self.sheets.get(i),)
        })


def key_name(where: DataPath) -> str:
    """The key a value stands under (a list item's: its list's)."""
    return next((str(p) for p in reversed(where) if isinstance(p, str)), "value")
