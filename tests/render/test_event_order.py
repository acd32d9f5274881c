"""What readers see of the order of events: the timeline draws a vague event only over the part
of its span the order allows and lists it in that order; the pages say the narrowed span in
words, with the events that narrow it linked; the shipped briefing places the talks and the
hand-over after the meeting they followed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from figurekit import FACTS, briefing_of
from sitekit import EPOCH_DAY, make_sample

from generator.build.workspace import prepare
from generator.content.briefing import Briefing
from generator.content.check import check
from generator.content.schema import Sheet
from generator.render import axis, fontmetrics, svg

REPO = Path(__file__).resolve().parent.parent.parent


def href(sheet: Sheet) -> str:
    return f"/{sheet.folder}/{sheet.id}/"


def bar(drawing: svg.Drawing, event_id: str) -> tuple[float, float, str]:
    """The left and right of an event's bar (or diamond) and its tooltip."""
    found = re.search(rf'<a href="/events/{event_id}/"><title>([^<]*)</title>'
                      r'<rect x="([0-9.]+)" [^>]*width="([0-9.]+)"', drawing.markup)
    assert found, event_id
    return float(found[2]), float(found[2]) + float(found[3]), found[1]


def scale_of(drawing: svg.Drawing, first: dt.date, last: dt.date) -> axis.Axis:
    """The axis the timeline drew (the picture's width less its margins of 8 either side)."""
    width = float(re.search(r'viewBox="0 0 ([0-9.]+) ', drawing.markup)[1])  # type: ignore[index]
    return axis.choose(first, last, width - 16,
                       lambda text: fontmetrics.text_width(text, svg.FONT_SIZE))


def event(event_id: str, date: str, **order: object) -> dict[str, object]:
    return {"folder": "events", "id": event_id, "date": date, "title": event_id.replace("-", " "),
            "facts": FACTS, **order}


def test_a_vague_event_is_drawn_only_where_the_order_allows(tmp_path: Path) -> None:
    """"late 2031" after a meeting in late October starts at 21 October, not in September,
    and still ends with the year; one with no order keeps its whole span."""
    briefing = briefing_of(
        tmp_path,
        event("opening-meeting", "late 2031-10"),
        event("follow-up-talks", "late 2031", after="opening-meeting"),
        event("unrelated-visit", "late 2031"),
        event("summer-session", "2031-07-14"),
    )
    drawing = svg.timeline(briefing, href)
    scale = scale_of(drawing, dt.date(2031, 7, 14), dt.date(2031, 12, 31))
    left, right, tooltip = bar(drawing, "follow-up-talks")
    assert left == pytest.approx(8 + scale.x(dt.date(2031, 10, 21)), abs=0.05)
    assert right == pytest.approx(8 + scale.x(dt.date(2032, 1, 1)), abs=0.1)
    assert tooltip == ("late 2031 (year precision; by the order of events, late October to "
                       "December 2031): follow up talks")
    whole, _, plain = bar(drawing, "unrelated-visit")
    assert whole == pytest.approx(8 + scale.x(dt.date(2031, 9, 1)), abs=0.05)
    assert plain == "late 2031 (year precision): unrelated visit"
    # The description read out in place of the picture says it too.
    desc = re.search(r"<desc[^>]*>([^<]*)</desc>", drawing.markup)
    assert desc and "; late 2031 (late October to December 2031): follow up talks" in desc[1]
    # Rows are in the order of events: the talks below the meeting they followed.
    rows = re.findall(r'<a href="/events/([a-z-]+)/">', drawing.markup)
    assert rows == ["summer-session", "unrelated-visit", "opening-meeting", "follow-up-talks"]


@pytest.fixture(scope="module")
def shipped() -> Briefing:
    return check(REPO / "content", REPO).briefing()


MEETING = "miami-drafting-meeting-2025-10"
TALKS = "umerov-witkoff-talks-miami"
HANDOVER = "plan-shared-with-kyiv"


def test_shipped_timeline_lists_and_draws_the_talks_and_hand_over_after_the_meeting(
    shipped: Briefing,
) -> None:
    order = [e.id for e in shipped.events]
    assert order.index(MEETING) < order.index(TALKS) < order.index(HANDOVER)
    drawing = svg.timeline(shipped, href)
    meeting_left, _, _ = bar(drawing, MEETING)
    for later in (TALKS, HANDOVER):
        left, _, tooltip = bar(drawing, later)
        assert left == pytest.approx(meeting_left, abs=0.05), later  # from 21 October
        assert "by the order of events, late October to December 2025" in tooltip
    rows = re.findall(r'<a href="/events/([a-z0-9-]+)/">', drawing.markup)
    assert rows == order


@pytest.fixture(scope="module")
def shipped_pages() -> dict[str, str]:
    return {p.path: p.markdown for p in prepare(REPO).pages}


def test_shipped_pages_say_the_order_in_words(shipped_pages: dict[str, str]) -> None:
    timeline = shipped_pages["events/index.md"]
    meeting = ("By the order of events: late October to December 2025, after [US officials "
               "and Kirill Dmitriev draft a peace plan in Miami]"
               "(miami-drafting-meeting-2025-10.md).")
    headings = re.findall(r"^## (.*)$", timeline, flags=re.MULTILINE)
    assert headings.index(
        "late October 2025: US officials and Kirill Dmitriev draft a peace plan in Miami"
    ) < headings.index("late 2025: Rustem Umerov discusses the plan with Steve Witkoff in "
                       "Miami") < headings.index(
        "late 2025: The 28-point plan reaches Kyiv through Turkish intermediaries")
    assert timeline.count(meeting) == 2
    talks = shipped_pages[f"events/{TALKS}.md"]
    assert meeting in talks
    assert "## Order\n\n- After [US officials and Kirill Dmitriev draft a peace plan in Miami]" \
        "(miami-drafting-meeting-2025-10.md)\n- Before [The 28-point plan reaches Kyiv through " \
        f"Turkish intermediaries]({HANDOVER}.md)\n" in talks
    overview = shipped_pages["index.md"]
    latest = overview[overview.index("## Latest events"):]
    assert ("- **late 2025** (late October to December 2025, after [US officials and Kirill "
            "Dmitriev draft a peace plan in Miami](events/miami-drafting-meeting-2025-10.md)): "
            f"[The 28-point plan reaches Kyiv through Turkish intermediaries](events/{HANDOVER}.md)"
            ) in latest
    # An actor's events, in the same order.
    witkoff = shipped_pages["actors/steve-witkoff.md"]
    assert witkoff.index(f"(../events/{MEETING}.md)") < witkoff.index(f"(../events/{TALKS}.md)")


def test_sample_pages_say_both_bounds(tmp_path: Path) -> None:
    """A vague date bounded on both sides, on the timeline page and the event's own page."""
    pages = {p.path: p.markdown for p in prepare(make_sample(tmp_path / "p"), EPOCH_DAY).pages}
    words = ("By the order of events: late October to 1 December 2025, after [Harbour talks in "
             "Porttown](harbour-talks.md), before [Deadline for the Harbour Accord]"
             "(accord-deadline.md).")
    assert words in pages["events/index.md"]
    assert f"**late 2025**\n\n{words}\n" in pages["events/draft-circulated.md"]
