"""The timeline's date axis: a tick step chosen for the span, and labels that never overlap.

As charting libraries do: the step is the finest of a fixed ladder (days, weeks, months,
quarters, half-years, years and their multiples) whose labels, measured in the pictures' font,
each fit between their tick and the next. The axis then runs from a tick to a tick, so every
interval is a whole day, week, month, quarter or year. Month names are written in English
whatever the machine's locale, as the pages write dates (generator/content/dates.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LAST = dt.date.max.toordinal() + 1  # the day after the last day a date can name
# Ordinal 1 (1 January of year 1) is a Monday: weeks are counted from it.
_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}


@dataclass(frozen=True)
class Step:
    """One rung of the ladder: ``count`` days, weeks, months or years."""

    unit: str
    count: int

    @property
    def days(self) -> float:
        """About how many days a step is (to skip rungs far too fine for the span)."""
        return _DAYS[self.unit] * self.count

    def floor(self, day: dt.date) -> dt.date:
        """The tick on or before ``day``."""
        if self.unit in ("day", "week"):
            length = self.count * (7 if self.unit == "week" else 1)
            ordinal = day.toordinal()
            return dt.date.fromordinal(ordinal - (ordinal - 1) % length)
        if self.unit == "month":
            months = day.year * 12 + day.month - 1
            year, month = divmod(months - months % self.count, 12)
            return dt.date(year, month + 1, 1) if year >= 1 else dt.date(1, 1, 1)
        return dt.date(max(day.year - day.year % self.count, 1), 1, 1)

    def after(self, tick: dt.date) -> int:
        """The ordinal of the tick after ``tick``, at most the day after the last date."""
        if self.unit in ("day", "week"):
            length = self.count * (7 if self.unit == "week" else 1)
            return min(tick.toordinal() + length, _LAST)
        if self.unit == "month":
            months = tick.year * 12 + tick.month - 1 + self.count
            year, month = divmod(months, 12)
        else:
            year, month = tick.year + self.count, 0
        if year > dt.MAXYEAR:
            return _LAST
        return dt.date(year, month + 1, 1).toordinal()

    def label(self, tick: dt.date, previous: dt.date | None) -> str:
        """``3 Mar``, ``Mar`` or ``2025``; the year too at the first tick and where it
        changes, so every label can be read on its own."""
        if self.unit == "year":
            return str(tick.year)
        text = MONTHS[tick.month - 1]
        if self.unit in ("day", "week"):
            text = f"{tick.day} {text}"
        if previous is None or previous.year != tick.year:
            text = f"{text} {tick.year}"
        return text

    def words(self) -> str:
        """The step as a reader says it: ``every 2 weeks``, ``every quarter``."""
        named = {("month", 3): "quarter", ("month", 6): "half-year"}
        unit = named.get((self.unit, self.count), self.unit)
        if unit != self.unit or self.count == 1:
            return f"every {unit}"
        return f"every {self.count} {self.unit}s"


LADDER = (
    Step("day", 1), Step("day", 2), Step("week", 1), Step("week", 2),
    Step("month", 1), Step("month", 2), Step("month", 3), Step("month", 6),
    *(Step("year", n) for n in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)),
)


@dataclass(frozen=True)
class Tick:
    """A tick line at ``x``; its label (empty at the axis' end) starts just after it."""

    day: int  # ordinal
    x: float
    label: str


@dataclass(frozen=True)
class Axis:
    """A date axis ``width`` wide from the ordinal ``start`` to ``end`` (exclusive)."""

    start: int
    end: int
    width: float
    step: Step
    ticks: tuple[Tick, ...]

    def x(self, day: dt.date | int) -> float:
        """Where a day begins on the axis (the day after the last begins at ``width``)."""
        ordinal = day if isinstance(day, int) else day.toordinal()
        return self.width * (ordinal - self.start) / (self.end - self.start)


#: Space before a label (after its tick) and at least between it and the next tick.
PAD, GAP = 3.0, 4.0


def choose(first: dt.date, last: dt.date, width: float,
           measure: Callable[[str], float]) -> Axis:
    """The axis of the days ``first`` to ``last`` (inclusive), ``width`` wide, with the finest
    step of the ladder whose labels, as wide as ``measure`` says, all fit."""
    days = last.toordinal() + 1 - first.toordinal()
    fallback: Axis | None = None
    for step in LADDER:
        if days / step.days * 2 * measure("0") > width:  # labels of two digits would not fit
            continue
        axis = _axis(first, last, width, step, measure)
        if all(_fits(axis, i, measure) for i in range(len(axis.ticks))):
            return axis
        fallback = axis
    # A span beyond the ladder (thousands of years in a few pixels): the coarsest rung, with
    # only the labels that fit.
    assert fallback is not None
    kept: list[Tick] = []
    for i, tick in enumerate(fallback.ticks):
        ok = _fits(fallback, i, measure) and (
            not kept or not kept[-1].label
            or kept[-1].x + PAD + measure(kept[-1].label) + GAP <= tick.x)
        kept.append(tick if ok else Tick(tick.day, tick.x, ""))
    return Axis(fallback.start, fallback.end, width, fallback.step, tuple(kept))


def _axis(first: dt.date, last: dt.date, width: float, step: Step,
          measure: Callable[[str], float]) -> Axis:
    end_day = last.toordinal() + 1
    tick = step.floor(first)
    days: list[dt.date] = []
    ordinal = tick.toordinal()
    while ordinal < end_day:
        days.append(tick)
        ordinal = step.after(tick)
        if ordinal >= _LAST:
            break
        tick = dt.date.fromordinal(ordinal)
    start, end = days[0].toordinal(), max(ordinal, end_day)
    scale = width / (end - start)
    ticks = [
        Tick(d.toordinal(), (d.toordinal() - start) * scale,
             step.label(d, days[i - 1] if i else None))
        for i, d in enumerate(days)
    ]
    ticks.append(Tick(end, width, ""))
    return Axis(start, end, width, step, tuple(ticks))


def _fits(axis: Axis, i: int, measure: Callable[[str], float]) -> bool:
    """Whether tick ``i``'s label ends before the next tick (or the axis' end)."""
    tick = axis.ticks[i]
    if not tick.label:
        return True
    limit = axis.ticks[i + 1].x - GAP if i + 1 < len(axis.ticks) else axis.width
    return tick.x + PAD + measure(tick.label) <= limit
