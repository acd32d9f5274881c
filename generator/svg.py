"""Pictures made at build time as inline SVG: they need no JavaScript and print as vectors.

Every picture has a <title> and <desc>, writes stance and certainty as symbols and words (colour
is only a third cue), and links each mark to its page. Content text is escaped for XML. A picture
is role="group", not role="img": an image's children are hidden from assistive technology, and
its links must stay reachable (axe: nested-interactive).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from urllib.parse import quote

from generator.escaping import visible
from generator.model import Briefing
from generator.problems import EnvironmentFault
from generator.schema import CERTAINTY, Plan, Position, Sheet

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
_CHAR = 6.6  # average advance of the 11 px font, for layout without measuring text


def _x(text: object) -> str:
    """Escape text for XML content and attribute values, as the page shows it."""
    return html.escape(visible(str(text)), quote=True)


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


class _Ids:
    """Element ids unique within a page, stable from build to build."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self._n = count(1)

    def __call__(self) -> str:
        return f"{self.prefix}-{next(self._n)}"


def _open(width: float, height: float, title: str, desc: str, ids: _Ids, css: str) -> str:
    t, d = ids(), ids()
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" role="group" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-labelledby="{t} {d}" font-family="{_FONT}" font-size="11">'
        f'<title id="{t}">{_x(title)}</title><desc id="{d}">{_x(desc)}</desc>'
    )


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


def matrix(briefing: Briefing, plan: Plan, href: Href, symbols: dict[str, str],
           found: Grid | None = None) -> str:
    """Actors (rows) x the plan and its terms (columns); each cell links to the position (the
    first, where an actor has several on one target: the table lists them all)."""
    found = found or grid(briefing, plan)
    targets, actors = found.targets, found.actors
    cells = {key: items[0] for key, items in found.positions.items()}
    label_w = max([len(briefing.name(a)) for a in actors] + [10]) * _CHAR + 16
    col_w, row_h, head_h = 96.0, 34.0, 150.0
    width = label_w + col_w * len(targets) + 8 + head_h  # rotated headers lean right
    height = head_h + row_h * max(len(actors), 1) + 8
    ids = _Ids(f"matrix-{plan.id}")
    described = [
        f"{briefing.name(a)}: {p.stance} on {briefing.name(t)}"
        for (a, t), p in sorted(cells.items())
    ]
    out = [
        _open(width, height, f"Position matrix: {plan.title}",
              "; ".join(described) or "No positions recorded.", ids, "briefing-matrix")
    ]
    for i, target in enumerate(targets):
        x = label_w + col_w * i + col_w / 2
        name = _clip(target.name_text, 34)
        out.append(
            f'<a href="{_x(href(target))}"><text x="{x:.1f}" y="{head_h - 6:.1f}" '
            f'transform="rotate(-40 {x:.1f} {head_h - 6:.1f})" fill="#1a237e">'
            f"{_x(name)}</text></a>"
        )
    for r, actor_id in enumerate(actors):
        y = head_h + row_h * r
        out.append(
            f'<a href="{_x(href(briefing.get(actor_id)))}"><text x="4" y="{y + row_h / 2 + 4:.1f}" '
            f'fill="#1a237e">{_x(briefing.name(actor_id))}</text></a>'
        )
        for i, target in enumerate(targets):
            x = label_w + col_w * i
            cell = cells.get((actor_id, target.id))
            if cell is None:
                out.append(
                    f'<rect x="{x + 2:.1f}" y="{y + 2:.1f}" width="{col_w - 4:.1f}" '
                    f'height="{row_h - 4:.1f}" fill="none" stroke="#e0e0e0"/>'
                )
                continue
            certainty = weakest_certainty(cell)
            dashed = ' stroke-dasharray="4 2"' if certainty not in ("confirmed", "reported") else ""
            mark = f" {symbols[certainty]}" if dashed else ""
            label = f"{symbols[cell.stance]} {cell.stance}{mark}"
            out.append(
                f'<a href="{_x(href(cell))}" class="matrix-cell">'
                f"<title>{_x(briefing.name(actor_id))}: {_x(cell.stance)} on "
                f"{_x(target.name_text)} ({_x(certainty)})</title>"
                f'<rect x="{x + 2:.1f}" y="{y + 2:.1f}" width="{col_w - 4:.1f}" '
                f'height="{row_h - 4:.1f}" rx="3" fill="{STANCE_COLOURS[cell.stance]}" '
                f'stroke="#424242"{dashed}/>'
                f'<text x="{x + col_w / 2:.1f}" y="{y + row_h / 2 + 4:.1f}" '
                f'text-anchor="middle" fill="#000">{_x(label)}</text></a>'
            )
    out.append("</svg>")
    return "".join(out)


def timeline(briefing: Briefing, href: Href) -> str:
    """Events on a date axis; a date known only to a month or year is drawn as its span."""
    events = briefing.events
    ids = _Ids("timeline")
    if not events:
        return _open(300, 40, "Timeline", "No events recorded.", ids, "briefing-timeline") + (
            '<text x="4" y="24">No events recorded.</text></svg>'
        )
    start = min(e.date.span()[0] for e in events).replace(day=1)
    end_last = max(e.date.span()[1] for e in events)
    end = (end_last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    days = max((end - start).days, 1)
    # Labels sit above their bars so the picture fits a page column (about 680 px).
    axis_x, axis_w, row_h, top = 8.0, 640.0, 40.0, 30.0
    width = axis_x * 2 + axis_w
    height = top + row_h * len(events) + 8

    def x_of(day: dt.date) -> float:
        return axis_x + axis_w * (day - start).days / days

    described = [f"{e.date.display()}: {e.title}" for e in events]
    out = [_open(width, height, "Timeline of events", "; ".join(described), ids,
                 "briefing-timeline")]
    month = start
    while month <= end:
        x = x_of(month)
        out.append(f'<line x1="{x:.1f}" y1="{top - 8:.1f}" x2="{x:.1f}" y2="{height - 4:.1f}" '
                   f'stroke="#e0e0e0"/>')
        if month < end:
            out.append(f'<text x="{x + 2:.1f}" y="{top - 12:.1f}" fill="#555">'
                       f'{month.strftime("%b")} {month.year}</text>')
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    for r, event in enumerate(events):
        label_y = top + row_h * r + 12
        y = label_y + 14
        first, last = event.date.span()
        x1, x2 = x_of(first), x_of(last + dt.timedelta(days=1))
        if event.date.precision == "day":
            cx = (x1 + x2) / 2
            shape = (f'<path d="M{cx:.1f} {y - 6:.1f} L{cx + 6:.1f} {y:.1f} L{cx:.1f} '
                     f'{y + 6:.1f} L{cx - 6:.1f} {y:.1f} Z" fill="#1a237e"/>')
        else:
            shape = (f'<rect x="{x1:.1f}" y="{y - 5:.1f}" width="{max(x2 - x1, 3):.1f}" '
                     f'height="10" rx="4" fill="#9fa8da" stroke="#1a237e"/>')
        text = _clip(f"{event.date.display()}: {event.title}", int(axis_w / _CHAR))
        out.append(
            f'<a href="{_x(href(event))}"><title>{_x(event.date.display())} '
            f"({event.date.precision} precision): {_x(event.title)}</title>{shape}"
            f'<text x="{axis_x:.1f}" y="{label_y:.1f}" fill="#1a237e">{_x(text)}</text></a>'
        )
    out.append("</svg>")
    return "".join(out)


def _dot(text: str) -> str:
    """A DOT string that Graphviz shows as written. In a label it reads backslash escapes
    (``\\N`` is the node's name, ``\\G`` the graph's, ``\\n`` a line break) and HTML entities
    (``&lt;``, ``&#1;``); ``\\\\`` and ``&amp;`` are how a backslash and an ampersand survive
    both (measured with Graphviz 2.43 for every kind of character: tests/test_svg.py)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;") + '"'


def _label(text: str) -> str:
    """A box's or an arrow's label: the text as the page shows it, shortened if long."""
    return _dot(_clip(visible(text), GRAPH_LABEL_CHARS))


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


def relations_graph(briefing: Briefing, href: Href) -> str:
    """Actors, their relations, roles and drafting, laid out by Graphviz ``dot``."""
    edges: set[tuple[str, str, str]] = set()
    for actor in briefing.actors:
        for role in actor.roles:
            if role.of:
                edges.add((actor.id, role.of, role.title.lower()))
        for relation in actor.relations:
            edges.add((actor.id, relation.to, relation.kind))
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
        "digraph relations {",
        'graph [rankdir=LR, bgcolor="transparent", fontname="DejaVu Sans", '
        'pad="0.2", nodesep="0.25", ranksep="0.6"];',
        'node [shape=box, style="rounded,filled", fillcolor="#e8eaf6", color="#1a237e", '
        'fontname="DejaVu Sans", fontsize=10];',
        'edge [fontname="DejaVu Sans", fontsize=8, color="#555555"];',
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
            f"{_dot(sheet_id)} [label={_label(sheet.name_text)}, URL={_dot(link)}{fill}];"
        )
    for a, b, label in shown:
        lines.append(f"{_dot(a)} -> {_dot(b)} [label={_label(label)}];")
    lines.append("}")
    scope = (f"{len(involved)} actors and plans with {len(shown)} ties"
             if len(shown) == len(edges) else
             f"The {len(involved)} most connected of {len(degree)} actors and plans, with "
             f"{len(shown)} of {len(edges)} ties (each actor's page lists all of its own)")
    return _inline(_layout("\n".join(lines)), "Relationship graph",
                   f"{scope}: " + "; ".join(f"{briefing.name(a)} {k} {briefing.name(b)}"
                                           for a, b, k in shown), tooltips)


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


def _inline(svg: str, title: str, desc: str, tooltips: dict[str, str]) -> str:
    """Graphviz's document as an inline, accessible element, each link with its tooltip
    (``tooltips``: link -> the text)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"\s*\n\s*", " ", svg).strip()
    head_end = svg.index(">") + 1
    head = svg[:head_end].replace(
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
    return (f'{head}<title id="graph-t">{_x(title)}</title><desc id="graph-d">{_x(desc)}</desc>'
            f"{body}")
