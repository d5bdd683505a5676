"""Demo feeds in the style of real platforms, dated from today so the demo looks alive."""

from __future__ import annotations

from datetime import date, timedelta


def _event(uid: str, start: date, end: date, summary: str, stamp: str) -> str:
    return (
        "BEGIN:VEVENT\r\n"
        f"DTSTAMP:{stamp}\r\n"
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}\r\n"
        f"DTEND;VALUE=DATE:{end:%Y%m%d}\r\n"
        f"SUMMARY:{summary}\r\n"
        f"UID:{uid}\r\n"
        "END:VEVENT\r\n"
    )


def airbnb_demo_feed(today: date) -> bytes:
    """Return an Airbnb-style feed: two stays and an owner block."""
    stamp = f"{today:%Y%m%d}T060000Z"
    body = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN\r\n"
        "CALSCALE:GREGORIAN\r\nVERSION:2.0\r\n"
        + _event(
            "1418fb94e984-0a1b2c3d4e5f60718293a4b5c6d7e8f9@airbnb.com",
            today + timedelta(days=3),
            today + timedelta(days=7),
            "Reserved",
            stamp,
        )
        + _event(
            "1418fb94e984-1a2b3c4d5e6f708192a3b4c5d6e7f809@airbnb.com",
            today + timedelta(days=12),
            today + timedelta(days=19),
            "Reserved",
            stamp,
        )
        + _event(
            "7f662ec65913-2b3c4d5e6f708192a3b4c5d6e7f8091a@airbnb.com",
            today + timedelta(days=24),
            today + timedelta(days=26),
            "Airbnb (Not available)",
            stamp,
        )
        + "END:VCALENDAR\r\n"
    )
    return body.encode()


def booking_demo_feed(today: date) -> bytes:
    """Return a Booking.com-style feed: every night is "CLOSED - Not available"."""
    stamp = f"{today:%Y%m%d}T061500Z"
    body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//admin.booking.com//NONSGML v1.0//EN\r\n"
        "METHOD:PUBLISH\r\nCALSCALE:GREGORIAN\r\n"
        + _event(
            "3f1c9a7e5b2d4c6e8a0b1c2d3e4f5a6b@booking.com",
            today + timedelta(days=8),
            today + timedelta(days=11),
            "CLOSED - Not available",
            stamp,
        )
        + _event(
            "4a2d0b8f6c3e5d7f9b1c2d3e4f5a6b7c@booking.com",
            today + timedelta(days=30),
            today + timedelta(days=34),
            "CLOSED - Not available",
            stamp,
        )
        + "END:VCALENDAR\r\n"
    )
    return body.encode()


DEMO_FEEDS = {"airbnb": airbnb_demo_feed, "booking": booking_demo_feed}
