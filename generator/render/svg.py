"""Pictures made at build time as inline SVG: they need no JavaScript and print as vectors.

Every picture has a <title> and <desc>, writes stance and certainty as symbols and words (colour
is only a third cue), and links each mark to its page. Content text is escaped for XML. A picture
is role="group", not role="img": an image's children are hidden from assistive technology, and
its links must stay reachable (axe: nested-interactive).

A picture is sized in em of the text around it, its labels one em: they are as large as the body
text on every screen and on paper, and a picture is laid out (wrapped, split) to fit the text
column at that size; in a column narrower than it, it scrolls sideways under a hint.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from urllib.parse import quote

from generator.content.briefing import Briefing
from generator.content.dates import between
from generator.content.schema import Event, Plan, Position, Sheet
from generator.content.vocabularies import CERTAINTY, DEFAULT, WordList
from generator.errors import EnvironmentFault
from generator.escaping import visible
from generator.render import axis
from generator.render.fontmetrics import fit, text_width, wrap

Href = Callable[[Sheet], str]

STANCE_COLOURS = {
    "supports": "#c8e6c9",
    "conditional": "#bbdefb",
    "seeks-changes": "#d1c4e9",
    "sceptical": "#ffe0b2",
    "opposes": "#ffcdd2",
    "rejects": "#ef9a9a",
    "undecided": "#eeeeee",
    "unknown": "#f5f5f5",
}
_FONT = "DejaVu Sans, Verdana, sans-serif"
#: Every label's size in a drawing's units; a drawing is shown at 1/FONT_SIZE em a unit, so its
#: labels are the size of the text around them.
FONT_SIZE = 16.0
_LINE = FONT_SIZE * 1.25  # from a line of a label to the next
#: The widest a drawing may be, in em: the site's text column at desktop widths (960 px and up)
#: is 43 em beside the contents sidebar and 58 em on pages that hide it, as the matrix's and the
#: graph's pages do (their templates) for the room.
COLUMN_EM = 42.0
WIDE_COLUMN_EM = 57.0
#: Widest on the book's portrait text column (174 mm, A4; letter is wider) with labels of at
#: least 7 pt; a wider drawing is printed on a landscape page.
PORTRAIT_EM = 70.0


def _x(text: object) -> str:
    """Escape text for XML content and attribute values, as the page shows it."""
    return html.escape(visible(str(text)), quote=True)


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _width(text: str) -> float:
    """How wide a label is, in a drawing's units, as the page shows it."""
    return text_width(visible(text), FONT_SIZE)


class _Ids:
    """Element ids unique within a page, stable from build to build."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self._n = count(1)

    def __call__(self) -> str:
        return f"{self.prefix}-{next(self._n)}"


@dataclass(frozen=True)
class Drawing:
    """An SVG picture and its width in em (what decides the hint and the printed page)."""

    markup: str
    width: float


def figure(name: str, drawing: Drawing) -> str:
    """A drawing as the page's <figure>, with a hint to scroll that the site's CSS shows only
    where the column is narrower than the drawing (its width is the figure's --figure-width;
    the hint's words are CSS too), and marked to print on a landscape page where the portrait
    column would shrink its labels below 7 pt."""
    classes = f"briefing-figure briefing-{name}"
    if drawing.width > PORTRAIT_EM:
        classes += " briefing-wide"
    return (f'<figure class="{classes}" style="--figure-width: {drawing.width:.3f}em">'
            f'<p class="scroll-hint" aria-hidden="true"></p>{drawing.markup}</figure>')


def _open(width: float, height: float, title: str, desc: str, ids: _Ids, css: str) -> str:
    # The font size is on a group, not on the <svg>: the <svg>'s em is the page's.
    t, d = ids(), ids()
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" role="group" '
        f'width="{width / FONT_SIZE:.3f}em" height="{height / FONT_SIZE:.3f}em" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" aria-labelledby="{t} {d}" '
        f'font-family="{_FONT}">'
        f'<title id="{t}">{_x(title)}</title><desc id="{d}">{_x(desc)}</desc>'
        f'<g font-size="{FONT_SIZE:.0f}">'
    )


def _close(markup: list[str], width: float) -> Drawing:
    return Drawing("".join(markup) + "</g></svg>", width / FONT_SIZE)


def _lines(x: float, y: float, lines: list[str], anchor: str = "start") -> str:
    """One <text> of several lines, the first line's baseline at ``y``."""
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{y + _LINE * i:.1f}">{_x(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    middle = ' text-anchor="middle"' if anchor == "middle" else ""
    return f"<text{middle}>{spans}</text>"


def weakest_certainty(position: Position) -> str:
    order = list(CERTAINTY)
    return max((f.certainty for f in position.facts), key=order.index)


@dataclass(frozen=True)
class Grid:
    """Who stands where on a plan and its terms: the position matrix's columns (the plan, then
    its terms), rows (actors with a position on any of them, by name) and cells."""

    targets: list[Sheet]
    actors: list[str]
    positions: dict[tuple[str, str], list[Position]]

    def at(self, actor_id: str, target_id: str) -> list[Position]:
        return self.positions.get((actor_id, target_id), [])

    def row(self, actor_id: str) -> list[list[Position]]:
        """An actor's cells, one for each target in order: the table's rows (thousands of
        cells, mostly empty, at 10,000 sheets) take them in one call."""
        return [self.positions.get((actor_id, t.id), []) for t in self.targets]


def grid(briefing: Briefing, plan: Plan) -> Grid:
    """The position matrix of ``plan`` (the picture and the table under it share it)."""
    targets: list[Sheet] = [plan, *briefing.terms_of(plan.id)]
    positions: dict[tuple[str, str], list[Position]] = {}
    for target in targets:
        for position in briefing.positions_on(target.id):
            positions.setdefault((position.actor, target.id), []).append(position)
    actors = sorted({a for a, _ in positions}, key=lambda a: (briefing.name(a).casefold(), a))
    return Grid(targets, actors, positions)


#: The matrix: narrowest column, widest column, widest actor name (two lines of it), and the
#: most lines of a column's heading, in em.
_COLUMN_EM = (6.0, 12.0)
_NAME_EM = 12.0
_HEADING_LINES = 4


def matrix(briefing: Briefing, plan: Plan, href: Href, symbols: dict[str, str],
           found: Grid | None = None, stances: WordList = DEFAULT.stance) -> list[Drawing]:
    """Actors (rows) x the plan and its terms (columns); each cell links to the position (the
    first, where an actor has several on one target: the table lists them all). Columns are
    as wide as their stances, headings wrap, and a plan with more columns than fit the text
    column is drawn in several parts, each repeating the actors. A stance the briefing adds
    shows its label and takes the colour of the fixed stance it names (``stances``)."""
    found = found or grid(briefing, plan)
    targets, actors = found.targets, found.actors
    cells: dict[tuple[str, str], tuple[Position, str, str]] = {}
    for key, items in found.positions.items():
        cell = items[0]
        certainty = weakest_certainty(cell)
        uncertain = certainty not in ("confirmed", "reported")
        mark = f" {symbols[certainty]}" if uncertain else ""
        label = stances.label(cell.stance)
        cells[key] = (cell, certainty, f"{symbols[cell.stance]} {label}{mark}")
    look = {w.word: (w.label, STANCE_COLOURS.get(w.colour, "#eeeeee")) for w in stances}
    narrow, wide = (em * FONT_SIZE for em in _COLUMN_EM)
    col_w = min(max([_width(label) + 16 for *_, label in cells.values()] + [narrow]), wide)
    names = {a: wrap(visible(briefing.name(a)), FONT_SIZE, _NAME_EM * FONT_SIZE, 2)
             for a in actors}
    label_w = max([_width(line) for lines in names.values() for line in lines] + [0]) + 12
    per = max(1, int((WIDE_COLUMN_EM * FONT_SIZE - label_w - 8) // col_w))
    parts = math.ceil(len(targets) / per)
    per = math.ceil(len(targets) / parts)  # parts of even width
    ids = _Ids(f"matrix-{plan.id}")
    drawings = []
    for first in range(0, len(targets), per):
        shown = targets[first:first + per]
        title = f"Position matrix: {plan.title}"
        if parts > 1:
            title += f" (columns {first + 1} to {first + len(shown)} of {len(targets)})"
        drawings.append(_matrix_part(briefing, shown, actors, cells, names, href, ids, title,
                                     label_w, col_w, look))
    return drawings


def _matrix_part(briefing: Briefing, targets: list[Sheet], actors: list[str],
                 cells: dict[tuple[str, str], tuple[Position, str, str]],
                 names: dict[str, list[str]], href: Href, ids: _Ids, title: str,
                 label_w: float, col_w: float, look: dict[str, tuple[str, str]]) -> Drawing:
    headings = {t.id: wrap(visible(t.name_text), FONT_SIZE, col_w - 8, _HEADING_LINES)
                for t in targets}
    head_h = max(len(lines) for lines in headings.values()) * _LINE + 8
    rows = [max(len(names[a]), 1) * _LINE + 14 for a in actors]
    width = label_w + col_w * len(targets) + 4
    height = head_h + sum(rows) + 4
    described = [
        f"{briefing.name(a)}: {look.get(stance, (stance,))[0]} on {briefing.name(t.id)}"
        for a in actors for t in targets if (a, t.id) in cells
        for stance in (cells[(a, t.id)][0].stance,)
    ]
    out = [_open(width, height, title, "; ".join(described) or "No positions recorded.", ids,
                 "briefing-matrix")]
    for i, target in enumerate(targets):
        lines = headings[target.id]
        x = label_w + col_w * i + col_w / 2
        y = head_h - 10 - _LINE * (len(lines) - 1)
        out.append(f'<a href="{_x(href(target))}" fill="#1a237e"><title>{_x(target.name_text)}'
                   f"</title>{_lines(x, y, lines, 'middle')}</a>")
    y = head_h
    for actor_id, row_h in zip(actors, rows, strict=True):
        lines = names[actor_id]
        first = y + row_h / 2 - _LINE * (len(lines) - 1) / 2 + FONT_SIZE * 0.35
        out.append(f'<a href="{_x(href(briefing.get(actor_id)))}" fill="#1a237e">'
                   f"{_lines(4, first, lines)}</a>")
        for i, target in enumerate(targets):
            x = label_w + col_w * i
            box = (f'x="{x + 2:.1f}" y="{y + 2:.1f}" width="{col_w - 4:.1f}" '
                   f'height="{row_h - 4:.1f}"')
            found = cells.get((actor_id, target.id))
            if found is None:
                out.append(f'<rect {box} fill="none" stroke="#e0e0e0"/>')
                continue
            cell, certainty, label = found
            said, fill = look.get(cell.stance, (cell.stance, "#eeeeee"))
            dashed = ' stroke-dasharray="4 2"' if certainty not in ("confirmed", "reported") else ""
            out.append(
                f'<a href="{_x(href(cell))}" class="matrix-cell">'
                f"<title>{_x(briefing.name(actor_id))}: {_x(said)} on "
                f"{_x(target.name_text)} ({_x(certainty)})</title>"
                f'<rect {box} rx="3" fill="{fill}" '
                f'stroke="#424242"{dashed}/>'
                f'<text x="{x + col_w / 2:.1f}" y="{y + row_h / 2 + FONT_SIZE * 0.35:.1f}" '
                f'text-anchor="middle" fill="#000">'
                f"{_x(fit(visible(label), FONT_SIZE, col_w - 10))}</text></a>"
            )
        y += row_h
    return _close(out, width)


def window_words(briefing: Briefing, event: Event) -> str:
    """When ``event`` can have happened, in words, where the order of events narrows its date
    (``late March to June 2031``); "" where its date says all that is known."""
    window = briefing.window(event.id)
    if not window.narrowed:
        return ""
    first = briefing.get(window.after) if window.after else event
    last = briefing.get(window.before) if window.before else event
    assert isinstance(first, Event) and isinstance(last, Event)
    return between(first.date, last.date)


def timeline(briefing: Briefing, href: Href) -> Drawing:
    """Events on a date axis, in the order of events; a date known only to a month or year is
    drawn as its span, or the part of it the order allows (``Briefing.window``). The axis'
    step suits the span (generator/render/axis.py) and no two of its labels overlap."""
    events = briefing.events
    ids = _Ids("timeline")
    if not events:
        out = [_open(300, 40, "Timeline", "No events recorded.", ids, "briefing-timeline"),
               '<text x="4" y="24">No events recorded.</text>']
        return _close(out, 300)
    first = min(e.date.span()[0] for e in events)
    last = max(e.date.span()[1] for e in events)
    # Each event's label sits above its bar, so the labels have the picture's whole width.
    width = COLUMN_EM * FONT_SIZE
    axis_x, row_h, top = 8.0, FONT_SIZE + 28, FONT_SIZE + 12
    scale = axis.choose(first, last, width - 2 * axis_x, lambda label: _width(label))
    height = top + row_h * len(events) + 4

    def x_of(day: int) -> float:  # an ordinal: the day after 31 December 9999 has no date
        return axis_x + scale.x(day)

    # The description says what the bars show: a vague date's narrowed span too.
    described = []
    for e in events:
        words = window_words(briefing, e)
        described.append(f"{e.date.display()}{f' ({words})' if words else ''}: {e.title}")
    out = [_open(width, height, "Timeline of events",
                 f"A date axis with a tick {scale.step.words()}. " + "; ".join(described), ids,
                 "briefing-timeline")]
    out.append('<g class="timeline-grid" stroke="#e0e0e0">')
    for tick in scale.ticks:
        x = axis_x + tick.x
        out.append(f'<line x1="{x:.1f}" y1="{top - 8:.1f}" x2="{x:.1f}" y2="{height - 2:.1f}"/>')
    out.append('</g><g class="timeline-axis" fill="#555">')
    for tick in scale.ticks:
        if tick.label:
            out.append(f'<text x="{axis_x + tick.x + axis.PAD:.1f}" y="{FONT_SIZE:.1f}">'
                       f"{_x(tick.label)}</text>")
    out.append("</g>")
    for r, event in enumerate(events):
        label_y = top + row_h * r + FONT_SIZE
        y = label_y + 14
        # A vague date is drawn over the part of its span the order of events allows.
        window = briefing.window(event.id)
        words = window_words(briefing, event)
        narrowed = f"; by the order of events, {words}" if words else ""
        x1, x2 = x_of(window.first.toordinal()), x_of(window.last.toordinal() + 1)
        if event.date.precision == "day":
            cx = (x1 + x2) / 2
            shape = (f'<path d="M{cx:.1f} {y - 6:.1f} L{cx + 6:.1f} {y:.1f} L{cx:.1f} '
                     f'{y + 6:.1f} L{cx - 6:.1f} {y:.1f} Z" fill="#1a237e"/>')
        else:
            shape = (f'<rect x="{x1:.1f}" y="{y - 5:.1f}" width="{max(x2 - x1, 3):.1f}" '
                     f'height="10" rx="4" fill="#9fa8da" stroke="#1a237e"/>')
        text = fit(visible(f"{event.date.display()}: {event.title}"), FONT_SIZE,
                   width - 2 * axis_x)
        out.append(
            f'<a href="{_x(href(event))}"><title>{_x(event.date.display())} '
            f"({event.date.precision} precision{_x(narrowed)}): {_x(event.title)}</title>"
            f"{shape}"
            f'<text x="{axis_x:.1f}" y="{label_y:.1f}" fill="#1a237e">{_x(text)}</text></a>'
        )
    return _close(out, width)


def _dot(text: str) -> str:
    """A DOT string that Graphviz shows as written. In a label it reads backslash escapes
    (``\\N`` is the node's name, ``\\G`` the graph's, ``\\n`` a line break) and HTML entities
    (``&lt;``, ``&#1;``); ``\\\\`` and ``&amp;`` are how a backslash and an ampersand survive
    both (measured with Graphviz 2.43 for every kind of character: tests/render/test_svg.py)."""
    return _dot_lines([text])


def _dot_lines(lines: list[str]) -> str:
    """Lines as one DOT string, each escaped as ``_dot`` does; the line breaks (``\\n``, the
    one escape written here) are the only ones: none can come from the text."""
    escaped = (line.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
               for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def _label(text: str, em: float | None = None) -> str:
    """A box's or an arrow's label: the text as the page shows it, shortened if long, and with
    ``em``, broken into lines about that wide (at words: nothing is cut)."""
    return _dot_lines(_label_lines(text, em))


def _label_lines(text: str, em: float | None = None) -> list[str]:
    shown = _clip(visible(text), GRAPH_LABEL_CHARS)
    return [shown] if em is None else wrap(shown, GRAPH_FONT, em * GRAPH_FONT)


#: Most boxes the relationship graph draws: beyond this a layout is unreadable (and Graphviz
#: slow); the most connected are kept, and every actor's page lists all of its ties.
MAX_GRAPH_NODES = 60
#: Longest name or tie the relationship graph writes in a box or on an arrow; a longer one ends
#: in an ellipsis there (its tooltip, the picture's description and the page keep all of it).
#: It also keeps every string far below the most Graphviz reads in one (16,384 bytes).
GRAPH_LABEL_CHARS = 80
_LAYOUTS: dict[str, str] = {}  # Graphviz output by hash of its input, for rebuilds
# What Graphviz may write as a link unescaped: the graph's links are made of ids (slugs).
_LINK_SAFE = "/.-_~#"
# Characters XML does not allow, or that have nothing to show: Graphviz writes none of them
# for the labels it is given, but one would end the book's fast XML path or reach a page.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


#: The graph's labels, in points (Graphviz lays out in points); the drawing is shown at
#: 1/GRAPH_FONT em a point, so they are the size of the text around it.
GRAPH_FONT = 12.0
#: About how wide a line of a box's name and of an arrow's words may be, in em: names wrap,
#: so the graph is laid out narrow enough for the text column.
_NODE_EM, _EDGE_EM = 9.0, 7.0


def relations_graph(briefing: Briefing, href: Href, kinds: WordList = DEFAULT.relation_kind
                    ) -> Drawing:
    """Actors, their relations, roles and drafting, laid out by Graphviz ``dot`` from top to
    bottom (a graph's ranks are fewer than its boxes side by side, and a rank's boxes wrap
    their names) or, where that is too wide and left to right is narrower, across; every tie
    between two boxes on one arrow, its words one under another. A relation shows its kind's
    label (``kinds``), a role its title, both as written."""
    edges: set[tuple[str, str, str]] = set()
    # Titles and labels, not verbs: said as "A, Head, B" (only drafting reads as a verb).
    named: set[tuple[str, str, str]] = set()
    for actor in briefing.actors:
        for role in actor.roles:
            if role.of:
                named.add((actor.id, role.of, role.title))
        for relation in actor.relations:
            named.add((actor.id, relation.to, kinds.label(relation.kind)))
    edges.update(named)
    for plan in briefing.plans:
        for actor_id in plan.drafted_by:
            edges.add((actor_id, plan.id, "drafted"))
    degree: dict[str, int] = {}
    for a, b, _ in edges:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    kept = set(sorted(degree, key=lambda i: (-degree[i], i))[:MAX_GRAPH_NODES])
    shown = sorted((a, b, k) for a, b, k in edges if a in kept and b in kept)
    involved = sorted({i for a, b, _ in shown for i in (a, b)})
    lines = [
        'graph [bgcolor="transparent", fontname="DejaVu Sans", pad="0.1", nodesep="0.15", '
        'ranksep="0.3"];',
        'node [shape=box, style="rounded,filled", fillcolor="#e8eaf6", color="#1a237e", '
        f'fontname="DejaVu Sans", fontsize={GRAPH_FONT:g}, margin="0.08,0.04"];',
        f'edge [fontname="DejaVu Sans", fontsize={GRAPH_FONT:g}, color="#555555"];',
    ]
    # Tooltips are written into the layout afterwards (_inline): Graphviz 2.43 reads a
    # tooltip's backslash escapes twice, so no one spelling shows every name as written.
    tooltips: dict[str, str] = {}
    for sheet_id in involved:
        sheet = briefing.get(sheet_id)
        fill = ', fillcolor="#fff3e0", shape=note' if sheet.folder == "plans" else ""
        link = quote(href(sheet), safe=_LINK_SAFE)
        tooltips[link] = sheet.name_text
        lines.append(
            f"{_dot(sheet_id)} [label={_label(sheet.name_text, _NODE_EM)}, "
            f"URL={_dot(link)}{fill}];"
        )
    arrows: dict[tuple[str, str], list[str]] = {}
    for a, b, label in shown:
        arrows.setdefault((a, b), []).append(label)
    for (a, b), labels in arrows.items():
        words: list[str] = []
        for label in labels:
            if words:  # ties on one arrow are told apart as a list is
                words[-1] += ","
            words += _label_lines(label, _EDGE_EM)
        lines.append(f"{_dot(a)} -> {_dot(b)} [label={_dot_lines(words)}];")
    lines.append("}")
    scope = (f"{len(involved)} actors and plans with {len(shown)} ties"
             if len(shown) == len(edges) else
             f"The {len(involved)} most connected of {len(degree)} actors and plans, with "
             f"{len(shown)} of {len(edges)} ties (each actor's page lists all of its own)")
    # Top to bottom; but where one actor has many ties of one kind (a body's many members)
    # they stand side by side in one rank: then left to right, if that is narrower.
    def laid_out(rankdir: str) -> str:
        return _layout("\n".join([f"digraph relations {{ rankdir={rankdir};", *lines]))

    layout = laid_out("TB")
    if _points(layout, "width") > WIDE_COLUMN_EM * GRAPH_FONT:
        layout = min(layout, laid_out("LR"), key=lambda drawn: _points(drawn, "width"))
    return _inline(layout, "Relationship graph",
                   f"{scope}: " + "; ".join(
                       f"{briefing.name(a)}, {k}, {briefing.name(b)}" if (a, b, k) in named
                       else f"{briefing.name(a)} {k} {briefing.name(b)}" for a, b, k in shown),
                   tooltips)


def _layout(source: str) -> str:
    """SVG from Graphviz for a graph in the dot language (remembered between rebuilds)."""
    data = source.encode("utf-8")
    key = hashlib.sha256(data).hexdigest()
    if key in _LAYOUTS:
        return _LAYOUTS[key]
    dot = _dot_command()
    result = subprocess.run(
        [dot, "-Tsvg"], input=data, capture_output=True, check=False, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"Graphviz failed: {result.stderr.decode('utf-8', 'replace').strip()}"
        )
    # Bytes, read as UTF-8 whatever the locale: a byte Graphviz should not have written shows
    # as U+FFFD (as does a character XML does not allow) instead of stopping the build.
    svg = _NOT_TEXT.sub("\ufffd", result.stdout.decode("utf-8", "replace"))
    if len(_LAYOUTS) >= 8:
        _LAYOUTS.pop(next(iter(_LAYOUTS)))
    _LAYOUTS[key] = svg
    return svg


def _dot_command() -> str:
    """Graphviz's ``dot``, found on the PATH, or a fault saying how to install it."""
    dot = shutil.which("dot")
    if dot is None:
        raise EnvironmentFault(
            "cannot draw the relationship graph: Graphviz's 'dot' command is not on the PATH; "
            "install Graphviz (on Debian or Ubuntu: sudo apt-get install graphviz), then run "
            "the command again"
        )
    return dot


_GRAPHVIZ_LINK = re.compile(r'<a xlink:href="([^"]*)"(?: xlink:title="[^"]*")?>')


_POINTS = re.compile(r'\s(width|height)="([0-9.]+)pt"')


def _points(svg: str, name: str) -> float:
    """The width or height Graphviz gave its drawing, in points."""
    head = svg[svg.index("<svg"):]
    head = head[:head.index(">")]
    return next((float(v) for n, v in _POINTS.findall(head) if n == name), 0.0)


def _inline(svg: str, title: str, desc: str, tooltips: dict[str, str]) -> Drawing:
    """Graphviz's document as an inline, accessible element, each link with its tooltip
    (``tooltips``: link -> the text), sized in em like the other pictures."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"\s*\n\s*", " ", svg).strip()
    head_end = svg.index(">") + 1
    size = {name: float(points) / GRAPH_FONT for name, points in _POINTS.findall(svg[:head_end])}
    head = _POINTS.sub(lambda m: f' {m[1]}="{size[m[1]]:.3f}em"', svg[:head_end]).replace(
        "<svg ", '<svg class="briefing-graph" role="group" aria-labelledby="graph-t graph-d" ', 1
    )
    # SVG 2 href, as the other pictures write it. Browsers focus either, but accessibility
    # checkers (axe) see no keyboard-reachable content in a scrolling figure of xlink:href links.
    def link(match: re.Match[str]) -> str:
        target = html.unescape(match.group(1))
        tooltip = tooltips.get(target)
        if tooltip is None:  # pragma: no cover - every link is one of the graph's own
            return f'<a href="{_x(target)}">'
        return f'<a href="{_x(target)}" xlink:title="{_x(tooltip)}">'

    body = _GRAPHVIZ_LINK.sub(link, svg[head_end:])
    return Drawing(f'{head}<title id="graph-t">{_x(title)}</title>'
                   f'<desc id="graph-d">{_x(desc)}</desc>{body}', size.get("width", 0.0))
