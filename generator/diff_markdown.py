"""A ``Diff`` as Markdown, ready to paste as a pull-request comment or to put on a page.

Every piece of content text goes through ``render.md_text``, the project's one escaping
helper, so a fact cannot inject Markdown or HTML into the comment. Ids are slugs (validated),
so they are safe in code spans; anything else is escaped.
"""

from __future__ import annotations

from generator.compare import Diff, FactChange, FieldChange, SheetChange, Side, about
from generator.escaping import md_text


def diff_markdown(diff: Diff, level: int = 2) -> str:
    """The diff under a heading of ``level`` (2: ``##``), sections one level below it."""

    def value(text: str | None) -> str:
        return "*(not set)*" if text is None else str(md_text(text))

    def field_line(c: FieldChange) -> str:
        where = f"{md_text(c.context)} — " if c.context else ""
        if c.item and c.old is None:
            return f"{where}added to `{c.field}`: {value(c.new)}"
        if c.item:
            return f"{where}removed from `{c.field}`: {value(c.old)}"
        return f"{where}`{c.field}`: {value(c.old)} → {value(c.new)}"

    def inline(fields: tuple[FieldChange, ...]) -> str:
        return "; ".join(f"{c.field} {value(c.old)} → {value(c.new)}" for c in fields)

    def fact_line(f: FactChange) -> str:
        where = f"{md_text(f.context)} — " if f.context else ""
        if f.change == "added" and f.new:
            grade = str(md_text(f"{f.new.certainty}; {', '.join(f.new.sources)}"))
            grade += f"; as of {md_text(f.new.as_of)}" if f.new.as_of else ""
            return f"{where}fact added: “{md_text(f.new.text)}” ({grade})"
        if f.change == "removed" and f.old:
            return f"{where}fact removed: “{md_text(f.old.text)}”"
        assert f.old is not None and f.new is not None
        if f.change == "reworded":
            extra = f"; {inline(f.fields)}" if f.fields else ""
            return (f"{where}fact reworded: “{md_text(f.old.text)}” → "
                    f"“{md_text(f.new.text)}”{extra}")
        return f"{where}fact “{md_text(_brief(f.new.text))}”: {inline(f.fields)}"

    def sheet_lines(s: SheetChange) -> list[str]:
        name = "" if s.name == s.id else f" — {md_text(s.name)}"
        if s.change in ("added", "removed"):
            described = about(s)
            extra = f"{md_text(described)}; " if described else ""
            return [f"- {s.kind} `{s.id}`{name} ({extra}{_count(len(s.facts), 'fact')})"]
        ids = f"`{s.old_id}` → `{s.id}`" if s.change == "renamed" else f"`{s.id}`"
        lines = [f"- {s.kind} {ids}{name}"]
        lines += [f"  - {field_line(c)}" for c in s.fields]
        lines += [f"  - {fact_line(f)}" for f in s.facts]
        return lines

    h = "#" * level
    out = [f"{h} Content changes: {_side(diff.base)} → {_side(diff.head)}", ""]
    for name, side in (("BASE", diff.base), ("HEAD", diff.head)):
        if not side.valid:
            out += [f"> **Content at {name} ({md_text(side.label)}) does not validate: "
                    f"{_count(side.errors, 'error')}.** Sheets with errors there are not "
                    "compared; `briefing check` on that revision lists them.", ""]
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
                out += sheet_lines(s)
            out.append("")
    if diff.not_compared:
        out += [f"{h}# Not compared (errors)", ""]
        for n in diff.not_compared:
            where = [f"at BASE in {md_text(n.base)}" if n.base else "not at BASE",
                     f"at HEAD in {md_text(n.head)}" if n.head else "not at HEAD"]
            out.append(f"- {md_text(n.id)}: {', '.join(where)}")
        out.append("")
    return "\n".join(out)


def _side(side: Side) -> str:
    short = side.commit[:7] if side.commit else ""
    label = str(md_text(side.label))
    return f"{label} ({short})" if short and not side.label.startswith(short) else label


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _summary_line(summary: dict[str, int]) -> str:
    sheets = [f"{summary['sheets_' + k]} {k}" for k in ("added", "removed", "renamed", "changed")
              if summary["sheets_" + k]]
    if summary["sources_added"]:
        sheets[0] += f" ({_count(summary['sources_added'], 'new source')})"
    facts = [f"{summary['facts_' + k]} {k}" for k in ("added", "removed", "reworded", "changed")
             if summary["facts_" + k]]
    text = f"**Sheets:** {', '.join(sheets) or 'none changed'}"
    return text + (f" · **Facts:** {', '.join(facts)}" if facts else "")


def _brief(text: str, limit: int = 60) -> str:
    """The start of a fact's text, enough to recognise it."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
