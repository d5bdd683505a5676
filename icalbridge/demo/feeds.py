"""Demo feeds in the style of real platforms, dated from today so the demo looks alive."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

# (UID, first night after today, check-out day after today, summary)
DemoStay = tuple[str, int, int, str]

_AIRBNB_HEADER = (
    "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN\r\nCALSCALE:GREGORIAN\r\nVERSION:2.0\r\n"
)
_AIRBNB_STAYS: Sequence[DemoStay] = (
    ("1418fb94e984-0a1b2c3d4e5f60718293a4b5c6d7e8f9@airbnb.com", 3, 7, "Reserved"),
    ("1418fb94e984-1a2b3c4d5e6f708192a3b4c5d6e7f809@airbnb.com", 12, 19, "Reserved"),
    ("7f662ec65913-2b3c4d5e6f708192a3b4c5d6e7f8091a@airbnb.com", 24, 26, "Airbnb (Not available)"),
)
_BOOKING_HEADER = (
    "VERSION:2.0\r\nPRODID:-//admin.booking.com//NONSGML v1.0//EN\r\n"
    "METHOD:PUBLISH\r\nCALSCALE:GREGORIAN\r\n"
)
_BOOKING_STAYS: Sequence[DemoStay] = (
    ("3f1c9a7e5b2d4c6e8a0b1c2d3e4f5a6b@booking.com", 8, 11, "CLOSED - Not available"),
    ("4a2d0b8f6c3e5d7f9b1c2d3e4f5a6b7c@booking.com", 30, 34, "CLOSED - Not available"),
)


def _calendar(header: str, stays: Sequence[DemoStay], today: date, stamp: str) -> bytes:
    events = "".join(
        "BEGIN:VEVENT\r\n"
        f"DTSTAMP:{stamp}\r\n"
        f"DTSTART;VALUE=DATE:{today + timedelta(days=start):%Y%m%d}\r\n"
        f"DTEND;VALUE=DATE:{today + timedelta(days=end):%Y%m%d}\r\n"
        f"SUMMARY:{summary}\r\n"
        f"UID:{uid}\r\n"
        "END:VEVENT\r\n"
        for uid, start, end, summary in stays
    )
    return f"BEGIN:VCALENDAR\r\n{header}{events}END:VCALENDAR\r\n".encode()


def airbnb_demo_feed(today: date) -> bytes:
    """Return an Airbnb-style feed: two stays and an owner block."""
    return _calendar(_AIRBNB_HEADER, _AIRBNB_STAYS, today, f"{today:%Y%m%d}T060000Z")


def booking_demo_feed(today: date) -> bytes:
    """Return a Booking.com-style feed: every night is "CLOSED - Not available"."""
    return _calendar(_BOOKING_HEADER, _BOOKING_STAYS, today, f"{today:%Y%m%d}T061500Z")


DEMO_FEEDS = {"airbnb": airbnb_demo_feed, "booking": booking_demo_feed}
