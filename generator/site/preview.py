"""What the preview (``mkdocs serve``) shows while the content has errors: one page listing
every problem, at every address the site has, so that each request is answered at once and
the page reloads by itself (the preview's live reload) once the content is fixed.

A build with errors publishes nothing: this page exists only in the preview.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator.content.check import discover
from generator.errors import Problem, explanation, summary
from generator.escaping import md_text
from generator.render.renderer import COMPOSED, PAGE_FOLDERS, relative_path

TITLE = "Errors in the briefing"
#: The error page's own template (beside this module): plain HTML, not the theme's pages.
TEMPLATE = "briefing-error.html"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def page_paths(root: Path) -> list[str]:
    """The docs paths of every page the content under ``root`` would make, as far as its file
    names tell: the composed pages and one per fact-sheet file, valid or not (an editor who
    breaks a sheet is looking at its page)."""
    files, _problems = discover(root / "content", root)
    paths = dict.fromkeys(COMPOSED)
    for _path, display, folder in files:
        stem = display.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if folder in PAGE_FOLDERS:
            paths.setdefault(f"{PAGE_FOLDERS[folder]}/{stem}.md", None)
    return list(paths)


def error_page(problems: Sequence[Problem], notes: Sequence[str], here: str) -> str:
    """The error page's Markdown as served from the docs path ``here``: each problem with its
    place (``path:line:col``), message and rule, the rule linked to its entry on the errors
    page (which the preview serves beside it), then ``notes`` (problems without a rule, such
    as a template's). Everything quoted is escaped: messages quote content."""
    counted = summary(problems, None) if problems else "a template error"
    lines = [
        f"# {TITLE}",
        "",
        f"The briefing cannot be built: {counted}. `briefing check` lists the same problems. "
        "Every page of the preview shows this list until they are fixed; it reloads by itself "
        "when you save the fix.",
        "",
    ]
    if problems:
        lines += ["| Where | Problem | Rule |", "|---|---|---|"]
        folder = here.rsplit("/", 1)[0] if "/" in here else ""
        for problem in problems:
            kind = "" if problem.is_error else "warning: "
            path, anchor = explanation(problem.rule)
            rule = f"[{md_text(problem.rule)}]({relative_path(path, folder)}#{anchor})"
            # In code, as in the terminal, and kept on one line.
            where = f"<code>{md_text(problem.location())}</code>"
            lines.append(f"| {where} | {kind}{md_text(problem.message)} | {rule} |")
        lines.append("")
    for note in notes:
        lines += [md_text(note), ""]
    return "\n".join(lines)
