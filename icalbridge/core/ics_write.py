"""Write export feeds as RFC 5545 bytes every calendar client accepts (docs/domain.md rule 4)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

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


class Revision(NamedTuple):
    """What a rendering said of one event: a digest of what it showed, and its revision.

    Stored beside each feed (a JSON list per UID) so that the next rendering knows which
    events still show the same without reading the previous bytes back.
    """

    shown: str
    sequence: int
    last_modified: str | None  # as written in the feed, e.g. 20261207T061500Z


@dataclass(frozen=True)
class RevisedFeed:
    """A feed's bytes and the revision of each of its events, to compare the next one with."""

    body: bytes
    revisions: dict[str, Revision]


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
    """Render a VCALENDAR of ``events`` as RFC 5545 bytes, each with its own revision.

    The same events give the same bytes whatever their order (sorted by start, then UID),
    so ETags stay stable. ``stamp`` is the DTSTAMP of events without ``last_modified``.
    Nights are all-day (``VALUE=DATE``, end exclusive); timed spans are written in UTC, to
    the second. Lines end with CRLF and are folded at 75 octets without splitting a character.
    ``refresh`` is how often calendar programs should fetch the feed again (RFC 7986).

    There is no METHOD: a feed fetched by URL is not an iTIP message, and METHOD:PUBLISH
    without an ORGANIZER fails libical's iTIP check (GNOME, Evolution), while an ORGANIZER
    would have to name someone in every platform's copy.
    """
    return render_revised_feed(events, name, {}, prodid=prodid, stamp=stamp, refresh=refresh).body


# What an event renders to, given what the last rendering said of it and the default
# stamp: its place in the feed, its folded lines and its revision.
RenderedEvent = tuple[tuple[datetime, str], bytes, Revision]
RenderedEvents = dict[tuple[ExportEvent, Revision | None, str], RenderedEvent]


def render_revised_feed(
    events: Sequence[ExportEvent],
    name: str,
    previous: Mapping[str, Revision],
    *,
    prodid: str = DEFAULT_PRODID,
    stamp: datetime,
    refresh: timedelta | None = None,
    shared: RenderedEvents | None = None,
) -> RevisedFeed:
    """Render as ``render_feed`` does, keeping the revisions ``previous`` gave where unchanged.

    ``previous`` is what the last rendering of the same calendar said of its events. An
    event that shows exactly what it showed there keeps its SEQUENCE and LAST-MODIFIED, so
    a change the feed does not show (a private note, a category a rental platform never
    sees) leaves its bytes and ETag alone and no platform re-imports for nothing. An event
    that shows something new gets a SEQUENCE above the one it had. Each event is rendered
    once: what it shows is compared as written, then its revision is set in.

    ``shared`` holds the events rendered for the other feeds of the same pass: a unit's
    export feeds show mostly the same bookings, with the same revisions, so each is
    rendered once for all of them.
    """
    default_stamp = _utc_text(stamp)
    rendered = {} if shared is None else shared
    revisions: dict[str, Revision] = {}
    blocks = []
    for event in events:
        key = (event, previous.get(event.uid), default_stamp)
        block = rendered.get(key)
        if block is None:
            lines, revision = _revised_event_lines(event, default_stamp, previous)
            block = rendered[key] = (_sort_key(event), b"".join(map(_folded, lines)), revision)
        revisions[event.uid] = block[2]
        blocks.append(block)
    blocks.sort(key=lambda block: block[0])
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
    head = b"".join(map(_folded, lines))
    body = b"".join(block[1] for block in blocks)
    return RevisedFeed(head + body + _folded("END:VCALENDAR"), revisions)


def revisions_in(feed: bytes) -> dict[str, Revision]:
    """Read back what our own rendering ``feed`` says of each event, for a feed whose
    revisions were not stored with it."""
    revisions: dict[str, Revision] = {}
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
            revisions[_unescaped(uid)] = Revision(_digest(shown), int(sequence), modified)
    return revisions


def _digest(shown: list[str]) -> str:
    # "replace" as the rendering does, so that a stray surrogate reads back the same.
    text = "\n".join(shown).encode("utf-8", "replace")
    return hashlib.blake2b(text, digest_size=12).hexdigest()


def _unescaped(text: str) -> str:
    return re.sub(r"\\([\\;,])", r"\1", text)


def _sort_key(event: ExportEvent) -> tuple[datetime, str]:
    start = event.span.start
    if not isinstance(start, datetime):
        start = datetime.combine(start, time(0), UTC)
    return start.astimezone(UTC), event.uid


def _revised_event_lines(
    event: ExportEvent, default_stamp: str, previous: Mapping[str, Revision]
) -> tuple[list[str], Revision]:
    if event.sequence < 0:
        raise ValueError(f"SEQUENCE must not be negative (event {event.uid})")
    span_lines = _span_lines(event.span)
    # What the event shows: everything but DTSTAMP, SEQUENCE and LAST-MODIFIED.
    shown = [
        "BEGIN:VEVENT",
        f"UID:{_text(event.uid)}",
        *span_lines,
        f"SUMMARY:{_text(event.summary)}",
    ]
    if event.status is not None:
        if event.status not in VEVENT_STATUSES:
            raise ValueError(f"unknown VEVENT STATUS {event.status!r} (event {event.uid})")
        shown.append(f"STATUS:{event.status}")
    if event.description:
        shown.append(f"DESCRIPTION:{_text(event.description)}")
    categories = [_text(c) for c in event.categories if c]
    if categories:
        shown.append(f"CATEGORIES:{','.join(categories)}")
    shown.append("TRANSP:OPAQUE")
    shown.append("END:VEVENT")
    digest = _digest(shown)
    sequence = event.sequence
    modified = _utc_text(event.last_modified) if event.last_modified is not None else None
    seen = previous.get(event.uid)
    if seen is not None and seen.shown == digest:
        sequence, modified = seen.sequence, seen.last_modified
    elif seen is not None:
        sequence = max(sequence, seen.sequence + 1)
    summary_at = 2 + len(span_lines)
    lines = [*shown[:2], f"DTSTAMP:{modified or default_stamp}", *shown[2 : summary_at + 1]]
    lines.append(f"SEQUENCE:{sequence}")
    if modified is not None:
        lines.append(f"LAST-MODIFIED:{modified}")
    lines.extend(shown[summary_at + 1 :])
    return lines, Revision(digest, sequence, modified)


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
