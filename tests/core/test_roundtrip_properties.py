from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from icalbridge.core.bookings import Booking, Kind
from icalbridge.core.exports import ExportFilter, ExportWording, export_events_for_channel
from icalbridge.core.feed import FeedEvent
from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.ics_write import ExportEvent, render_feed
from icalbridge.core.spans import Nights, StayTimes, Timed

TODAY = date(2026, 4, 1)
STAMP = datetime(2026, 4, 1, 6, tzinfo=UTC)
STAY = StayTimes(ZoneInfo("Europe/Paris"), check_in=time(16), check_out=time(10))
ZONES = [UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")]

# Inside the reader's window (a year back, three years ahead), where it keeps spans as they are.
days = st.dates(min_value=TODAY - timedelta(days=300), max_value=TODAY + timedelta(days=700))
nights = st.builds(lambda d, n: Nights(d, d + timedelta(days=n)), days, st.integers(1, 60))
timed = st.builds(
    lambda d, s, n, zone: Timed(
        (datetime.combine(d, time(0), UTC) + timedelta(seconds=s)).astimezone(zone),
        (datetime.combine(d, time(0), UTC) + timedelta(seconds=s + n)).astimezone(zone),
    ),
    days,
    st.integers(0, 86_399),
    st.integers(0, 4 * 86_400),
    st.sampled_from(ZONES),
)


@st.composite
def unit_bookings(draw: st.DrawFn) -> list[Booking]:
    count = draw(st.integers(0, 10))
    return [
        Booking(
            id=f"booking-{i}",
            span=draw(nights | timed),
            kind=draw(st.sampled_from(Kind)),
            summary=draw(st.text(max_size=30)),
            sequence=draw(st.integers(0, 9)),
        )
        for i in range(count)
    ]


def read_back(
    bookings: list[Booking], *, rental: bool
) -> tuple[list[ExportEvent], dict[str, FeedEvent]]:
    events = export_events_for_channel(
        bookings, "ch-other", ExportFilter(), ExportWording(), rental=rental, stay=STAY
    )
    feed = read_feed(render_feed(events, "Gîte", stamp=STAMP), ReadOptions(today=TODAY))
    assert feed.problems == ()
    assert feed.can_be_applied
    return events, {e.uid: e for e in feed.events}


@settings(max_examples=60, deadline=None)
@given(unit_bookings())
def test_an_agenda_feed_reads_back_with_the_same_spans_and_kinds(bookings):
    events, read = read_back(bookings, rental=False)

    assert set(read) == {e.uid for e in events}
    for booking in bookings:
        back = read[f"{booking.id}@icalbridge"]
        assert (back.span, back.kind) == (booking.span, booking.kind)


@settings(max_examples=60, deadline=None)
@given(unit_bookings())
def test_a_rental_feed_reads_back_as_all_day_nights_that_block_as_much(bookings):
    events, read = read_back(bookings, rental=True)

    assert set(read) == {e.uid for e in events}
    for event in events:
        back = read[event.uid]
        assert back.span == event.span
        assert isinstance(back.span, Nights)
    for booking in bookings:
        back = read.get(f"{booking.id}@icalbridge")
        if back is None:
            continue
        # Rental feeds carry no STATUS:TENTATIVE (a platform could treat it as free), so a
        # reader that does not know our words takes a tentative stay for a reservation:
        # the nights stay blocked either way.
        expected = (
            {Kind.RESERVED, Kind.TENTATIVE} if booking.kind is Kind.TENTATIVE else {booking.kind}
        )
        assert back.kind in expected
