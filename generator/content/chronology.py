"""The order of events: by their dates first, refined by what each says it came after
(``after:``) or before (``before:``).

A vague date is a span (``late 2021`` is September to December). An order narrows it: an event
after another cannot have begun before that one's first day, and one before another cannot have
ended after that one's last day. The narrowed span is the event's *window*; the timeline draws
it and the pages say it in words. Sorting by the windows, with each event after the events it
follows where windows tie, is a topological order that still reads as "by date".

The same walk finds what the checks refuse: an order that runs in a circle, and one whose
dates cannot both hold (an event said to come after one dated later). ``crossrefs`` turns
those into located problems; ``briefing`` uses the order and the windows. Both take only
valid events, so this module needs neither.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from generator.content.schema import Event

#: Where an order is written: the event whose sheet says it, the field, the index in its list.
Written = tuple[str, str, int]
#: A window's bound as it is worked out: the day, the neighbour it came from (None: the event's
#: own date), and the event whose own date it is.
_Bound = tuple[dt.date, str | None, str]


@dataclass(frozen=True)
class Link:
    """One order: ``earlier`` came before ``later``, as written in ``written``."""

    earlier: str
    later: str
    written: Written


@dataclass(frozen=True)
class Window:
    """When an event can have happened, given its date and the order: from ``first`` to
    ``last`` (inclusive). ``after`` is the event whose date sets ``first`` where the order
    moved it later, ``before`` the one whose date sets ``last`` where it moved it earlier."""

    first: dt.date
    last: dt.date
    after: str | None = None
    before: str | None = None

    @property
    def narrowed(self) -> bool:
        return self.after is not None or self.before is not None


@dataclass(frozen=True)
class Circle:
    """Orders that run in a circle: ``events`` each before the next, the last before the
    first, reported where ``written`` says; one for each event said to come before or after
    itself, and one for each group of events whose orders lead from any to any other
    (``group``: its events, whose orders with one another are all left out)."""

    events: tuple[str, ...]
    written: Written
    group: tuple[str, ...]


@dataclass(frozen=True)
class Clash:
    """An order whose dates cannot hold: through it ``earliest`` (dated later) would come
    before ``latest`` (dated earlier), by way of ``via``."""

    link: Link
    earliest: str
    latest: str
    via: tuple[str, ...]


@dataclass(frozen=True)
class Chronology:
    """Events in order, each one's window, and what is wrong with the orders."""

    order: tuple[str, ...]
    windows: Mapping[str, Window]
    circles: tuple[Circle, ...] = ()
    clashes: tuple[Clash, ...] = ()


def links(events: Mapping[str, Event]) -> list[Link]:
    """Every order between two of ``events`` (an order naming an event not among them is a
    broken reference, reported as such, and left out here)."""
    found = []
    for event_id, event in events.items():
        for index, other in enumerate(event.after):
            if other in events:
                found.append(Link(other, event_id, (event_id, "after", index)))
        for index, other in enumerate(event.before):
            if other in events:
                found.append(Link(event_id, other, (event_id, "before", index)))
    return found


def chronology(events: Mapping[str, Event]) -> Chronology:
    """The order, windows and problems of ``events`` (id -> event)."""
    all_links = links(events)
    spans = {i: event.date.span() for i, event in events.items()}
    if not all_links:  # most events: their dates alone order them
        order = sorted(events, key=lambda i: (spans[i], events[i].title, i))
        return Chronology(tuple(order), {i: Window(*spans[i]) for i in events})
    circles, cyclic = _circles(events, all_links)
    kept = [link for link in all_links if (link.earlier, link.later) not in cyclic]
    before: dict[str, list[Link]] = {i: [] for i in events}  # id -> links into it
    after: dict[str, list[Link]] = {i: [] for i in events}  # id -> links out of it
    # In id order, whatever order the sheets were read in: where two orders set a bound to
    # the same day, the first names the event that sets it.
    for link in sorted(kept, key=lambda k: (k.earlier, k.later, k.written)):
        before[link.later].append(link)
        after[link.earlier].append(link)
    # Keys of day numbers: the heap compares them thousands of times, faster than dates.
    starts = {i: span[0].toordinal() for i, span in spans.items()}
    topo = _topological(events, before, after, lambda i: (starts[i], i))
    # (day, the neighbour it came from, the event whose own date sets it): a bound is carried
    # along the order, so the event that sets it is carried with it (never looked up again
    # along a chain, which may be as long as the events are many).
    first: dict[str, _Bound] = {}
    for event_id in topo:
        bound: _Bound = (spans[event_id][0], None, event_id)
        for link in before[event_id]:
            earlier = first[link.earlier]
            if earlier[0] > bound[0]:
                bound = (earlier[0], link.earlier, earlier[2])
        first[event_id] = bound
    last: dict[str, _Bound] = {}
    for event_id in reversed(topo):
        bound = (spans[event_id][1], None, event_id)
        for link in after[event_id]:
            later = last[link.later]
            if later[0] < bound[0]:
                bound = (later[0], link.later, later[2])
        last[event_id] = bound
    windows = {
        i: Window(first[i][0], last[i][0], first[i][2] if first[i][1] else None,
                  last[i][2] if last[i][1] else None)
        for i in events
    }
    clashes = tuple(
        Clash(link, first[link.earlier][2], last[link.later][2],
              tuple(_path(first, link.earlier)[::-1][1:] + _path(last, link.later)[:-1]))
        for link in sorted(kept, key=lambda k: k.written)
        if first[link.earlier][0] > last[link.later][0]
    )
    order = _topological(
        events, before, after,
        lambda i: (first[i][0].toordinal(), last[i][0].toordinal(), events[i].title, i))
    return Chronology(tuple(order), windows, circles, clashes)


def _path(bounds: Mapping[str, _Bound], start: str) -> list[str]:
    """``start`` and the events its bound came from, one after another."""
    path = [start]
    while (came := bounds[path[-1]][1]) is not None:
        path.append(came)
    return path


def _topological(events: Mapping[str, Event], before: Mapping[str, list[Link]],
                 after: Mapping[str, list[Link]], rank: Callable[[str], Any]) -> list[str]:
    """Every event after those it follows, the smallest ``rank`` first among those free to
    go next: deterministic whatever order the files were read in."""
    waiting = {i: len(before[i]) for i in events}
    ready = [(rank(i), i) for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, event_id = heapq.heappop(ready)
        out.append(event_id)
        for link in after[event_id]:
            waiting[link.later] -= 1
            if waiting[link.later] == 0:
                heapq.heappush(ready, (rank(link.later), link.later))
    return out


def _circles(events: Mapping[str, Event], all_links: Iterable[Link]
             ) -> tuple[tuple[Circle, ...], set[tuple[str, str]]]:
    """Each circle of orders (a strongly connected group of events, or an event said to come
    after itself), and every order inside one (left out of the windows and the order)."""
    out: dict[str, list[Link]] = {i: [] for i in events}
    for link in all_links:
        out[link.earlier].append(link)
    group = _groups(sorted(events), out)
    circles, cyclic = [], set()
    members: dict[int, list[str]] = {}
    for event_id, g in group.items():
        members.setdefault(g, []).append(event_id)
    inside: dict[int, list[Link]] = {}
    for link in (link for links in out.values() for link in links):
        if group[link.earlier] == group[link.later]:
            inside.setdefault(group[link.earlier], []).append(link)
            cyclic.add((link.earlier, link.later))
    for g, found in inside.items():
        group_ids = tuple(sorted(members[g]))
        for link in found:
            if link.earlier == link.later:
                circles.append(Circle((link.earlier,), link.written, group_ids))
        others = [k for k in found if k.earlier != k.later]
        if others:  # reported at the first order of the circle, by the file that writes it
            link = min(others, key=lambda k: k.written)
            circles.append(Circle(_way_back(link, out, set(members[g])), link.written,
                                  group_ids))
    return tuple(sorted(circles, key=lambda c: c.written)), cyclic


def _way_back(link: Link, out: Mapping[str, list[Link]], members: set[str]) -> tuple[str, ...]:
    """The circle through ``link``: its earlier event, its later one, and the shortest way
    from that back to the first."""
    if link.earlier == link.later:
        return (link.earlier,)
    came: dict[str, str] = {link.later: link.later}
    queue = deque([link.later])
    while queue and link.earlier not in came:
        current = queue.popleft()
        for step in sorted(out[current], key=lambda k: k.later):
            if step.later in members and step.later not in came:
                came[step.later] = current
                queue.append(step.later)
    path = [link.earlier]
    while path[-1] != link.later:
        path.append(came[path[-1]])
    return (link.earlier, *reversed(path[1:]))


def _groups(ids: list[str], out: Mapping[str, list[Link]]) -> dict[str, int]:
    """Strongly connected groups (Tarjan's algorithm, without recursion: a long chain of
    orders must not reach Python's recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    group: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in ids:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = out[node]
            if i < len(successors):
                work.append((node, i + 1))
                nxt = successors[i].later
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group[member] = index[node]
                    if member == node:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return group
