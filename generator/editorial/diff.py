"""Semantic diff of the content between git revisions, and the content's history.

``semantic_diff(root, base, head=None)`` compares the validated content at revision ``base``
with ``head`` (None: the working tree); ``content_history(root)`` lists the commits that
changed ``content/`` on the first-parent line (a merged branch counts once, as its merge),
newest first, each with its diff against its first parent (the root commit against empty
content), for the "What changed" page. Both validate each revision with the normal
``check()`` (see ``revisions``) and compare with ``compare.compare``, which makes the
``Diff`` of ``diff_model``.

``diff_markdown.diff_markdown(diff)`` is the pull-request comment;
``diff_markdown.reader_markdown`` writes the same Diff for readers. ``Diff.to_json()``
writes these stable keys (``format`` names the version; ``briefing diff --format json``
prints the same)::

    format        "briefing-diff/2"
    base, head    {label, commit (null for the working tree), valid, errors, files}
    summary       {sheets_added, sheets_removed, sheets_renamed, sheets_changed, sources_added,
                   facts_added, facts_removed, facts_reworded, facts_changed}
    sheets        [{change: added|removed|renamed|changed, kind, folder, id, old_id, name,
                    path, old_path, new_path, fields: [FIELD],
                    facts: [{change: added|removed|reworded|changed, context,
                             old: FACT|null, new: FACT|null, fields: [FIELD], words: [WORD]}],
                    cited_by: [{kind, folder, id, name, path, context, fact: FACT}],
                    referred_by: [{kind, folder, id, name}]}]
    not_compared  [{id, base: path|null, head: path|null}]
    names         {id: name}   the name readers know each sheet by that the diff mentions
    FIELD         {context, field, item, ref, old, new}
    FACT          {text, certainty, sources: [id], as_of, line}
    WORD          [op, text]   op "=" kept, "-" deleted, "+" inserted; [] unless reworded

``name`` is what readers call a sheet ("<actor name> on <term title>" for a position);
``path`` is the file at HEAD (at BASE for a removed sheet), ``old_path`` / ``new_path`` the
file on each side (null where the sheet is not). In FIELD, ``item`` is true for one item of a
list field (for ``roles`` and ``relations``, the item is the role or relation ``context``
names); ``ref`` is true when the values are sheet ids (see ``names``); ``old`` / ``new`` are
null when not set, and lists for a fact's ``sources``. ``line`` is the fact's line in its file
on its side (``old``: BASE, ``new``: HEAD). ``cited_by`` lists, for a new source, every fact
at HEAD that cites it; ``referred_by``, for a removed sheet, the sheets that referred to it at
BASE. ``context`` is "" for a sheet's own fields and facts, else "role: <title> of <actor id>"
or "relation: <kind> <actor id>". Sheets are ordered added, removed, renamed, changed, then
by kind and id; facts in the order of the newer sheet.

Version 2 changed from 1: a fact's ``sources`` change is two lists (was one text each side),
``line`` and the keys ``old_path``, ``new_path``, ``ref``, ``words``, ``cited_by``,
``referred_by`` and ``names`` are new, and a role or relation added or removed has its own
``context`` (was "").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from generator.content.dates import PartialDate
from generator.editorial.compare import compare
from generator.editorial.diff_model import (
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
)
from generator.editorial.revisions import (
    GitError,
    NotARepository,
    Repository,
    UnknownRevision,
    working_tree,
)

log = logging.getLogger(__name__)


def semantic_diff(root: Path, base: str, head: str | None = None) -> Diff:
    """Compare the content at revision ``base`` with ``head`` (None: the working tree).

    Raises ``NotARepository`` or ``UnknownRevision`` (both ``GitError``) for usage problems;
    content that does not validate is reported in the Diff, never raised.
    """
    repo = Repository(root)
    old = repo.snapshot(repo.resolve(base), base)
    new = working_tree(root) if head is None else repo.snapshot(repo.resolve(head), head)
    return compare(old, new)


@dataclass(frozen=True)
class Change:
    """One commit that touched content/, and what it changed against its first parent."""

    commit: str
    date: str  # committer date, YYYY-MM-DD
    subject: str
    diff: Diff

    @property
    def short(self) -> str:
        return self.commit[:7]

    @property
    def day(self) -> PartialDate:
        return PartialDate.parse(self.date)


class History(list[Change]):
    """Content changes, newest first. ``available`` is False when there is no git history to
    read (not a repository, git missing), with ``reason`` saying why; ``shallow`` when the
    oldest commits are missing (a shallow clone), so the oldest listed commit is compared
    with empty content."""

    def __init__(self, changes: list[Change] | None = None, *, available: bool = True,
                 reason: str | None = None, shallow: bool = False):
        super().__init__(changes or [])
        self.available = available
        self.reason = reason
        self.shallow = shallow


def head_commit(root: Path) -> str:
    """The commit HEAD names, or "" where there is no git history."""
    try:
        return Repository(root).resolve("HEAD")
    except GitError:
        return ""


def content_history(root: Path, limit: int | None = None) -> History:
    """Every commit on the first-parent line that changed content/ (at most ``limit``),
    newest first, with its diff against its first parent.

    A root commit is compared with empty content. Never raises for a missing repository.
    """
    try:
        repo = Repository(root)
        entries = repo.log(limit)
        shallow = repo.is_shallow()
        changes = []
        for entry in entries:
            parent = entry.parents[0] if entry.parents else None
            base = repo.snapshot(parent, parent[:7] if parent else "empty content")
            head = repo.snapshot(entry.commit, entry.commit[:7])
            changes.append(Change(entry.commit, entry.date, entry.subject, compare(base, head)))
    except GitError as exc:
        log.info("no content history: %s", exc)
        return History(available=False, reason=str(exc))
    return History(changes, shallow=shallow,
                   reason="shallow clone: older history is missing" if shallow else None)


__all__ = [
    "Change", "Citing", "Diff", "FactChange", "FactState", "FieldChange", "GitError", "History",
    "NotARepository", "NotCompared", "SheetChange", "SheetRef", "Side", "UnknownRevision",
    "Where", "compare", "content_history", "head_commit", "semantic_diff",
]
