"""Our exports as libical (GNOME, Evolution), ical.js (Thunderbird) and icalendar read them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from icalbridge.core.exports import AGENDA_REFRESH
from icalbridge.core.ics_write import ExportEvent, render_feed
from icalbridge.core.spans import Nights, Timed
from tests.support.icaljs import calendar_properties_with_icaljs, parse_with_icaljs
from tests.support.libical import read_with_libical

STAMP = datetime(2000, 1, 1, tzinfo=UTC)
EVENTS = [
    ExportEvent(
        uid="b-1@icalbridge",
        span=Nights(date(2027, 5, 2), date(2027, 5, 5)),
        summary="Reserved",
        sequence=2,
        last_modified=datetime(2027, 3, 30, 12, 0, 5, tzinfo=UTC),
    ),
    ExportEvent(
        uid="b-2@icalbridge",
        span=Timed(datetime(2027, 5, 3, 12, tzinfo=UTC), datetime(2027, 5, 3, 14, tzinfo=UTC)),
        summary="Cours; salle A, niveau 2",
        status="TENTATIVE",
        categories=("cours",),
    ),
]
NAMES = ["Gîte des Tilleuls · Airbnb", "Salle A, B; étage 2", "Dupont \\ Martin", "Deux\nlignes"]


def shown(name: str) -> str:
    return name.replace("\n", " ")


def test_libical_reads_every_event_and_flags_nothing() -> None:
    read = read_with_libical(render_feed(EVENTS, "Gîte", stamp=STAMP))
    assert read["errors"] == 0, read["checked"]
    assert [(e["uid"], e["summary"], e["start"], e["end"]) for e in read["events"]] == [
        ("b-1@icalbridge", "Reserved", "20270502", "20270505"),
        ("b-2@icalbridge", "Cours; salle A, niveau 2", "20270503T120000Z", "20270503T140000Z"),
    ]


@pytest.mark.parametrize("name", NAMES)
def test_a_calendar_name_reads_as_written_in_icalendar_and_icaljs(name: str) -> None:
    data = render_feed(EVENTS, name, stamp=STAMP)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == shown(name)
    assert str(calendar["NAME"]) == shown(name)
    read = calendar_properties_with_icaljs(data)
    assert (read["x-wr-calname"], read["name"]) == (shown(name), shown(name))


@pytest.mark.parametrize("name", NAMES[:2])
def test_a_calendar_name_with_commas_and_semicolons_reads_as_written_in_libical(name: str) -> None:
    read = read_with_libical(render_feed(EVENTS, name, stamp=STAMP))
    assert read["calendar"]["X-WR-CALNAME"] == [name]
    assert read["errors"] == 0


def test_an_agenda_feed_asks_to_be_fetched_again_every_hour() -> None:
    data = render_feed(EVENTS, "Planning", stamp=STAMP, refresh=AGENDA_REFRESH)
    assert timedelta(hours=1) == AGENDA_REFRESH
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n" in data
    assert icalendar.Calendar.from_ical(data)["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    read = calendar_properties_with_icaljs(data)
    assert (read["refresh-interval"], read["x-published-ttl"]) == ("PT1H", "PT1H")
    assert read_with_libical(data)["errors"] == 0
    assert [e["uid"] for e in parse_with_icaljs(data)] == ["b-1@icalbridge", "b-2@icalbridge"]


def test_a_rental_feed_says_nothing_of_refreshing_nor_of_an_itip_method() -> None:
    data = render_feed(EVENTS, "Gîte", stamp=STAMP)
    assert b"REFRESH-INTERVAL" not in data and b"X-PUBLISHED-TTL" not in data
    assert b"METHOD" not in data
