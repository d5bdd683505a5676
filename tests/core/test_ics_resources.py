"""A rendered feed cut into one resource per event keeps every event exactly as served."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from icalbridge.core.ics_resources import event_resources, resource_fingerprint
from icalbridge.core.ics_write import ExportEvent, render_feed
from icalbridge.core.spans import Nights, Timed

STAMP = datetime(2000, 1, 1, tzinfo=UTC)


def lesson(n: int, summary: str = "Reserved · Salle 1") -> ExportEvent:
    start = datetime(2026, 3, 2, 9 + n % 8, tzinfo=UTC)
    return ExportEvent(
        uid=f"{n}@icalbridge",
        span=Timed(start, start.replace(hour=start.hour + 1)),
        summary=summary,
        categories=("cours",),
    )


def test_each_event_becomes_a_calendar_of_its_own_under_its_uid() -> None:
    events = [
        lesson(1),
        lesson(2),
        ExportEvent("3@icalbridge", Nights(date(2026, 3, 1), date(2026, 3, 4)), "Unavailable"),
    ]
    feed = render_feed(events, "Agenda; Salle, 1", stamp=STAMP, refresh=None)
    resources = event_resources(feed)
    assert sorted(resources) == ["1@icalbridge", "2@icalbridge", "3@icalbridge"]
    for uid, resource in resources.items():
        calendar = icalendar.Calendar.from_ical(resource)
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == uid
        assert "X-WR-CALNAME" not in calendar and "REFRESH-INTERVAL" not in calendar
        assert str(calendar["PRODID"]).startswith("-//icalbridge")


@given(st.text(min_size=1, max_size=300).filter(lambda s: s.strip()))
def test_long_and_odd_titles_come_through_unchanged(summary: str) -> None:
    feed = render_feed([lesson(1, summary)], "Agenda", stamp=STAMP)
    (resource,) = event_resources(feed).values()
    served = icalendar.Calendar.from_ical(feed).walk("VEVENT")[0]
    pushed = icalendar.Calendar.from_ical(resource).walk("VEVENT")[0]
    assert pushed.to_ical() == served.to_ical()


def test_a_fingerprint_moves_only_when_the_event_does() -> None:
    first = event_resources(render_feed([lesson(1), lesson(2)], "A", stamp=STAMP))
    again = event_resources(render_feed([lesson(2), lesson(1)], "B", stamp=STAMP))
    moved = event_resources(render_feed([lesson(1), lesson(10)], "A", stamp=STAMP))
    assert resource_fingerprint(first["1@icalbridge"]) == resource_fingerprint(
        again["1@icalbridge"]
    )
    assert resource_fingerprint(first["1@icalbridge"]) == resource_fingerprint(
        moved["1@icalbridge"]
    )
    changed = event_resources(render_feed([lesson(1, "Tentative")], "A", stamp=STAMP))
    assert resource_fingerprint(changed["1@icalbridge"]) != resource_fingerprint(
        first["1@icalbridge"]
    )
