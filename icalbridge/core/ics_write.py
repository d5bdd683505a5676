"""Write export feeds as RFC 5545 bytes every calendar client accepts (docs/domain.md rule 4)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from icalbridge.core.spans import Nights, Span

DEFAULT_PRODID = "-//icalbridge//icalbridge//EN"
VEVENT_STATUSES = frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"})

_FOLD_AT = 75  # octets per line before the CRLF (RFC 5545 section 3.1)
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})
# Control characters other than tab and line breaks are not allowed in TEXT values; strict
# parsers reject the whole feed for one stray byte pasted into a name.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile("\r\n?")
_NEEDS_CLEANING = re.compile("[\x00-\x1f\x7f\\\\;,]")


@dataclass(frozen=True)
class ExportEvent:
    """One event of an export feed, already stripped of anything private."""

    uid: str
    span: Span
    summary: str
    sequence: int = 0
    last_modified: datetime | None = None
    description: str = ""
    status: str | None = None
    categories: tuple[str, ...] = ()


def export_uid(booking_id: str, domain: str = "icalbridge") -> str:
    """Return the UID a booking carries in every export, for the booking's whole life.

    ``<booking_id>@<domain>``: the right-hand side follows RFC 5545's advice that a UID be
    globally unique, so a platform never confuses our events with its own or another
    tool's; the booking id never changes, so a moved stay is an update on the platform and
    not a new event (docs/domain.md rule 4); and the suffix lets an importer recognise our own
    events when a platform sends them back.
    """
    if not booking_id or any(c in booking_id for c in "\r\n"):
        raise ValueError(f"a booking id must be a non-empty single line, got {booking_id!r}")
    return f"{booking_id}@{domain}"


def render_feed(
    events: Sequence[ExportEvent],
    name: str,
    *,
    prodid: str = DEFAULT_PRODID,
    stamp: datetime,
) -> bytes:
    """Render a VCALENDAR of ``events`` as RFC 5545 bytes.

    The same events give the same bytes whatever their order (sorted by start, then UID),
    so ETags stay stable. ``stamp`` is the DTSTAMP of events without ``last_modified``.
    Nights are all-day (``VALUE=DATE``, end exclusive); timed spans are written in UTC, to
    the second. Lines end with CRLF and are folded at 75 octets without splitting a character.
    """
    default_stamp = _utc_text(stamp)
    blocks = sorted((_sort_key(e), _event_lines(e, default_stamp)) for e in events)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{_text(prodid)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(name)}",
    ]
    for _key, block in blocks:
        lines.extend(block)
    lines.append("END:VCALENDAR")
    return b"".join(_folded(line) for line in lines)


def _sort_key(event: ExportEvent) -> tuple[datetime, str]:
    start = event.span.start
    if not isinstance(start, datetime):
        start = datetime.combine(start, time(0), UTC)
    return start.astimezone(UTC), event.uid


def _event_lines(event: ExportEvent, default_stamp: str) -> list[str]:
    if event.sequence < 0:
        raise ValueError(f"SEQUENCE must not be negative (event {event.uid})")
    modified = _utc_text(event.last_modified) if event.last_modified is not None else None
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_text(event.uid)}",
        f"DTSTAMP:{modified or default_stamp}",
        *_span_lines(event.span),
        f"SUMMARY:{_text(event.summary)}",
        f"SEQUENCE:{event.sequence}",
    ]
    if modified is not None:
        lines.append(f"LAST-MODIFIED:{modified}")
    if event.status is not None:
        if event.status not in VEVENT_STATUSES:
            raise ValueError(f"unknown VEVENT STATUS {event.status!r} (event {event.uid})")
        lines.append(f"STATUS:{event.status}")
    if event.description:
        lines.append(f"DESCRIPTION:{_text(event.description)}")
    categories = [_text(c) for c in event.categories if c]
    if categories:
        lines.append(f"CATEGORIES:{','.join(categories)}")
    lines.append("TRANSP:OPAQUE")
    lines.append("END:VEVENT")
    return lines


def _span_lines(span: Span) -> list[str]:
    if isinstance(span, Nights):
        return [
            f"DTSTART;VALUE=DATE:{_date_text(span.start)}",
            f"DTEND;VALUE=DATE:{_date_text(span.end)}",
        ]
    start = _utc_text(span.start)
    if span.end == span.start:
        # RFC 5545 wants DTEND strictly after DTSTART; without it a timed event is an instant.
        return [f"DTSTART:{start}"]
    return [f"DTSTART:{start}", f"DTEND:{_utc_text(span.end)}"]


def _date_text(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"feed times must be aware datetimes, got {moment!r}")
    u = moment.astimezone(UTC)
    return f"{u.year:04d}{u.month:02d}{u.day:02d}T{u.hour:02d}{u.minute:02d}{u.second:02d}Z"


def _text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 section 3.3.11)."""
    if not _NEEDS_CLEANING.search(value):
        return value
    value = _CONTROL_CHARACTERS.sub("", _LINE_BREAKS.sub("\n", value))
    return value.translate(_TEXT_ESCAPES)


def _folded(line: str) -> bytes:
    """Return one content line with its CRLF, folded at 75 octets on character boundaries."""
    # "replace" turns a lone surrogate into "?" rather than failing the whole feed.
    raw = line.encode("utf-8", "replace")
    if len(raw) <= _FOLD_AT:
        return raw + b"\r\n"
    parts = []
    start, limit = 0, _FOLD_AT
    while len(raw) - start > limit:
        cut = start + limit
        # Back off over continuation bytes (0b10xxxxxx) so no character is split in two.
        while raw[cut] & 0xC0 == 0x80:
            cut -= 1
        parts.append(raw[start:cut])
        start, limit = cut, _FOLD_AT - 1  # continuation lines begin with one space
    parts.append(raw[start:])
    return b"\r\n ".join(parts) + b"\r\n"
