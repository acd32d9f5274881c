"""A ``Diff`` as Markdown, for two audiences, written by one ``_Writer``.

* **Reviewers** (``diff_markdown``: ``briefing diff``, the pull-request comment): every
  change in full, sheets grouped by what happened to them; a new sheet with all its fields
  and facts, a new source with the facts that cite it, a removed sheet with its facts and
  the sheets that referred to it. Sheets are named as readers know them, with their ids.
* **Readers** (``reader_markdown``: one commit on the "What changed" page): names only,
  linked to the sheet's page where it still has one, fields by their names in words
  (``as_of``: "As of"); a new sheet as its line and one line under it (its fields in short,
  and how many facts it has, or for a source how many facts cite it: its page has the rest);
  a removed sheet with its facts; nothing editors alone care about (``reviewed`` dates), and
  nothing at all for a commit that changed only those.

Both nest a sheet's changes under it with four spaces (what Python-Markdown needs; GitHub
reads it too). A reworded fact is shown word by word, deleted words in ``<del>`` and
inserted ones in ``<ins>`` (HTML that GitHub's comments and the site both keep). Every piece
of content text goes through ``escaping.md_text``, so it cannot inject Markdown or HTML; ids
are validated slugs, safe in code spans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from generator.content.dates import PartialDate
from generator.editorial.diff_model import (
    Diff,
    FactChange,
    FactState,
    FieldChange,
    SheetChange,
    Side,
    Value,
    Where,
)
from generator.escaping import md_text

#: (folder, id) -> a relative link to the sheet's page as the site has it now, or None.
Link = Callable[[str, str], str | None]

INDENT = "    "
#: Fields only editors need: not shown to readers.
_EDITORS_ONLY = {"reviewed"}
#: Fields left out of the one line that describes a new sheet to readers (its page has them).
_NOT_ABOUT = {"summary", "url", "reviewed", "aliases"}
_LIST_PARTS = {"roles": "Role", "relations": "Relation"}


def diff_markdown(diff: Diff, level: int = 2) -> str:
    """The diff for reviewers under a heading of ``level`` (2: ``##``), sections below it."""
    write = _Writer(diff, reviewers=True)
    h = "#" * level
    out = [f"{h} Content changes: {_side(diff.base)} → {_side(diff.head)}", ""]
    for name, side in (("BASE", diff.base), ("HEAD", diff.head)):
        if not side.valid:
            out += [f"> **Content at {name} ({md_text(side.label)}) does not validate: "
                    f"{_count(side.errors, 'error')}.** Sheets that fail their own checks "
                    "there (YAML, fields, ids) are listed under “Not compared”; sheets whose "
                    "only errors are references are compared. `briefing check` on that "
                    "revision lists every problem.", ""]
    if diff.empty:
        return "\n".join([*out, "No changes to the content.", ""])
    out += [_summary_line(diff.summary()), ""]
    added = [s for s in diff.sheets if s.change == "added"]
    sections = [
        ("New sources", [s for s in added if s.folder == "sources"]),
        ("Sheets added", [s for s in added if s.folder != "sources"]),
        ("Sheets removed", [s for s in diff.sheets if s.change == "removed"]),
        ("Sheets renamed", [s for s in diff.sheets if s.change == "renamed"]),
        ("Sheets changed", [s for s in diff.sheets if s.change == "changed"]),
    ]
    for title, sheets in sections:
        if sheets:
            out += [f"{h}# {title}", ""]
            for s in sheets:
                out += _nested(write.sheet(s))
            out.append("")
    if diff.not_compared:
        out += [f"{h}# Not compared (errors)", ""]
        for n in diff.not_compared:
            where = [f"at BASE in {md_text(n.base)}" if n.base else "not at BASE",
                     f"at HEAD in {md_text(n.head)}" if n.head else "not at HEAD"]
            out.append(f"- {md_text(n.id)}: {', '.join(where)}")
        out.append("")
    return "\n".join(out)


def reader_markdown(diff: Diff, link: Link) -> str:
    """The diff for readers: a nested list, one item per sheet, "" when nothing in it is
    for readers (a commit that only changed review dates, comments or layout)."""
    write = _Writer(diff, reviewers=False, link=link)
    out: list[str] = []
    for s in diff.sheets:
        lines = write.sheet(s)
        if len(lines) > 1 or s.change in ("added", "removed"):
            out += _nested(lines)
    if diff.not_compared:
        out.append(f"- Changes to {_count(len(diff.not_compared), 'sheet')} that did not "
                   "pass the checks at the time are not shown.")
    return "\n".join(out) + "\n" if out else ""


def _nested(lines: list[tuple[int, str]]) -> list[str]:
    return [f"{INDENT * depth}- {text}" for depth, text in lines]


class _Writer:
    """The lines of one diff for one audience."""

    def __init__(self, diff: Diff, *, reviewers: bool, link: Link | None = None):
        self.diff = diff
        self.reviewers = reviewers
        self.link = link

    # --- names and values -----------------------------------------------------------------

    def ref(self, sheet_id: str) -> str:
        """A sheet by its name (reviewers also see its id)."""
        name = self.diff.names.get(sheet_id)
        if name is None:  # names nothing (a reference error on that side)
            return f"`{sheet_id}`" if self.reviewers else str(md_text(sheet_id))
        if not self.reviewers:
            return str(md_text(name))
        return f"{md_text(name)} (`{sheet_id}`)" if name != sheet_id else f"`{sheet_id}`"

    def field(self, name: str) -> str:
        if self.reviewers:
            return f"`{name}`"
        return str(md_text(name.replace(".", " ").replace("_", " ").capitalize()))

    def value(self, c: FieldChange, value: Value) -> str:
        if value is None:
            return "*(not set)*"
        items = value if isinstance(value, tuple) else (value,)
        if c.ref:
            return ", ".join(self.ref(v) for v in items)
        return ", ".join(self.date(v) if c.date else str(md_text(v)) for v in items)

    def date(self, text: str) -> str:
        """As written for reviewers (``late 2024-06``), as pages say it for readers."""
        return str(md_text(text if self.reviewers else PartialDate.parse(text).display()))

    def where(self, w: Where) -> str:
        """A role or relation: "Role Head of Name", "Relation met Name"."""
        if w.list_field == "roles":
            text = f"{md_text(w.word)}" + (f" of {self.ref(w.target)}" if w.target else "")
        else:
            text = f"{md_text(w.word)} {self.ref(w.target or '')}"
        return text + (f" ({w.n})" if w.n > 1 else "")

    def fact(self, state: FactState) -> str:
        """A fact in full: its text, then its certainty, sources and date."""
        return f"“{md_text(state.text)}” ({self.grade(state)})"

    def grade(self, state: FactState) -> str:
        sources = ", ".join(self.ref(s) for s in state.sources)
        grade = f"{md_text(state.certainty)}; {_noun(len(state.sources), 'source')}: {sources}"
        return grade + (f"; as of {self.date(state.as_of)}" if state.as_of else "")

    def words(self, f: FactChange) -> str:
        """A reworded fact's text, deleted words in <del>, inserted ones in <ins>."""
        out = []
        for op, text in f.words:
            lead = " " if text[:1].isspace() else ""
            trail = " " if text[-1:].isspace() and text.strip() else ""
            core = str(md_text(text)) if text.strip() else " "
            if op == "=":
                out.append(lead + core + trail)
            else:
                tag = "del" if op == "-" else "ins"
                out.append(f"{lead}<{tag}>{core}</{tag}>{trail}" if text.strip()
                           else f"<{tag}> </{tag}>")
        return "“" + "".join(out) + "”"

    # --- lines ----------------------------------------------------------------------------

    def sheet(self, s: SheetChange) -> list[tuple[int, str]]:
        """The sheet's line, then its changes one level in: (depth, text) pairs."""
        lines = [(0, self.heading(s))]
        if not self.reviewers and s.change == "added":
            about = [f"{self.field(c.field)}: {self.value(c, c.new)}" for c in s.fields
                     if not (c.item or c.where or c.new is None or c.field in _NOT_ABOUT
                             or c.new == s.name)]
            # A source's own facts are about the document; what matters is who cites it.
            about.append(f"Cited by {_count(len(s.cited_by), 'fact')}" if s.folder == "sources"
                         else _count(len(s.facts), "fact"))
            return [*lines, (1, " · ".join(about))]
        whole = s.change if s.change in ("added", "removed") else None
        if self.reviewers or not whole:
            lines += [(1, text) for text in self.field_lines(s, whole)]
        lines += [(1, self.fact_line(f)) for f in s.facts]
        if self.reviewers and s.folder == "sources" and s.change == "added":
            if s.cited_by:
                lines.append((1, f"Cited by {_count(len(s.cited_by), 'fact')}:"))
                for cite in s.cited_by:
                    where = f" — {_LIST_PARTS[cite.where.list_field]} " \
                        f"{self.where(cite.where)}" if cite.where else ""
                    lines.append((2, f"{cite.sheet.kind} `{cite.sheet.id}` — "
                                     f"{md_text(cite.sheet.name)}{where}: "
                                     f"{self.fact(cite.fact)}"))
            else:
                lines.append((1, "Cited by no fact yet"))
        if self.reviewers and s.referred_by:
            referrers = ", ".join(f"{r.kind} {self.ref(r.id)}" for r in s.referred_by)
            lines.append((1, f"Referred to at BASE by: {referrers}"))
        return lines

    def heading(self, s: SheetChange) -> str:
        if self.reviewers:
            name = "" if s.name == s.id else f" — {md_text(s.name)}"
            ids = f"`{s.old_id}` → `{s.id}`" if s.change == "renamed" else f"`{s.id}`"
            return f"{s.kind} {ids}{name}"
        verb = {"added": "New", "removed": "Removed"}.get(s.change, "Changed")
        url = self.link(s.folder, s.id) if self.link and s.change != "removed" else None
        name = f"[{md_text(s.name)}]({url})" if url else str(md_text(s.name))
        return f"{verb} {s.kind}: {name}"

    def field_lines(self, s: SheetChange, whole: str | None) -> Iterator[str]:
        """A changed sheet's field changes; for a sheet that came or went (``whole``), its
        fields as they are (list items together)."""
        shown = [c for c in s.fields if self.reviewers or c.field not in _EDITORS_ONLY]
        if whole:
            grouped: dict[tuple[Where, str], list[FieldChange]] = {}
            for c in shown:
                if not (c.where or c.item) and (c.new if whole == "added" else c.old) == s.name:
                    continue  # the title or name: the sheet's line shows it
                grouped.setdefault((c.where, c.field), []).append(c)
            for (where, name), changes in grouped.items():
                if name in _LIST_PARTS and changes[0].item:
                    yield f"{_LIST_PARTS[name]}: {self.where(where)}"
                    continue
                values = [c.new if whole == "added" else c.old for c in changes]
                text = ", ".join(self.value(c, v) for c, v in zip(changes, values, strict=True))
                yield f"{self.prefix(where)}{self.field(name)}: {text}"
            return
        for c in shown:
            if c.field in _LIST_PARTS and c.item:
                verb = "added" if c.old is None else "removed"
                yield f"{_LIST_PARTS[c.field]} {verb}: {self.where(c.where)}"
            elif c.item:
                verb, value = ("Added to", c.new) if c.old is None else ("Removed from", c.old)
                yield f"{self.prefix(c.where)}{verb} {self.field(c.field)}: {self.value(c, value)}"
            else:
                yield (f"{self.prefix(c.where)}{self.field(c.field)}: {self.value(c, c.old)} → "
                       f"{self.value(c, c.new)}")

    def prefix(self, where: Where) -> str:
        return f"{_LIST_PARTS[where.list_field]} {self.where(where)} — " if where else ""

    def fact_line(self, f: FactChange) -> str:
        prefix = self.prefix(f.where)
        if f.change == "added" and f.new:
            return f"{prefix}Fact added: {self.fact(f.new)}"
        if f.change == "removed" and f.old:
            return f"{prefix}Fact removed: {self.fact(f.old)}"
        assert f.old is not None and f.new is not None
        changes = "; ".join(self.fact_field(c) for c in f.fields)
        if f.change == "reworded":
            return (f"{prefix}Fact reworded: {self.words(f)} ({self.grade(f.new)})"
                    + (f"; {changes}" if changes else ""))
        return f"{prefix}Fact “{md_text(f.new.text)}”: {changes}"

    def fact_field(self, c: FieldChange) -> str:
        if c.field == "sources":
            old = c.old if isinstance(c.old, tuple) else ()
            new = c.new if isinstance(c.new, tuple) else ()
            parts = [f"source added: {self.ref(s)}" for s in new if s not in old]
            parts += [f"source removed: {self.ref(s)}" for s in old if s not in new]
            return "; ".join(parts)
        label = "as of" if c.field == "as_of" else c.field
        return f"{label} {self.value(c, c.old)} → {self.value(c, c.new)}"


def _side(side: Side) -> str:
    short = side.commit[:7] if side.commit else ""
    label = str(md_text(side.label))
    return f"{label} ({short})" if short and not side.label.startswith(short) else label


def _count(n: int, noun: str) -> str:
    return f"{n} {_noun(n, noun)}"


def _noun(n: int, noun: str) -> str:
    return noun if n == 1 else f"{noun}s"


def _summary_line(summary: dict[str, int]) -> str:
    sheets = [f"{summary['sheets_' + k]} {k}" for k in ("added", "removed", "renamed", "changed")
              if summary["sheets_" + k]]
    if summary["sources_added"]:
        sheets[0] += f" ({_count(summary['sources_added'], 'new source')})"
    facts = [f"{summary['facts_' + k]} {k}" for k in ("added", "removed", "reworded", "changed")
             if summary["facts_" + k]]
    text = f"**Sheets:** {', '.join(sheets) or 'none changed'}"
    return text + (f" · **Facts:** {', '.join(facts)}" if facts else "")
