"""Write a listing's export the way each platform really does (corpus platforms.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from icalbridge.sim.world_state import ListingEvent, day

_PARIS_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]
_GUEST_NAMES = ("Camille", "Lucas", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Jules")


def render_listing(source: str, events: Sequence[ListingEvent], stamp: datetime) -> bytes:
    """Return the listing's feed bytes in its platform's style; DTSTAMP is the fetch time."""
    writer = {
        "airbnb": _airbnb,
        "booking": _booking,
        "abritel": _abritel,
        "google": _google,
    }[source]
    lines = writer(events, stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return ("\r\n".join(lines) + "\r\n").encode()


def _dates(event: ListingEvent) -> list[str]:
    return [
        f"DTSTART;VALUE=DATE:{day(event.start):%Y%m%d}",
        f"DTEND;VALUE=DATE:{day(event.end):%Y%m%d}",
    ]


def _airbnb(events: Sequence[ListingEvent], stamp: str) -> list[str]:
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN",
        "CALSCALE:GREGORIAN",
        "VERSION:2.0",
    ]
    # Reservations first, then blocks (host blocks, imported dates and the horizon alike).
    for event in sorted(events, key=lambda e: e.kind != "reservation"):
        if event.kind == "reservation":
            uid = exported_uid("airbnb", event.uid, is_reservation=True)
            lines += ["BEGIN:VEVENT", f"DTSTAMP:{stamp}", *_dates(event), "SUMMARY:Reserved"]
            lines += [f"UID:{uid}", "DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/"]
            lines += [f" reservations/details/HM{_hex(event.uid)[:8].upper()}", "END:VEVENT"]
        else:
            uid = exported_uid("airbnb", event.uid, is_reservation=False)
            lines += ["BEGIN:VEVENT", f"DTSTAMP:{stamp}", *_dates(event)]
            lines += ["SUMMARY:Airbnb (Not available)", f"UID:{uid}", "END:VEVENT"]
    return [*lines, "END:VCALENDAR"]


def _booking(events: Sequence[ListingEvent], stamp: str) -> list[str]:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//admin.booking.com\\\\\\, b.v.//NONSGML v1.0//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for event in events:
        lines += ["BEGIN:VEVENT", f"DTSTAMP:{stamp}", *_dates(event)]
        lines += [f"UID:{exported_uid('booking', event.uid)}", "SUMMARY:CLOSED - Not available"]
        lines += ["END:VEVENT"]
    return [*lines, "END:VCALENDAR"]


def _abritel(events: Sequence[ListingEvent], stamp: str) -> list[str]:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "CALSCALE:GREGORIAN"]
    lines += ["PRODID:-//HomeAway.com, Inc.//EN"]
    for event in events:
        if event.kind == "reservation":
            name = _GUEST_NAMES[int(_hex(event.uid)[:4], 16) % len(_GUEST_NAMES)]
            summary = f"Réservée - {name}"
        else:
            summary = "Indisponible"
        uid = exported_uid("abritel", event.uid)
        lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}", *_dates(event)]
        lines += [f"SUMMARY:{summary}", "END:VEVENT"]
    return [*lines, "END:VCALENDAR"]


def _google(events: Sequence[ListingEvent], stamp: str) -> list[str]:
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Gîte (propriétaire)",
        "X-WR-TIMEZONE:Europe/Paris",
        *_PARIS_VTIMEZONE,
        # A host's agenda is never empty: a weekly cleaning slot, between check-out and
        # check-in, which occupies no night (docs/domain.md rule 10) and keeps the feed from
        # looking wiped.
        "BEGIN:VEVENT",
        "DTSTART;TZID=Europe/Paris:20270102T100000",
        "DTEND;TZID=Europe/Paris:20270102T120000",
        "RRULE:FREQ=WEEKLY;BYDAY=SA",
        f"DTSTAMP:{stamp}",
        "UID:menage-weekly@google.com",
        "SUMMARY:Ménage",
        "END:VEVENT",
    ]
    for event in events:
        assert event.timed is not None
        start, end = event.timed
        lines += [
            "BEGIN:VEVENT",
            f"DTSTART;TZID=Europe/Paris:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/Paris:{end:%Y%m%dT%H%M%S}",
            f"DTSTAMP:{stamp}",
            f"UID:{exported_uid('google', event.uid)}",
            "SEQUENCE:0",
            "STATUS:CONFIRMED",
            "SUMMARY:Occupé",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    return [*lines, "END:VCALENDAR"]


def exported_uid(source: str, uid: str, *, is_reservation: bool = False) -> str:
    """Return the UID a platform writes for one of its events, in its own form."""
    h = _hex(uid)
    if source == "airbnb":
        return f"{'1418fb94e984' if is_reservation else '7f662ec65913'}-{h}@airbnb.com"
    if source == "booking":
        return f"{h}@booking.com"
    if source == "abritel":
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return f"{h[:26]}@google.com"


def _hex(uid: str) -> str:
    return hashlib.md5(uid.encode()).hexdigest()
