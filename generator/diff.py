"""Semantic diff of the content between git revisions, and the content's history.

``semantic_diff(root, base, head=None)`` compares the validated content at revision ``base``
with ``head`` (None: the working tree); ``content_history(root)`` lists every commit that
touched ``content/``, newest first, each with its diff against its first parent (the root
commit against empty content), for the "What changed" page. Both validate each revision with
the normal ``check()`` (see ``revisions``) and compare with ``compare.compare``.

``Diff.to_markdown()`` is a pull-request comment; ``Diff.to_json()`` writes these stable keys
(``format`` names the version; ``briefing diff --format json`` prints the same)::

    format        "briefing-diff/1"
    base, head    {label, commit (null for the working tree), valid, errors, files}
    summary       {sheets_added, sheets_removed, sheets_renamed, sheets_changed, sources_added,
                   facts_added, facts_removed, facts_reworded, facts_changed}
    sheets        [{change: added|removed|renamed|changed, kind, folder, id, old_id, name, path,
                    fields: [FIELD], facts: [{change: added|removed|reworded|changed, context,
                    old: FACT|null, new: FACT|null, fields: [FIELD]}]}]
    not_compared  [{id, base: path|null, head: path|null}]
    FIELD         {context, field, item, old, new}   (item: true for one item of a list field;
                                                      old/new null: not set)
    FACT          {text, certainty, sources, as_of}

``context`` is "" for a sheet's own fields and facts, else "role: <title> of <actor id>" or
"relation: <kind> <actor id>". Sheets are ordered added, removed, renamed, changed, then by
kind and id; facts in the order of the newer sheet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from generator.compare import (
    Diff,
    FactChange,
    FactState,
    FieldChange,
    NotCompared,
    SheetChange,
    Side,
    compare,
)
from generator.revisions import (
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
    """Every commit that touched content/ (at most ``limit``), newest first, with its diff.

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
    "Change", "Diff", "FactChange", "FactState", "FieldChange", "GitError", "History",
    "NotARepository", "NotCompared", "SheetChange", "Side", "UnknownRevision", "compare",
    "content_history", "head_commit", "semantic_diff",
]
