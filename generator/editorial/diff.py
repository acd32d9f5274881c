"""Semantic diff of the content between git revisions.

``semantic_diff(root, base, head=None)`` compares the validated content at revision ``base``
with ``head`` (None: the working tree); ``history.content_history(root)`` does the same for
each commit of the "What changed" page. Both validate each revision with the normal
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

from pathlib import Path

from generator.content.vocabularies import DEFAULT, Vocabularies
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


def semantic_diff(root: Path, base: str, head: str | None = None,
                  vocabularies: Vocabularies = DEFAULT) -> Diff:
    """Compare the content at revision ``base`` with ``head`` (None: the working tree), both
    checked against the briefing's ``vocabularies``.

    Raises ``NotARepository`` or ``UnknownRevision`` (both ``GitError``) for usage problems;
    content that does not validate is reported in the Diff, never raised.
    """
    repo = Repository(root, vocabularies)
    old = repo.snapshot(repo.resolve(base), base)
    new = (working_tree(root, vocabularies) if head is None
           else repo.snapshot(repo.resolve(head), head))
    return compare(old, new)


__all__ = [
    "Citing", "Diff", "FactChange", "FactState", "FieldChange", "GitError", "NotARepository",
    "NotCompared", "SheetChange", "SheetRef", "Side", "UnknownRevision", "Where", "compare",
    "semantic_diff",
]
