"""The order of events: vague dates placed by ``after:`` and ``before:``, listed in that order
everywhere, each one's window (the part of its span the order allows), and the orders the
checks refuse, found again after each edit as on a full check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from figurekit import FACTS, briefing_of
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content.check import ContentCheck
from generator.content.chronology import Window, chronology, links
from generator.content.dates import PartialDate, between
from generator.content.schema import Event


def event(event_id: str, date: str, **order: Any) -> dict[str, Any]:
    return {"folder": "events", "id": event_id, "date": date, **order,
            "title": event_id.replace("-", " "), "facts": FACTS}


# --- the order and the windows ----------------------------------------------------------------


def test_a_vague_event_is_listed_after_the_event_it_followed(tmp_path: Path) -> None:
    """By their dates alone "late 2031" (September to December) sorts before a meeting in late
    October; the order puts it after, and "by date" still holds for the rest."""
    briefing = briefing_of(
        tmp_path,
        event("opening-meeting", "late 2031-10"),
        event("follow-up-talks", "late 2031", after="opening-meeting"),
        event("text-handed-over", "late 2031", after=["follow-up-talks"]),
        event("unrelated-visit", "late 2031"),
        event("summer-session", "2031-07-14"),
        event("deadline", "2031-11-27"),
    )
    # Spans sort by their first day, here the first day the order allows.
    assert [e.id for e in briefing.events] == [
        "summer-session", "unrelated-visit", "opening-meeting", "follow-up-talks",
        "text-handed-over", "deadline"]
    assert briefing.window("follow-up-talks") == Window(
        dt.date(2031, 10, 21), dt.date(2031, 12, 31), after="opening-meeting")
    # Along a chain the bound comes from the event whose date sets it.
    assert briefing.window("text-handed-over") == Window(
        dt.date(2031, 10, 21), dt.date(2031, 12, 31), after="opening-meeting")
    assert briefing.window("unrelated-visit") == Window(dt.date(2031, 9, 1),
                                                        dt.date(2031, 12, 31))
    assert not briefing.window("unrelated-visit").narrowed


def test_before_narrows_the_end_and_orders_ties(tmp_path: Path) -> None:
    briefing = briefing_of(
        tmp_path,
        event("accord-signed", "mid 2031-06"),
        event("expert-talks", "2031", before=["accord-signed"]),
        event("ministers-meet", "2031", before="expert-talks"),
    )
    assert [e.id for e in briefing.events] == ["ministers-meet", "expert-talks", "accord-signed"]
    assert briefing.window("ministers-meet") == Window(
        dt.date(2031, 1, 1), dt.date(2031, 6, 20), before="accord-signed")


def test_each_actors_events_follow_the_order(tmp_path: Path) -> None:
    actor = {"folder": "actors", "id": "envoy", "name": "The envoy", "kind": "person",
             "facts": FACTS}
    briefing = briefing_of(
        tmp_path, actor,
        event("first-meeting", "late 2031-10"),
        event("second-meeting", "late 2031", after="first-meeting", participants=["envoy"]),
        event("third-meeting", "2031-10-25", participants=["envoy"]),
        event("fourth-meeting", "2031", after="first-meeting", before="third-meeting",
              participants=["envoy"]),
    )
    # The fourth lies between 21 and 25 October, the second from 21 October to December.
    assert [e.id for e in briefing.events_with("envoy")] == [
        "fourth-meeting", "second-meeting", "third-meeting"]


def test_the_order_does_not_depend_on_the_order_sheets_are_read() -> None:
    """Events with the same dates and windows are ordered by title, then id, whatever order
    they come in."""
    def made(event_id: str, date: str, after: list[str]) -> Event:
        return Event(id=event_id, date=PartialDate.parse(date), title="Talks", after=after,
                     facts=FACTS)

    events = [made("b-talks", "2031", ["a-talks"]), made("a-talks", "2031", []),
              made("d-talks", "2031", []), made("c-talks", "2031", ["d-talks"])]
    orders = {chronology({e.id: e for e in ordered}).order
              for ordered in (events, events[::-1], events[1:] + events[:1])}
    assert orders == {("a-talks", "b-talks", "d-talks", "c-talks")}


def test_one_id_may_be_written_bare(tmp_path: Path) -> None:
    briefing = briefing_of(tmp_path, event("first", "2031"), event("second", "2031",
                                                                   after="first"))
    second = briefing.get("second")
    assert isinstance(second, Event) and second.after == ["first"]


@pytest.mark.parametrize(("first", "last", "words"), [
    ("late 2031-10", "late 2031", "late October to December 2031"),
    ("late 2031-10", "2031-12-01", "late October to 1 December 2031"),
    ("2031", "mid 2031-06", "January to mid June 2031"),
    ("late 2031-12", "2032-01", "late December 2031 to January 2032"),
    ("late 2031-10", "late 2031-10", "late October 2031"),
    ("mid 2031", "early 2031-08", "May to early August 2031"),
    # Within one month, its name once.
    ("2031-10-28", "late 2031-10", "28 to 31 October 2031"),
    ("mid 2031-10", "late 2031", "mid October to December 2031"),
    ("mid 2031-10", "late 2031-10", "mid to late October 2031"),
    ("2031-10", "2031-10-20", "1 to 20 October 2031"),
    ("late 2031", "early 2031-09", "early September 2031"),
])
def test_windows_in_words_keep_the_hedge(first: str, last: str, words: str) -> None:
    assert between(PartialDate.parse(first), PartialDate.parse(last)) == words


# --- what the checks refuse, after each edit ----------------------------------------------------


def write(root: Path, sheet: dict[str, Any]) -> None:
    fields = {k: v for k, v in sheet.items() if k != "folder"}
    path = root / "content" / sheet["folder"] / f"{sheet['id']}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(fields, sort_keys=False), encoding="utf-8")


def lines(checker: ContentCheck) -> list[str]:
    return [f"{p.path}:{p.line}:{p.column}: {p.message} [{p.rule}]"
            for p in checker.run().problems if p.rule.startswith("order-")]


def test_an_edit_that_closes_a_circle_or_breaks_the_dates_is_found_and_then_cleared(
    tmp_path: Path,
) -> None:
    """The incremental check finds what a full one does as orders are added and removed."""
    write(tmp_path, {"folder": "sources", "id": "wire", "title": "A wire report",
                     "kind": "news"})
    write(tmp_path, event("first-round", "2031"))
    write(tmp_path, event("second-round", "2031", after=["first-round"]))
    write(tmp_path, event("third-round", "2031-03", after=["second-round"]))
    checker = ContentCheck(tmp_path / "content", tmp_path)
    assert lines(checker) == []
    write(tmp_path, event("first-round", "2031-05", after=["third-round"]))
    circle = [
        "content/events/first-round.yml:4:3: 'after' makes the order of events a circle: "
        "'third-round' came before this event, which came before 'second-round', which came "
        "before 'third-round'; remove the order that is wrong [order-cycle]"]
    assert lines(checker) == circle
    assert lines(ContentCheck(tmp_path / "content", tmp_path)) == circle
    write(tmp_path, event("first-round", "2031-05"))
    clash = [
        "content/events/second-round.yml:4:3: 'after' puts 'first-round' before 'third-round' "
        "by way of this event, but 'first-round' is dated 2031-05 and 'third-round' 2031-03 "
        "[order-dates]",
        "content/events/third-round.yml:4:3: 'after' puts 'first-round' before this event by "
        "way of 'second-round', but 'first-round' is dated 2031-05 and this event 2031-03 "
        "[order-dates]"]
    assert lines(checker) == clash
    assert lines(ContentCheck(tmp_path / "content", tmp_path)) == clash
    write(tmp_path, event("first-round", "2031-02"))
    assert lines(checker) == []


# --- the order for any events ------------------------------------------------------------------

DATES = ["2031", "early 2031", "late 2031", "2031-03", "late 2031-10", "2031-10-25", "2032-01"]


@st.composite
def ordered_events(draw: st.DrawFn) -> list[Event]:
    count = draw(st.integers(1, 8))
    ids = [f"event-{n}" for n in range(count)]
    return [
        Event(id=event_id, date=PartialDate.parse(draw(st.sampled_from(DATES))),
              title=draw(st.sampled_from(["Talks", "Visit"])),
              after=draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)),
              before=draw(st.lists(st.sampled_from(ids), max_size=1)), facts=FACTS)
        for event_id in ids
    ]


@settings(max_examples=100, deadline=None)
@given(events=ordered_events(), seed=st.randoms(use_true_random=False))
def test_any_orders_give_one_order_that_keeps_them(events: list[Event], seed: Any) -> None:
    """Whatever the orders: one order for any reading order; each order not in a circle kept;
    each window inside its date's span; and, with nothing refused, each window no earlier than
    those of the events before it."""
    found = chronology({e.id: e for e in events})
    shuffled = list(events)
    seed.shuffle(shuffled)
    assert chronology({e.id: e for e in shuffled}) == found
    assert sorted(found.order) == sorted(e.id for e in events)
    place = {event_id: n for n, event_id in enumerate(found.order)}
    group = {e: circle.group for circle in found.circles for e in circle.group}
    by_id = {e.id: e for e in events}
    for event_id, window in found.windows.items():
        first, last = by_id[event_id].date.span()
        assert first <= window.first and window.last <= last
    for link in links(by_id):
        if link.later in group.get(link.earlier, ()):
            continue  # left out: refused as a circle
        assert place[link.earlier] < place[link.later], (link, found.order)
        if not found.clashes:
            early, late = found.windows[link.earlier], found.windows[link.later]
            assert early.first <= late.first and early.last <= late.last
            assert early.first <= late.last


def test_a_long_chain_of_orders_is_no_trouble() -> None:
    """Thousands of events, each after the one before (no recursion, no walk along the chain
    for each): in order, each bound by the first."""
    chain = {f"step-{n:04d}": Event(id=f"step-{n:04d}", date=PartialDate.parse("2031"),
                                    title="Step", after=[f"step-{n - 1:04d}"] if n else [],
                                    facts=FACTS) for n in range(3000)}
    chain["step-0000"] = Event(id="step-0000", date=PartialDate.parse("late 2031-10"),
                               title="Step", facts=FACTS)
    found = chronology(chain)
    assert list(found.order) == sorted(chain)
    assert found.windows["step-2999"] == Window(dt.date(2031, 10, 21), dt.date(2031, 12, 31),
                                                after="step-0000")
