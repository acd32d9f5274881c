"""Partial dates: parsed strictly, shown as readers say them, sorted by the span they cover."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pydantic import BaseModel, ValidationError

from generator.content.dates import PATTERN, PartialDate

D = dt.date


def parse(text: str) -> PartialDate:
    return PartialDate.parse(text)


@pytest.mark.parametrize(
    ("text", "parts", "precision"),
    [
        ("2025", (2025, None, None, None), "year"),
        ("2025-11", (2025, 11, None, None), "month"),
        ("2025-11-27", (2025, 11, 27, None), "day"),
        ("late 2025-10", (2025, 10, None, "late"), "month"),
        ("early 2025", (2025, None, None, "early"), "year"),
        ("mid 2024-02", (2024, 2, None, "mid"), "month"),
        ("2024-02-29", (2024, 2, 29, None), "day"),
    ],
)
def test_parse_and_round_trip(text: str, parts: tuple[object, ...], precision: str) -> None:
    date = parse(text)
    assert (date.year, date.month, date.day, date.qualifier) == parts
    assert date.precision == precision
    assert str(date) == text
    assert re.match(PATTERN, text), "the JSON Schema pattern accepts what the parser accepts"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-13", "has no month 13; got '2025-13'"),
        ("2025-00", "has no month 00; got '2025-00'"),
        ("2025-02-30", "has no day 30 in February 2025; got '2025-02-30'"),
        ("2025-02-29", "has no day 29 in February 2025; got '2025-02-29'"),
        ("2025-04-31", "has no day 31 in April 2025; got '2025-04-31'"),
        ("2025-11-00", "has no day 00 in November 2025; got '2025-11-00'"),
        (
            "late 2025-10-28",
            "takes early, mid or late only before a year or a month; got 'late 2025-10-28'",
        ),
    ],
)
def test_impossible_dates_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse(text)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    "text",
    [
        "October 2025",
        "25-10-27",
        "2025-1",
        "2025-11-7",
        "2025/11/27",
        "27.11.2025",
        "Late 2025-10",
        "soon 2025",
        "late",
        "",
        "2025-11-27T10:00",
        "late  2025-10",  # two spaces: the JSON Schema pattern would refuse it
        " 2025",
        "\u0662\u0660\u0662\u0665",  # Arabic-Indic digits: \d would match them
        "0000",
        "2025\n",  # a block scalar keeps its newline
    ],
)
def test_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse(text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2025", "2025"),
        ("2025-11", "November 2025"),
        ("2025-11-27", "27 November 2025"),
        ("2025-01-05", "5 January 2025"),
        ("late 2025-10", "late October 2025"),
        ("early 2025", "early 2025"),
        ("mid 2025-06", "mid June 2025"),
    ],
)
def test_display(text: str, shown: str) -> None:
    assert parse(text).display() == shown


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2025", D(2025, 1, 1), D(2025, 12, 31)),
        ("early 2025", D(2025, 1, 1), D(2025, 4, 30)),
        ("mid 2025", D(2025, 5, 1), D(2025, 8, 31)),
        ("late 2025", D(2025, 9, 1), D(2025, 12, 31)),
        ("2025-02", D(2025, 2, 1), D(2025, 2, 28)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("early 2025-10", D(2025, 10, 1), D(2025, 10, 10)),
        ("mid 2025-10", D(2025, 10, 11), D(2025, 10, 20)),
        ("late 2025-10", D(2025, 10, 21), D(2025, 10, 31)),
        ("late 2025-02", D(2025, 2, 21), D(2025, 2, 28)),
        ("late 2024-02", D(2024, 2, 21), D(2024, 2, 29)),
        ("2025-11-27", D(2025, 11, 27), D(2025, 11, 27)),
    ],
)
def test_span(text: str, first: dt.date, last: dt.date) -> None:
    assert parse(text).span() == (first, last)


def ordered(*texts: str) -> list[str]:
    return [str(d) for d in sorted((parse(t) for t in texts), key=PartialDate.sort_key)]


def test_sort_by_span_start_then_end() -> None:
    # 'late October' starts on the 21st, so it comes after the 5th and before the 25th.
    assert ordered("2025-10-25", "late 2025-10", "2025-10-05") == [
        "2025-10-05",
        "late 2025-10",
        "2025-10-25",
    ]
    # A month starts with its first day but ends later: the 1st (shorter) comes first, then
    # the month, then every later day of it.
    assert ordered("2025-10-02", "2025-10", "2025-10-01") == ["2025-10-01", "2025-10", "2025-10-02"]
    # Likewise a year sorts after its January and before its February.
    assert ordered("2025-02", "2025", "2025-01") == ["2025-01", "2025", "2025-02"]
    # Parts of a month sort in order, and the whole month before its mid and late parts.
    assert ordered("late 2025-10", "mid 2025-10", "2025-10", "early 2025-10") == [
        "early 2025-10",
        "2025-10",
        "mid 2025-10",
        "late 2025-10",
    ]
    assert ordered("2026", "late 2025", "2025-12-31") == ["late 2025", "2025-12-31", "2026"]


def test_dates_are_values() -> None:
    assert parse("2025-11") == PartialDate(2025, 11)
    assert len({parse("late 2025-10"), parse("late 2025-10")}) == 1


class Holder(BaseModel):
    when: PartialDate


@pytest.mark.parametrize(
    ("given", "expected"),
    [("2025-11-27", "2025-11-27"), (2025, "2025"), (dt.date(2025, 11, 27), "2025-11-27")],
)
def test_pydantic_accepts_text_year_and_date(given: object, expected: str) -> None:
    holder = Holder.model_validate({"when": given})
    assert str(holder.when) == expected
    assert holder.model_dump(mode="json") == {"when": expected}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("2025-02-30", "has no day 30 in February 2025; got '2025-02-30'"),
        (["2025"], "must be a date like 2024-03-15; got a list"),
        (None, "must be a date like 2024-03-15; got nothing"),
        (True, "must be a date like 2024-03-15; got True"),
        ("{got}", "must be a date like 2024, 2024-03, 2024-03-15 or late 2024-06; got '{got}'"),
    ],
)
def test_pydantic_errors_are_dates_errors(given: object, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Holder.model_validate({"when": given})
    (error,) = excinfo.value.errors()
    assert (error["type"], error["msg"]) == ("date", message)


def test_json_schema_accepts_text_and_a_bare_year() -> None:
    schema = Holder.model_json_schema()["properties"]["when"]
    assert {"type": "string", "pattern": PATTERN} in schema["anyOf"]
    assert any(option.get("type") == "integer" for option in schema["anyOf"])
