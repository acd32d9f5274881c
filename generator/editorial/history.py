"""The content's history for the "What changed" page: every commit on the first-parent line
that changed ``content/`` (a merged branch counts once, as its merge), newest first, each with
its diff against its first parent (the root commit against empty content).

Worked out here, above the renderer, and handed to it: the renderer reads a ``History`` through
its own ``ChangeHistory`` protocol and never imports git or the diff. ``Change.for_readers``
writes a commit's changes in readers' words (``diff_markdown.reader_markdown``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.content.dates import PartialDate
from generator.content.vocabularies import DEFAULT, Vocabularies
from generator.editorial.compare import compare
from generator.editorial.diff_markdown import reader_markdown
from generator.editorial.diff_model import Diff
from generator.editorial.revisions import GitError, Repository

log = logging.getLogger(__name__)


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

    def for_readers(self, link: Callable[[str, str], str | None]) -> str:
        """The commit's changes as readers see them, each sheet linked by ``link(folder, id)``
        (None: not linked); "" when nothing in the commit is for readers."""
        return reader_markdown(self.diff, link)


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


def content_history(root: Path, limit: int | None = None,
                    vocabularies: Vocabularies = DEFAULT) -> History:
    """Every commit on the first-parent line that changed content/ (at most ``limit``),
    newest first, with its diff against its first parent.

    A root commit is compared with empty content. Never raises for a missing repository.
    """
    try:
        repo = Repository(root, vocabularies)
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
