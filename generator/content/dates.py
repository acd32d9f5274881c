"""Dates with the precision the source gives: ``2024``, ``2024-03``, ``2024-03-15``,
optionally ``early``/``mid``/``late`` before a year or a month (``late 2024-06``).

A date is a span (``2024-03`` covers the whole month) so that sorting and drawing keep the
precision instead of inventing a day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

QUALIFIERS = ("early", "mid", "late")
PATTERN = r"^((early|mid|late) )?[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
# Exactly PATTERN (what the JSON Schema tells editors), with names: one space, ASCII digits.
_RE = re.compile(
    r"^(?:(?P<q>early|mid|late) )?(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?)?$"
)
_MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Which part of a month (by day) or of a year (by month) each qualifier covers.
_MONTH_PARTS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
_YEAR_PARTS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}


@dataclass(frozen=True)
class PartialDate:
    """A date known to a year, a month or a day, perhaps only its early, mid or late part."""

    year: int
    month: int | None = None
    day: int | None = None
    qualifier: str | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        match = _RE.fullmatch(text)
        if not match:
            raise ValueError(
                f"must be a date like 2024, 2024-03, 2024-03-15 or late 2024-06; got '{text}'"
            )
        year = int(match["y"])
        month = int(match["m"]) if match["m"] else None
        day = int(match["d"]) if match["d"] else None
        qualifier = match["q"]
        if year == 0:  # datetime has no year 0: span() would fail on it later
            raise ValueError(f"has no year 0000; got '{text}'")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"has no month {month:02d}; got '{text}'")
        if day is not None:
            assert month is not None
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise ValueError(
                    f"has no day {day:02d} in {_MONTH_NAMES[month]} {year}; got '{text}'"
                )
            if qualifier:
                raise ValueError(
                    f"takes early, mid or late only before a year or a month; got '{text}'"
                )
        return cls(year, month, day, qualifier)

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    def span(self) -> tuple[dt.date, dt.date]:
        """First and last day this date may mean."""
        if self.month is not None and self.day is not None:
            day = dt.date(self.year, self.month, self.day)
            return day, day
        if self.month is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            first_day, last_day = 1, last
            if self.qualifier:
                first_day, last_day = _MONTH_PARTS[self.qualifier]
                last_day = min(last_day, last) if self.qualifier != "late" else last
            return dt.date(self.year, self.month, first_day), dt.date(
                self.year, self.month, last_day
            )
        first_month, last_month = 1, 12
        if self.qualifier:
            first_month, last_month = _YEAR_PARTS[self.qualifier]
        last = calendar.monthrange(self.year, last_month)[1]
        return dt.date(self.year, first_month, 1), dt.date(self.year, last_month, last)

    def sort_key(self) -> tuple[dt.date, dt.date]:
        return self.span()

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return f"{self.qualifier} {text}" if self.qualifier else text

    def display(self) -> str:
        """As a reader says it: ``15 March 2024``, ``late June 2024``, ``2024``."""
        if self.day is not None and self.month is not None:
            return f"{self.day} {_MONTH_NAMES[self.month]} {self.year}"
        text = f"{_MONTH_NAMES[self.month]} {self.year}" if self.month else str(self.year)
        return f"{self.qualifier} {text}" if self.qualifier else text

    def from_words(self) -> str:
        """Where the date begins, as a reader says it (its year apart): ``14 March``,
        ``late March``, ``September`` (of ``late 2031``)."""
        if self.month is None:
            return _MONTH_NAMES[_YEAR_PARTS[self.qualifier][0] if self.qualifier else 1]
        return self._month_words()

    def to_words(self) -> str:
        """Where the date ends, as a reader says it (its year apart): ``14 March``,
        ``late March``, ``December`` (of ``late 2031``)."""
        if self.month is None:
            return _MONTH_NAMES[_YEAR_PARTS[self.qualifier][1] if self.qualifier else 12]
        return self._month_words()

    def _month_words(self) -> str:
        assert self.month is not None
        if self.day is not None:
            return f"{self.day} {_MONTH_NAMES[self.month]}"
        month = _MONTH_NAMES[self.month]
        return f"{self.qualifier} {month}" if self.qualifier else month

    # pydantic integration: dates are strings in YAML and in JSON Schema alike.
    @classmethod
    def _validate(cls, value: Any) -> PartialDate:
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, bool) or not isinstance(value, str | int | dt.date):
            raise PydanticCustomError(
                "date", "must be a date like 2024-03-15; got {kind}", {"kind": type_name(value)}
            )
        try:
            return cls.parse(str(value))
        except ValueError as exc:
            raise PydanticCustomError("date", str(exc)) from None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # A bare year is an integer to YAML-aware editors, so the schema accepts both.
        return {
            "anyOf": [
                {"type": "string", "pattern": PATTERN},
                {"type": "integer", "minimum": 1000, "maximum": 9999},
            ],
            "examples": ["2024-03-15", "2024-03", "late 2024-06", "2024"],
        }


def between(first: PartialDate, last: PartialDate) -> str:
    """From where ``first`` begins to where ``last`` ends, in words, as vague as the dates
    are: ``late March to June 2031``, ``late December 2031 to January 2032``."""
    start, end = first.from_words(), last.to_words()
    if first.year != last.year:
        return f"{start} {first.year} to {end} {last.year}"
    if start == end:
        return f"{start} {first.year}"
    first_day, last_day = first.span()[0], last.span()[1]
    if first_day.month == last_day.month and (first.month, last.month) != (None, None):
        # Within one month, its name once: "28 to 31 March", "mid to late March".
        month = _MONTH_NAMES[first_day.month]
        if first.day is not None or last.day is not None:
            return f"{first_day.day} to {last_day.day} {month} {first.year}"
        parts = [_part_of_month(first_day.day), _part_of_month(last_day.day)]
        if parts == ["early", "late"]:
            return f"{month} {first.year}"
        shown = parts[0] if parts[0] == parts[1] else " to ".join(parts)
        return f"{shown} {month} {first.year}"
    return f"{start} to {end} {first.year}"


def _part_of_month(day: int) -> str:
    return next(q for q, (_, last) in _MONTH_PARTS.items() if day <= last)


def type_name(value: Any) -> str:
    """How an editor would name what they wrote."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"'{value}'"
    return repr(value)


def today() -> dt.date:
    """The day a build is for: SOURCE_DATE_EPOCH's (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()
