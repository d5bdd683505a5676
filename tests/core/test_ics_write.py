from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from icalbridge.core.ics_write import ExportEvent, export_uid, render_feed
from icalbridge.core.spans import Nights, Timed
from tests.support.icaljs import parse_with_icaljs

PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2026, 4, 1, 8, 30, tzinfo=UTC)


def unfolded_lines(data: bytes) -> list[str]:
    return data.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")[:-1]


def test_small_feed_is_written_byte_for_byte():
    events = [
        ExportEvent(
            uid="b-2@icalbridge",
            span=Timed(
                datetime(2026, 5, 3, 14, tzinfo=PARIS), datetime(2026, 5, 3, 16, tzinfo=PARIS)
            ),
            summary="Cours; salle A, niveau 2",
            status="TENTATIVE",
            categories=("cours", "danse"),
        ),
        ExportEvent(
            uid="b-1@icalbridge",
            span=Nights(date(2026, 5, 2), date(2026, 5, 5)),
            summary="Reserved",
            sequence=3,
            last_modified=datetime(2026, 3, 30, 12, 0, 5, tzinfo=UTC),
        ),
    ]

    data = render_feed(events, "Gîte des Tilleuls", stamp=STAMP)

    assert data == (
        b"BEGIN:VCALENDAR\r\n"
        b"VERSION:2.0\r\n"
        b"PRODID:-//icalbridge//icalbridge//EN\r\n"
        b"CALSCALE:GREGORIAN\r\n"
        b"NAME:G\xc3\xaete des Tilleuls\r\n"
        b"X-WR-CALNAME:G\xc3\xaete des Tilleuls\r\n"
        b"BEGIN:VEVENT\r\n"
        b"UID:b-1@icalbridge\r\n"
        b"DTSTAMP:20260330T120005Z\r\n"
        b"DTSTART;VALUE=DATE:20260502\r\n"
        b"DTEND;VALUE=DATE:20260505\r\n"
        b"SUMMARY:Reserved\r\n"
        b"SEQUENCE:3\r\n"
        b"LAST-MODIFIED:20260330T120005Z\r\n"
        b"TRANSP:OPAQUE\r\n"
        b"END:VEVENT\r\n"
        b"BEGIN:VEVENT\r\n"
        b"UID:b-2@icalbridge\r\n"
        b"DTSTAMP:20260401T083000Z\r\n"
        b"DTSTART:20260503T120000Z\r\n"
        b"DTEND:20260503T140000Z\r\n"
        b"SUMMARY:Cours\\; salle A\\, niveau 2\r\n"
        b"SEQUENCE:0\r\n"
        b"STATUS:TENTATIVE\r\n"
        b"CATEGORIES:cours,danse\r\n"
        b"TRANSP:OPAQUE\r\n"
        b"END:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )


def test_empty_feed_is_still_a_valid_calendar():
    data = render_feed([], "Empty", stamp=STAMP)

    calendar = icalendar.Calendar.from_ical(data)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Empty"
    assert parse_with_icaljs(data) == []


def test_long_accented_lines_are_folded_at_75_octets_without_splitting_a_character():
    summary = "Séjour très réservé à l'été, chambre « Hêtre » — ça déborde " * 4
    events = [ExportEvent("long@icalbridge", Nights(date(2026, 7, 1), date(2026, 7, 8)), summary)]

    data = render_feed(events, "Chambres d'hôtes à Étretat " * 5, stamp=STAMP)

    physical = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) == 75
    for line in physical:
        line.decode("utf-8")  # raises on a multi-byte character cut in two
    assert f"SUMMARY:{summary.replace(',', chr(92) + ',')}" in unfolded_lines(data)
    assert str(icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["SUMMARY"]) == summary


def test_four_byte_characters_are_never_split_across_a_fold():
    summary = "🏠" * 60
    data = render_feed(
        [ExportEvent("emoji@icalbridge", Nights(date(2026, 1, 1), date(2026, 1, 2)), summary)],
        "x",
        stamp=STAMP,
    )

    physical = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    assert [line.decode("utf-8") for line in physical]
    assert parse_with_icaljs(data)[0]["summary"] == summary


@pytest.mark.parametrize(
    "text",
    [
        "back\\slash; semi, comma",
        "two\nlines and\r\nwindows and\rold mac",
        "tab\tkept",
        "trailing backslash \\",
        "\\n is not a newline",
    ],
)
def test_text_values_survive_escaping(text):
    data = render_feed(
        [
            ExportEvent(
                "e@icalbridge",
                Nights(date(2026, 1, 1), date(2026, 1, 2)),
                text,
                description=text,
                categories=(text,),
            )
        ],
        text,
        stamp=STAMP,
    )

    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    # icalendar and ical.js show NAME and X-WR-CALNAME as written: they carry the name as it is.
    assert f"X-WR-CALNAME:{expected.replace(chr(10), ' ')}" in unfolded_lines(data)
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == expected
    assert str(event["DESCRIPTION"]) == expected
    assert [str(c) for c in event.categories] == [expected]
    assert parse_with_icaljs(data)[0]["summary"] == expected


def test_control_characters_pasted_into_a_name_are_dropped():
    data = render_feed(
        [
            ExportEvent(
                "c@icalbridge", Nights(date(2026, 1, 1), date(2026, 1, 2)), "A\x00B\x1bC\x7f"
            )
        ],
        "x",
        stamp=STAMP,
    )

    assert "SUMMARY:ABC" in unfolded_lines(data)


def test_input_order_does_not_change_the_bytes():
    start = date(2026, 6, 1)
    events = [
        ExportEvent(f"b{i}@icalbridge", Nights(start + timedelta(i % 7), start + timedelta(9)), "R")
        for i in range(30)
    ] + [
        ExportEvent(
            f"t{i}@icalbridge",
            Timed(datetime(2026, 6, 3, i, tzinfo=UTC), datetime(2026, 6, 3, 23, tzinfo=UTC)),
            "T",
        )
        for i in range(10)
    ]
    expected = render_feed(events, "Unit", stamp=STAMP)

    for seed in range(5):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        assert render_feed(shuffled, "Unit", stamp=STAMP) == expected


def test_events_are_ordered_by_start_then_uid():
    events = [
        ExportEvent("b@icalbridge", Nights(date(2026, 6, 2), date(2026, 6, 3)), "R"),
        ExportEvent("a@icalbridge", Nights(date(2026, 6, 2), date(2026, 6, 4)), "R"),
        ExportEvent(
            "c@icalbridge",
            Timed(datetime(2026, 6, 1, 9, tzinfo=UTC), datetime(2026, 6, 1, 10, tzinfo=UTC)),
            "T",
        ),
    ]

    lines = unfolded_lines(render_feed(events, "x", stamp=STAMP))

    assert [line for line in lines if line.startswith("UID:")] == [
        "UID:c@icalbridge",
        "UID:a@icalbridge",
        "UID:b@icalbridge",
    ]


def test_all_day_stays_are_dates_with_the_checkout_day_as_exclusive_end():
    nights = Nights(date(2026, 12, 30), date(2027, 1, 2))
    data = render_feed([ExportEvent("n@icalbridge", nights, "Reserved")], "x", stamp=STAMP)

    lines = unfolded_lines(data)
    assert "DTSTART;VALUE=DATE:20261230" in lines
    assert "DTEND;VALUE=DATE:20270102" in lines
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert (event.start, event.end) == (nights.start, nights.end)
    read = parse_with_icaljs(data)[0]
    assert (read["start"], read["end"], read["isDate"]) == ("2026-12-30", "2027-01-02", True)


def test_timed_bookings_are_written_in_utc_whatever_their_zone():
    summer = Timed(
        datetime(2026, 7, 14, 9, 30, tzinfo=PARIS), datetime(2026, 7, 14, 11, tzinfo=PARIS)
    )
    winter = Timed(
        datetime(2026, 1, 14, 9, 30, tzinfo=PARIS), datetime(2026, 1, 14, 11, tzinfo=PARIS)
    )
    data = render_feed(
        [ExportEvent("s@icalbridge", summer, "S"), ExportEvent("w@icalbridge", winter, "W")],
        "x",
        stamp=STAMP,
    )

    lines = unfolded_lines(data)
    assert "DTSTART:20260714T073000Z" in lines
    assert "DTSTART:20260114T083000Z" in lines
    read = {e["uid"]: e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    assert (read["s@icalbridge"].start, read["s@icalbridge"].end) == (summer.start, summer.end)
    assert (read["w@icalbridge"].start, read["w@icalbridge"].end) == (winter.start, winter.end)
    by_uid = {e["uid"]: e for e in parse_with_icaljs(data)}
    assert by_uid["s@icalbridge"]["start"] == "2026-07-14T07:30:00Z"
    assert by_uid["w@icalbridge"]["end"] == "2026-01-14T10:00:00Z"


def test_a_timed_instant_has_no_end_and_reads_as_an_instant():
    at = datetime(2026, 3, 1, 10, tzinfo=UTC)
    data = render_feed([ExportEvent("i@icalbridge", Timed(at, at), "Visit")], "x", stamp=STAMP)

    assert not any(line.startswith("DTEND") for line in unfolded_lines(data))
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert (event.start, event.end) == (at, at)
    assert parse_with_icaljs(data)[0]["end"] == "2026-03-01T10:00:00Z"


def test_dtstamp_is_the_last_change_so_bytes_do_not_move_with_the_clock():
    event = ExportEvent(
        "m@icalbridge",
        Nights(date(2026, 1, 1), date(2026, 1, 2)),
        "R",
        last_modified=datetime(2025, 12, 1, 10, tzinfo=PARIS),
    )

    first = render_feed([event], "x", stamp=STAMP)
    later = render_feed([event], "x", stamp=STAMP + timedelta(days=3))

    assert first == later
    assert "DTSTAMP:20251201T090000Z" in unfolded_lines(first)
    assert "LAST-MODIFIED:20251201T090000Z" in unfolded_lines(first)


def test_naive_times_and_unknown_statuses_are_refused():
    nights = Nights(date(2026, 1, 1), date(2026, 1, 2))
    with pytest.raises(ValueError, match="aware"):
        render_feed([], "x", stamp=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="STATUS"):
        render_feed([ExportEvent("s@icalbridge", nights, "R", status="BUSY")], "x", stamp=STAMP)
    with pytest.raises(ValueError, match="SEQUENCE"):
        render_feed([ExportEvent("s@icalbridge", nights, "R", sequence=-1)], "x", stamp=STAMP)


def test_export_uid_belongs_to_the_hub_and_depends_only_on_the_booking():
    assert export_uid("8f14e45f") == "8f14e45f@icalbridge"
    assert export_uid("8f14e45f") == export_uid("8f14e45f")
    assert export_uid("42", domain="gites.example.org") == "42@gites.example.org"
    with pytest.raises(ValueError):
        export_uid("")
    with pytest.raises(ValueError):
        export_uid("a\nb")
