from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from icalbridge.core.bookings import LOCAL_ORIGIN, Booking, Kind
from icalbridge.core.exports import (
    ExportFilter,
    ExportWording,
    bookings_for_channel,
    export_events_for_channel,
    served_nights,
)
from icalbridge.core.ics_write import ExportEvent, export_uid, render_feed
from icalbridge.core.spans import Nights, Span, StayTimes, Timed, nights_of
from tests.support.icaljs import parse_many_with_icaljs

STAMP = datetime(2026, 1, 1, tzinfo=UTC)
ZONES = [UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"), ZoneInfo("Pacific/Auckland")]
CHANNELS = ["ch-a", "ch-b", "ch-c"]
STAY = StayTimes(ZoneInfo("Europe/Paris"), check_in=time(16), check_out=time(10))
GUEST_MARK = "GUEST-"

# Accents, emoji, the characters TEXT escapes, and control characters the writer must drop.
texts = st.text(
    st.characters(exclude_categories=("Cs",))
    | st.sampled_from(list(",;:\\\n\r\t\"'éèàçÉœ€🏠\x00\x1b\x7f")),
    max_size=120,
)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 1))
# Built in UTC, then shown in a zone: adding to a zoned time adds wall-clock time, which can
# land in a DST gap and end before it starts.
utc_moments = st.builds(
    lambda day, seconds: datetime.combine(day, time(0), UTC) + timedelta(seconds=seconds),
    days,
    st.integers(0, 86_399),
)
moments = st.builds(lambda m, zone: m.astimezone(zone), utc_moments, st.sampled_from(ZONES))
nights = st.builds(lambda d, n: Nights(d, d + timedelta(days=n)), days, st.integers(1, 400))
timed = st.builds(
    lambda s, n, zone: Timed(s.astimezone(zone), (s + timedelta(seconds=n)).astimezone(zone)),
    utc_moments,
    st.integers(0, 4 * 86_400),
    st.sampled_from(ZONES),
)
spans = nights | timed


def as_read(text: str) -> str:
    """Return what a reader sees of a value: line breaks made LF, control characters dropped."""
    text = re.sub("\r\n?", "\n", text)
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


@st.composite
def export_events(draw: st.DrawFn) -> list[ExportEvent]:
    ids = draw(
        st.lists(st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True), unique=True, max_size=8)
    )
    return [
        ExportEvent(
            uid=export_uid(booking_id),
            span=draw(spans),
            summary=draw(texts),
            sequence=draw(st.integers(0, 1000)),
            last_modified=draw(st.none() | moments),
            description=draw(texts),
            categories=tuple(draw(st.lists(texts, max_size=3))),
        )
        for booking_id in ids
    ]


def ends_of(span: Span) -> tuple[date | datetime, date | datetime]:
    return span.start, span.end


def icaljs_time(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


@settings(max_examples=60, deadline=None)
@given(export_events(), texts)
def test_every_feed_reads_back_in_icalendar_with_the_same_events(events, name):
    data = render_feed(events, name, stamp=STAMP)

    read = icalendar.Calendar.from_ical(data).walk("VEVENT")

    assert sorted((str(e["UID"]), e.start, e.end, str(e["SUMMARY"])) for e in read) == sorted(
        (e.uid, *ends_of(e.span), as_read(e.summary)) for e in events
    )
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # raises when a fold split a character in two


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(export_events(), texts), min_size=1, max_size=5))
def test_every_feed_reads_back_in_icaljs_with_the_same_events(feeds):
    rendered = [render_feed(events, name, stamp=STAMP) for events, name in feeds]

    results = parse_many_with_icaljs(rendered)

    for (events, _name), read in zip(feeds, results, strict=True):
        assert sorted(
            (r["uid"], r["start"], r["end"], r["isDate"], r["summary"]) for r in read
        ) == (
            sorted(
                (
                    e.uid,
                    icaljs_time(e.span.start),
                    icaljs_time(e.span.end),
                    isinstance(e.span, Nights),
                    as_read(e.summary),
                )
                for e in events
            )
        )


@st.composite
def unit_bookings(draw: st.DrawFn) -> list[Booking]:
    count = draw(st.integers(0, 12))
    channel_sets = st.frozensets(st.sampled_from(CHANNELS))
    return [
        Booking(
            id=f"b{i}",
            span=draw(spans),
            kind=draw(st.sampled_from(Kind)),
            origin=draw(st.sampled_from([LOCAL_ORIGIN, *CHANNELS])),
            category=draw(st.sampled_from(["", "cours", "répétition"])),
            summary=GUEST_MARK + draw(st.text(max_size=20)),
            scope=draw(st.none() | channel_sets),
            is_echo=draw(st.booleans()),
            is_horizon=draw(st.booleans()),
            sequence=draw(st.integers(0, 5)),
        )
        for i in range(count)
    ]


filters = st.builds(
    ExportFilter,
    kinds=st.none() | st.frozensets(st.sampled_from(Kind)),
    categories=st.none() | st.frozensets(st.sampled_from(["", "cours", "répétition", "x"])),
)


def is_exportable(booking: Booking, channel: str, flt: ExportFilter) -> bool:
    return (
        booking.origin != channel
        and (booking.scope is None or channel in booking.scope)
        and (flt.kinds is None or booking.kind in flt.kinds)
        and (flt.categories is None or booking.category in flt.categories)
        and not booking.is_echo
        and not booking.is_horizon
    )


@settings(max_examples=150, deadline=None)
@given(unit_bookings(), st.sampled_from(CHANNELS), filters)
def test_an_export_holds_exactly_the_bookings_rule_2_allows(bookings, channel, flt):
    exported = bookings_for_channel(bookings, channel, flt)

    assert exported == [b for b in bookings if is_exportable(b, channel, flt)]
    assert all(b.origin != channel for b in exported)
    assert not any(b.is_echo or b.is_horizon for b in exported)


@settings(max_examples=100, deadline=None)
@given(unit_bookings(), filters)
def test_a_booking_from_one_channel_reaches_every_other_channel_in_scope(bookings, flt):
    for booking in bookings:
        carried_by = {c for c in CHANNELS if booking in bookings_for_channel(bookings, c, flt)}
        if booking.origin in CHANNELS:
            assert booking.origin not in carried_by
        if is_exportable(booking, "nowhere", flt):
            in_scope = set(CHANNELS) if booking.scope is None else set(booking.scope)
            assert carried_by == in_scope - {booking.origin}


@settings(max_examples=100, deadline=None)
@given(unit_bookings(), st.sampled_from(CHANNELS), filters, st.booleans())
def test_export_events_are_private_unique_and_cover_every_occupied_night(
    bookings, channel, flt, rental
):
    wording = ExportWording()
    events = export_events_for_channel(bookings, channel, flt, wording, rental=rental, stay=STAY)
    selected = {export_uid(b.id): b for b in bookings_for_channel(bookings, channel, flt)}

    uids = [e.uid for e in events]
    assert len(uids) == len(set(uids)) and set(uids) <= set(selected)
    assert all(e.description == "" for e in events)
    assert {e.summary for e in events} <= {wording.reserved, wording.tentative, wording.unavailable}
    assert GUEST_MARK.encode() not in render_feed(events, "Unit", stamp=STAMP)
    for uid, booking in selected.items():
        occupied = nights_of(booking.span, STAY)
        event = next((e for e in events if e.uid == uid), None)
        if not rental:
            assert event is not None and event.span == booking.span
        elif occupied is None:
            assert event is None
        else:
            assert event is not None and event.span == occupied
    if rental:
        covered = {n for run in served_nights(events) for n in run.each_night()}
        for event in events:
            assert set(event.span.each_night()) <= covered
