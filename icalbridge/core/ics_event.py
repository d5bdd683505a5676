"""Read one VEVENT's identity, span and status into plain values, or say why it cannot be."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from icalendar import Event, vBroken

from icalbridge.core.spans import Nights, Span, Timed
from icalbridge.core.timezones import zone_named

SINGLE_VALUE_PROPERTIES = (
    "UID",
    "DTSTART",
    "DTEND",
    "DURATION",
    "SUMMARY",
    "STATUS",
    "TRANSP",
    "SEQUENCE",
    "RECURRENCE-ID",
)
LONGEST_SPAN = timedelta(days=3 * 366)
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2200
_LENIENT_WEEKS = re.compile(r"^\+?PT?(\d{1,4})W$")
_LENIENT_DATE = re.compile(
    r"^(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):?(?P<M>\d{2}):?(?P<S>\d{2})(?P<z>Z)?)?$"
)


class UnreadableEvent(ValueError):
    """An event whose dates cannot be read: it is skipped with a ``bad_date`` problem."""


@dataclass(frozen=True)
class EventSpan:
    """The span read from an event, and what had to be guessed or repaired to get it."""

    span: Span
    was_inverted: bool = False
    bad_end: bool = False
    bad_duration: bool = False
    unknown_tzids: tuple[str, ...] = ()
    has_explicit_end: bool = False


def keep_first_values(event: Event) -> int:
    """Keep the first of any repeated single-value property; return how many were dropped."""
    dropped = 0
    for name in SINGLE_VALUE_PROPERTIES:
        value = event.get(name)
        if isinstance(value, list):
            dropped += len(value) - 1
            event[name] = value[0]
    return dropped


def text_of(event: Event, name: str) -> str:
    """Return a TEXT property's value as a string, empty when absent."""
    value = event.get(name)
    if value is None:
        return ""
    return str(value).strip()


def raw_of(event: Event, name: str) -> str:
    """Return a property exactly as the feed wrote it, for hashing."""
    value = event.get(name)
    if value is None:
        return ""
    try:
        written: bytes = value.to_ical()
    except Exception:  # a broken value still has a text form to hash
        return str(value)
    return written.decode("utf-8", errors="replace")


def synthetic_uid(event: Event) -> str:
    """Return a UID made of the event's content: same content, same UID."""
    source = "|".join(raw_of(event, n) for n in ("DTSTART", "DTEND", "DURATION", "SUMMARY"))
    return "synthetic-" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:32]


def sequence_of(event: Event) -> int:
    try:
        return int(str(event.get("SEQUENCE", 0)))
    except ValueError:
        return 0


def span_of(event: Event, floating: tzinfo) -> EventSpan:
    """Return the span an event occupies; raise UnreadableEvent when DTSTART is unusable.

    Floating times are read in ``floating``. A missing or unreadable DTEND becomes DURATION,
    else one day for an all-day event and zero length for a timed one. An end before the
    start is swapped.
    """
    unknown: list[str] = []
    start = _moment(event.get("DTSTART"), floating, unknown)
    if start is None:
        raise UnreadableEvent(raw_of(event, "DTSTART") or "no DTSTART")
    end_property = event.get("DTEND")
    end = _moment(end_property, floating, unknown) if end_property is not None else None
    bad_end = end_property is not None and end is None
    bad_duration = False
    if end is None and event.get("DURATION") is not None:
        duration = _duration(event.get("DURATION"))
        if isinstance(duration, timedelta) and timedelta(0) <= duration <= LONGEST_SPAN:
            end = start + duration
        else:
            bad_duration = True
    span, inverted = _span_between(start, end, floating)
    return EventSpan(
        span=span,
        was_inverted=inverted,
        bad_end=bad_end,
        bad_duration=bad_duration,
        unknown_tzids=tuple(unknown),
        has_explicit_end=end_property is not None and not bad_end,
    )


def _moment(prop: Any, floating: tzinfo, unknown: list[str]) -> date | datetime | None:
    value = _lenient_value(prop) if isinstance(prop, vBroken) else getattr(prop, "dt", None)
    if isinstance(value, datetime):
        if not (_EARLIEST_YEAR - 1 < value.year < _LATEST_YEAR + 1):
            return _clamped_year(value)
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value
        tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
        zone = zone_named(str(tzid)) if tzid else None
        if tzid and zone is None:
            unknown.append(str(tzid))
        return value.replace(tzinfo=zone or floating)
    if isinstance(value, date):
        if not (_EARLIEST_YEAR - 1 < value.year < _LATEST_YEAR + 1):
            return _clamped_year(value)
        return value
    return None


def _lenient_value(prop: vBroken) -> date | datetime | None:
    """Read the dates strict parsing refuses: a bare DATE without VALUE=DATE (Synology)."""
    match = _LENIENT_DATE.match(str(prop).strip())
    if match is None:
        return None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
        if match["H"] is None:
            return day
        moment = datetime.combine(day, time(int(match["H"]), int(match["M"]), int(match["S"])))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if match["z"] else moment


def _duration(prop: Any) -> timedelta | None:
    """Read a DURATION, also the week form strict parsing refuses ("PT1W", Synology)."""
    if not isinstance(prop, vBroken):
        value = getattr(prop, "dt", None)
        return value if isinstance(value, timedelta) else None
    match = _LENIENT_WEEKS.match(str(prop).strip())
    return timedelta(weeks=int(match[1])) if match is not None else None


def _clamped_year(value: date) -> date | datetime:
    """Bring a date from year 1 or 9999 to the edge of the sane range; the window clamps it."""
    year = min(max(value.year, _EARLIEST_YEAR - 1), _LATEST_YEAR + 1)
    if isinstance(value, datetime):
        return datetime(year, 1, 1, tzinfo=UTC)
    return date(year, 1, 1)


def _span_between(
    start: date | datetime, end: date | datetime | None, floating: tzinfo
) -> tuple[Span, bool]:
    if not isinstance(start, datetime):
        end_day = _as_end_day(end, floating) if end is not None else None
        if end_day is None or end_day == start:
            return Nights(start, start + timedelta(days=1)), False
        if end_day < start:
            return Nights(end_day, start), True
        return Nights(start, end_day), False
    if end is None:
        return Timed(start, start), False
    if not isinstance(end, datetime):
        end = datetime.combine(end, time(0), start.tzinfo)
    if end < start:
        return Timed(end, start), True
    return Timed(start, end), False


def _as_end_day(end: date | datetime, floating: tzinfo) -> date:
    """Turn a DATE-TIME end of an all-day event into the day it frees, never earlier."""
    if not isinstance(end, datetime):
        return end
    local = end.astimezone(floating)
    if local.time() == time(0):
        return local.date()
    return local.date() + timedelta(days=1)
