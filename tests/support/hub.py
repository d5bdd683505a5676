"""Build organizations, units, channels and platform-style feeds for tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.feeds import serving
from icalbridge.feeds.fetch_records import fetch_recorder
from icalbridge.hub.models import Booking, Channel, PublishedFeed, Unit
from icalbridge.organizations.owners import new_user_with_organization
from icalbridge.sync.exporter import refresh_unit_feeds


@dataclass(frozen=True)
class Stay:
    uid: str
    start: date
    end: date
    summary: str = "Reserved"


def days_from_today(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def airbnb_feed(stays: Sequence[Stay], stamp: str = "20261121T060000Z") -> bytes:
    """Return a feed in Airbnb's current style (CRLF, PRODID first, no VTIMEZONE)."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN",
        "CALSCALE:GREGORIAN",
        "VERSION:2.0",
    ]
    for stay in stays:
        lines += [
            "BEGIN:VEVENT",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{stay.start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{stay.end:%Y%m%d}",
            f"SUMMARY:{stay.summary}",
            f"UID:{stay.uid}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def booking_com_feed(stays: Sequence[Stay]) -> bytes:
    """Return a feed in Booking.com's style: every night "CLOSED - Not available"."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//admin.booking.com\\\\\\, b.v.//NONSGML v1.0//EN",
        "METHOD:PUBLISH",
    ]
    for stay in stays:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{stay.uid}",
            "DTSTAMP:20261121T061500Z",
            f"DTSTART;VALUE=DATE:{stay.start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{stay.end:%Y%m%d}",
            "SUMMARY:CLOSED - Not available",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def abritel_feed(stays: Sequence[Stay]) -> bytes:
    """Return a feed in Abritel's style: its own and foreign closures read "Indisponible"."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//HomeAway.com, Inc.//EN"]
    for stay in stays:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{stay.uid}",
            "DTSTAMP:20261121T060000Z",
            f"DTSTART;VALUE=DATE:{stay.start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{stay.end:%Y%m%d}",
            "SUMMARY:Indisponible",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def export_of(channel: Channel, user_agent: str = "icalbridge-test") -> str:
    """Fetch a channel's export feed as its platform would, and return the text.

    Each call is a fetch of its own, as if minutes apart (the hub records one a minute).
    """
    serving._recorded.clear()
    feed = PublishedFeed.objects.get(channel=channel)
    response = Client().get(f"/ical/{feed.token}.ics", HTTP_USER_AGENT=user_agent)
    fetch_recorder.flush()  # the fetch is recorded, as the hub's writer does within a second
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content.decode()


def new_unit(name: str = "Gîte des Tilleuls", email: str = "host@example.test") -> Unit:
    _, organization = new_user_with_organization(email, "a-long-password-1", "Host")
    return Unit.objects.create(organization=organization, name=name)


def new_channel(
    unit: Unit, name: str, platform: str, *, url: str = "", direction: str = "both"
) -> Channel:
    channel = Channel.objects.create(
        unit=unit,
        name=name,
        platform=platform,
        direction=direction,
        import_url=url,
        next_poll_at=timezone.now() if url else None,
    )
    refresh_unit_feeds(unit)
    return channel


def new_export_with_a_stay() -> Channel:
    """A Booking.com export channel of a new unit that has one stay, 4 to 8 days ahead."""
    unit = new_unit()
    channel = new_channel(unit, "Booking.com", "booking", direction="export")
    create_local_booking(
        unit, span=Nights(days_from_today(4), days_from_today(8)), kind=Kind.RESERVED
    )
    return channel


def active_bookings(channel: Channel | None = None, unit: Unit | None = None) -> list[Booking]:
    query = Booking.objects.filter(cancelled_at__isnull=True)
    if channel is not None:
        query = query.filter(origin=channel)
    if unit is not None:
        query = query.filter(unit=unit)
    return list(query.order_by("start_date", "start_at", "id"))
