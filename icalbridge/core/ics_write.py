"""Write export feeds as RFC 5545 bytes every calendar client accepts (docs/domain.md rule 4)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

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
# What says when an event changed, not what it shows: left out when comparing renderings.
_REVISION_PROPERTIES = ("DTSTAMP:", "SEQUENCE:", "LAST-MODIFIED:")


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
    refresh: timedelta | None = None,
) -> bytes:
    """Render a VCALENDAR of ``events`` as RFC 5545 bytes.

    The same events give the same bytes whatever their order (sorted by start, then UID),
    so ETags stay stable. ``stamp`` is the DTSTAMP of events without ``last_modified``.
    Nights are all-day (``VALUE=DATE``, end exclusive); timed spans are written in UTC, to
    the second. Lines end with CRLF and are folded at 75 octets without splitting a character.
    ``refresh`` is how often calendar programs should fetch the feed again (RFC 7986).

    There is no METHOD: a feed fetched by URL is not an iTIP message, and METHOD:PUBLISH
    without an ORGANIZER fails libical's iTIP check (GNOME, Evolution), while an ORGANIZER
    would have to name someone in every platform's copy.
    """
    default_stamp = _utc_text(stamp)
    blocks = sorted((_sort_key(e), _event_lines(e, default_stamp)) for e in events)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{_text(prodid)}",
        "CALSCALE:GREGORIAN",
        f"NAME:{_calendar_name(name)}",
        f"X-WR-CALNAME:{_calendar_name(name)}",
    ]
    if refresh is not None:
        lines.append(f"REFRESH-INTERVAL;VALUE=DURATION:{_duration_text(refresh)}")
        lines.append(f"X-PUBLISHED-TTL:{_duration_text(refresh)}")
    for _key, block in blocks:
        lines.extend(block)
    lines.append("END:VCALENDAR")
    return b"".join(_folded(line) for line in lines)


def with_revisions_kept(events: Sequence[ExportEvent], previous: bytes) -> list[ExportEvent]:
    """Return ``events`` with the SEQUENCE and LAST-MODIFIED of ``previous`` where unchanged.

    ``previous`` is the feed last rendered for the same calendar. An event that shows
    exactly what it showed there keeps its revision, so a change the feed does not show (a
    private note, a category a rental platform never sees) leaves its bytes and ETag alone
    and no platform re-imports for nothing. An event that shows something new gets a
    SEQUENCE above the one it had.
    """
    before = _revisions_in(previous)
    kept: list[ExportEvent] = []
    for event in events:
        seen = before.get(event.uid)
        if seen is None:
            kept.append(event)
        elif seen[0] == _shown(_event_lines(event, "")):
            kept.append(replace(event, sequence=seen[1], last_modified=seen[2]))
        else:
            kept.append(replace(event, sequence=max(event.sequence, seen[1] + 1)))
    return kept


def _revisions_in(feed: bytes) -> dict[str, tuple[tuple[str, ...], int, datetime | None]]:
    """Read back what our own rendering says of each event: what it shows, and its revision."""
    # One pass over the lines: a changed import re-renders each of the unit's feeds after
    # reading the previous one back, and this ran for a quarter of the import's CPU.
    revisions: dict[str, tuple[tuple[str, ...], int, datetime | None]] = {}
    shown: list[str] = []
    uid = sequence = modified = None
    for line in feed.replace(b"\r\n ", b"").decode("utf-8", "replace").split("\r\n"):
        if line == "BEGIN:VEVENT":
            shown, uid, sequence, modified = [], None, None, None
        if line.startswith(_REVISION_PROPERTIES):
            name, _, value = line.partition(":")
            if name == "SEQUENCE":
                sequence = value
            elif name == "LAST-MODIFIED":
                modified = value
            continue
        shown.append(line)
        if line.startswith("UID:") and uid is None:
            uid = line[4:]
        elif line == "END:VEVENT" and uid is not None and sequence and sequence.isdigit():
            revisions[_unescaped(uid)] = (tuple(shown), int(sequence), _utc_moment(modified))
    return revisions


def _utc_moment(text: str | None) -> datetime | None:
    """Read a UTC time as rendered (``20261207T061500Z``); strptime cost ten times as much."""
    if not text:
        return None
    if not (
        len(text) == 16 and text[8] == "T" and text[15] == "Z" and (text[:8] + text[9:15]).isdigit()
    ):
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return datetime(
        int(text[:4]),
        int(text[4:6]),
        int(text[6:8]),
        int(text[9:11]),
        int(text[11:13]),
        int(text[13:15]),
        tzinfo=UTC,
    )


def _shown(lines: list[str]) -> tuple[str, ...]:
    return tuple(line for line in lines if not line.startswith(_REVISION_PROPERTIES))


def _unescaped(text: str) -> str:
    return re.sub(r"\\([\\;,])", r"\1", text)


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


def _calendar_name(name: str) -> str:
    """Write a calendar's name so that its readers show it as it is.

    python icalendar and ical.js (Thunderbird) show NAME and X-WR-CALNAME as written,
    backslashes included, and libical reads commas and semicolons there without escapes:
    so nothing is escaped; only line breaks (which would end the line) become spaces and
    control characters go.
    """
    return _CONTROL_CHARACTERS.sub("", re.sub(r"[\r\n]+", " ", name))


def _duration_text(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    if seconds <= 0:
        raise ValueError(f"a refresh interval must be positive, got {interval!r}")
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    time_part = "".join(
        f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if value
    )
    return "P" + (f"{days}D" if days else "") + (f"T{time_part}" if time_part else "")


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
