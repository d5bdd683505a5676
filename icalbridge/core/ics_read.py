"""Read a feed's bytes into normalised occurrences, whatever the feed's state."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from icalendar import Component, Event, Timezone

from icalbridge.core.bookings import ImportMode, ImportOptions, Kind
from icalbridge.core.feed import Feed, FeedEvent, Problem
from icalbridge.core.ics_components import calendar_properties, components_of
from icalbridge.core.ics_event import (
    LONGEST_SPAN,
    SINGLE_VALUE_PROPERTIES,
    UnreadableEvent,
    keep_first_values,
    raw_of,
    sequence_of,
    span_of,
    synthetic_uid,
    text_of,
)
from icalbridge.core.ics_text import clean_feed, problem
from icalbridge.core.platforms import classify_event, is_cancelled, recognise_platform
from icalbridge.core.read_problems import PROBLEM_CODES, summed_problems
from icalbridge.core.recurrence import (
    Expansion,
    expand_recurring,
    has_broken_rule,
    is_recurring,
    is_sub_daily,
    starts_before_1900,
)
from icalbridge.core.spans import Nights, Span, Timed
from icalbridge.core.timezones import zone_named

PAST_DAYS, FUTURE_DAYS = 365, 3 * 365
# Only these are read; dropping the rest (attendees, alarms, descriptions) before parsing
# halves the parse time of large personal calendars.
READ_PROPERTIES = frozenset(
    (*SINGLE_VALUE_PROPERTIES, "RRULE", "RDATE", "EXDATE", "EXRULE", "DTSTAMP")
)
MAX_SUMMARY_CHARS = 500
_DEFAULT_ZONE = "Europe/Paris"


@dataclass(frozen=True)
class ReadOptions:
    """How to read one channel's feed: the day it is read, the unit's zone and its options."""

    today: date
    zone: str = _DEFAULT_ZONE
    import_options: ImportOptions = field(default_factory=ImportOptions)
    platform: str | None = None


@dataclass
class _Reading:
    """What one read accumulates before it becomes a Feed."""

    options: ReadOptions
    unit_zone: tzinfo
    floating_zone: tzinfo
    feed_zone: str | None = None
    platform: str | None = None
    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    unknown_tzids: dict[str, None] = field(default_factory=dict)

    @property
    def window(self) -> tuple[date, date]:
        today = self.options.today
        return today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)


def read_feed(data: bytes, options: ReadOptions) -> Feed:
    """Read a feed's bytes into the occurrences ready for reconciling. Never raise.

    The feed is decoded and repaired line by line, parsed with icalendar (event by event
    when the whole calendar will not parse), recurring events are expanded over
    [today - 365 days, today + 3 * 365 days], each event gets its kind from the platform's
    habits, and the channel's import options are applied. Everything that had to be
    repaired, guessed or skipped is reported in ``Feed.problems``.
    """
    try:
        return _read(data, options)
    except Exception as error:  # a feed must never break an import run
        return Feed(
            events=(),
            problems=(
                problem(
                    "unreadable",
                    f"The feed could not be read ({type(error).__name__}).",
                    error=type(error).__name__,
                ),
            ),
            is_calendar=False,
        )


def _read(data: bytes, options: ReadOptions) -> Feed:
    if not data.strip():
        return Feed(
            events=(),
            problems=(problem("empty_body", "The feed is empty: the body has no content."),),
            is_calendar=False,
        )
    clean = clean_feed(data, READ_PROPERTIES)
    if not clean.looks_like_calendar:
        start = data[:40].decode("utf-8", errors="replace").strip()
        return Feed(
            events=(),
            problems=(
                problem(
                    "not_calendar",
                    f"This is not an iCalendar feed; it starts with {start!r}.",
                    start=start,
                ),
            ),
            is_calendar=False,
        )
    calendar_props = calendar_properties(clean)
    unit_zone = zone_named(options.zone) or ZoneInfo(_DEFAULT_ZONE)
    reading = _Reading(
        options,
        unit_zone,
        _floating_zone(options, calendar_props, unit_zone),
        _feed_zone(calendar_props),
    )
    reading.problems.extend(clean.problems)
    components, bad_events = components_of(clean)
    reading.counts["bad_event"] += bad_events
    events = [c for c in components if isinstance(c, Event) and _has_start(c, reading)]
    timezones = [c for c in components if isinstance(c, Timezone)]
    for event in events:
        reading.counts["duplicate_property"] += keep_first_values(event)
        if "RRULE" in event and has_broken_rule(event):
            del event["RRULE"]
            reading.counts["bad_rrule"] += 1
        elif "RRULE" in event and is_sub_daily(event):
            del event["RRULE"]
            reading.counts["sub_daily_recurrence"] += 1
        elif "RRULE" in event and starts_before_1900(event):
            del event["RRULE"]
            reading.counts["ancient_recurrence"] += 1
    uids = _assign_uids(events, reading)
    reading.platform = options.platform or recognise_platform(
        calendar_props.get("PRODID"), uids, [text_of(e, "SUMMARY") for e in events[:50]]
    )
    recurring_uids = {uid for uid, event in zip(uids, events, strict=True) if is_recurring(event)}
    singles = [(u, e) for u, e in zip(uids, events, strict=True) if u not in recurring_uids]
    feed_events = [
        fe
        for uid, event, recurrence_id in _latest_per_uid(singles, reading)
        if (fe := _feed_event(event, uid, recurrence_id, reading))
    ]
    recurring = [e for u, e in zip(uids, events, strict=True) if u in recurring_uids]
    if recurring:
        feed_events.extend(_occurrences(recurring, timezones, reading))
    return Feed(
        events=_sorted_unique(feed_events, reading.unit_zone),
        problems=tuple(reading.problems)
        + summed_problems(
            reading.counts, list(reading.unknown_tzids), _zone_name(reading.unit_zone)
        ),
        platform=reading.platform,
        name=calendar_props.get("X-WR-CALNAME"),
        is_calendar=True,
        is_truncated=clean.is_truncated,
    )


def _has_start(event: Component, reading: _Reading) -> bool:
    if "DTSTART" in event:
        return True
    reading.counts["missing_start"] += 1
    return False


def _floating_zone(options: ReadOptions, props: dict[str, str], unit_zone: tzinfo) -> tzinfo:
    for name in (options.import_options.floating_tz, props.get("X-WR-TIMEZONE")):
        zone = zone_named(name) if name else None
        if zone is not None:
            return zone
    return unit_zone


def _feed_zone(props: dict[str, str]) -> str | None:
    """Return the IANA key of the feed's own X-WR-TIMEZONE when its wall clock has DST.

    Only the feed's own zone moves its UTC series (see expand_recurring); UTC and fixed
    offsets move nothing, and the unit's or the channel's zone never applies to UTC times.
    """
    name = props.get("X-WR-TIMEZONE")
    zone = zone_named(name) if name else None
    return zone.key if isinstance(zone, ZoneInfo) else None


def _assign_uids(events: list[Event], reading: _Reading) -> list[str]:
    uids: list[str] = []
    for event in events:
        uid = text_of(event, "UID")
        if not uid:
            uid = synthetic_uid(event)
            event["UID"] = uid
            reading.counts["missing_uid"] += 1
        uids.append(uid)
    return uids


def _latest_per_uid(
    singles: list[tuple[str, Event]], reading: _Reading
) -> list[tuple[str, Event, str | None]]:
    """Keep, per UID, the highest SEQUENCE; keep every stay when nothing tells them apart.

    A feed that reuses a UID for stays with other dates and no SEQUENCE that says which
    is newer holds several stays: each must block its nights. The earliest keeps the plain
    UID as its key and the others add their start, so keys stay the same from one import
    to the next whatever the order of the feed. Returns (uid, event, recurrence id).
    """
    by_uid: dict[str, list[Event]] = {}
    for uid, event in singles:
        by_uid.setdefault(uid, []).append(event)
    kept: list[tuple[str, Event, str | None]] = []
    for uid, group in by_uid.items():
        if len(group) == 1:
            kept.append((uid, group[0], None))
            continue
        newest = max(sequence_of(e) for e in group)
        latest: dict[tuple[str, str, str], Event] = {}
        for event in group:
            if sequence_of(event) == newest:
                latest.setdefault(_dates_of(event), event)
        reading.counts["duplicate_uid"] += len(group) - len(latest)
        stays = sorted(latest.values(), key=lambda e: (_start_text(e), _dates_of(e)))
        kept.append((uid, stays[0], None))
        kept.extend((uid, e, _start_text(e)) for e in stays[1:])
        if len(stays) > 1:
            reading.problems.append(
                problem(
                    "duplicate_uid_kept",
                    f"The UID {uid} names {len(stays)} stays with different dates and "
                    "nothing says which is newer; all of them were kept.",
                    uid=uid,
                    count=len(stays),
                )
            )
    return kept


def _start_text(event: Event) -> str:
    """Return an event's start as a key part; as written when it cannot be read."""
    try:
        return _recurrence_id(event)
    except Exception:  # an unreadable start is reported where the event is read
        return raw_of(event, "DTSTART")


def _dates_of(event: Event) -> tuple[str, str, str]:
    return raw_of(event, "DTSTART"), raw_of(event, "DTEND"), raw_of(event, "DURATION")


def _occurrences(
    recurring: list[Event], timezones: list[Timezone], reading: _Reading
) -> list[FeedEvent]:
    zone_key = reading.feed_zone
    try:
        expansions = [expand_recurring(recurring, timezones, zone_key, reading.window)]
    except Exception:
        # One series the expander chokes on must not cost the others: retry one UID at a time.
        expansions = []
        by_uid: dict[str, list[Event]] = {}
        for event in recurring:
            by_uid.setdefault(text_of(event, "UID"), []).append(event)
        for uid, group in by_uid.items():
            try:
                expansions.append(expand_recurring(group, timezones, zone_key, reading.window))
            except Exception as error:
                reading.problems.append(
                    problem(
                        "recurrence_failed",
                        f"The recurring event {uid} could not be expanded "
                        f"({type(error).__name__}); only its first date was kept.",
                        uid=uid,
                        error=type(error).__name__,
                    )
                )
                masters = [e for e in group if "RECURRENCE-ID" not in e]
                expansions.append(Expansion(tuple(masters)))
    result: list[FeedEvent] = []
    for expansion in expansions:
        if expansion.is_capped:
            reading.problems.append(
                problem(
                    "recurrence_truncated",
                    f"Recurring events produced more than {len(expansion.occurrences)} "
                    f"occurrences; the later ones were left out.",
                    count=len(expansion.occurrences),
                )
            )
        for occurrence in expansion.occurrences:
            uid = text_of(occurrence, "UID")
            fe = _feed_event(occurrence, uid, _recurrence_id(occurrence), reading)
            if fe is not None:
                result.append(fe)
    return result


def _recurrence_id(occurrence: Event) -> str:
    prop = occurrence.get("RECURRENCE-ID") or occurrence.get("DTSTART")
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
        return value.strftime("%Y%m%dT%H%M%S")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value)


def _feed_event(
    event: Event, uid: str, recurrence_id: str | None, reading: _Reading
) -> FeedEvent | None:
    """Turn one event or occurrence into a FeedEvent, or None when it is not kept."""
    status = text_of(event, "STATUS")
    if is_cancelled(status):
        return None
    try:
        read = span_of(event, reading.floating_zone)
    except UnreadableEvent as error:
        reading.problems.append(
            problem(
                "bad_date",
                f"Event {uid}: its start {error} cannot be read; skipped.",
                uid=uid,
                value=str(error),
            )
        )
        return None
    except Exception as error:  # a strange zone must not lose the feed
        reading.problems.append(
            problem(
                "bad_date",
                f"Event {uid}: its dates cannot be read ({type(error).__name__}); skipped.",
                uid=uid,
                value=type(error).__name__,
            )
        )
        return None
    for tzid in read.unknown_tzids:
        reading.unknown_tzids.setdefault(tzid, None)
    if read.bad_end:
        reading.counts["bad_end"] += 1
    if read.bad_duration:
        reading.counts["bad_duration"] += 1
    span = read.span
    if read.was_inverted:
        reading.problems.append(
            problem(
                "inverted_span",
                f"Event {uid} ended before it started; read as {_shown(span)}.",
                uid=uid,
                start=span.start.isoformat(),
                end=span.end.isoformat(),
            )
        )
    if isinstance(span, Timed) and text_of(event, "TRANSP").upper() == "TRANSPARENT":
        # Timed free time is an explicit choice; Google marks every all-day event free by
        # default, so all-day ones are kept or a host's all-day blocks would vanish.
        reading.counts["transparent_skipped"] += 1
        return None
    options = reading.options.import_options
    # A title is a few words; a huge one would be stored and shown in full otherwise.
    summary = text_of(event, "SUMMARY")[:MAX_SUMMARY_CHARS]
    lowered = summary.lower()
    if any(p.lower() in lowered for p in options.ignore_phrases if p.strip()):
        return None
    kind, is_block = classify_event(reading.platform, summary, status)
    if options.mode is ImportMode.ALL_AS_BLOCKS:
        kind, is_block = Kind.UNAVAILABLE, True
    elif options.mode is ImportMode.RESERVATIONS_ONLY and (is_block or kind is Kind.UNAVAILABLE):
        return None
    if isinstance(span, Nights) and read.has_explicit_end and not options.dtend_is_checkout:
        span = Nights(span.start, span.end + timedelta(days=1))
    kept = _within_reason(span, uid, reading)
    if kept is None:
        return None
    return FeedEvent(
        uid=uid,
        span=kept,
        kind=kind,
        summary=summary,
        recurrence_id=recurrence_id,
        uid_is_synthetic=uid.startswith("synthetic-"),
        is_block=is_block,
    )


def _within_reason(span: Span, uid: str, reading: _Reading) -> Span | None:
    """Cut an absurdly long or far-off span to the window; None when nothing is left."""
    start, end = reading.window
    if isinstance(span, Nights):
        is_absurd = (
            span.start.year < 1900 or span.end.year > 2200 or span.end - span.start > LONGEST_SPAN
        )
        cut: Span | None = None
        if max(span.start, start) < min(span.end, end):
            cut = Nights(max(span.start, start), min(span.end, end))
    else:
        is_absurd = (
            span.start.year < 1900 or span.end.year > 2200 or span.end - span.start > LONGEST_SPAN
        )
        low = datetime.combine(start, time(0), reading.unit_zone)
        high = datetime.combine(end, time(0), reading.unit_zone)
        cut = None
        if max(span.start, low) < min(span.end, high):
            cut = Timed(max(span.start, low), min(span.end, high))
    if not is_absurd:
        return span
    shown = _shown(cut) if cut is not None else "nothing (outside the window)"
    reading.problems.append(
        problem(
            "absurd_span",
            f"Event {uid} spans {_shown(span)}; kept as {shown}.",
            uid=uid,
            start=span.start.isoformat(),
            end=span.end.isoformat(),
        )
    )
    return cut


def _shown(span: Span) -> str:
    return f"{span.start.isoformat()} to {span.end.isoformat()}"


def _sorted_unique(events: list[FeedEvent], unit_zone: tzinfo) -> tuple[FeedEvent, ...]:
    def order(event: FeedEvent) -> tuple[datetime, str]:
        span = event.span
        start = (
            span.start
            if isinstance(span, Timed)
            else datetime.combine(span.start, time(0), unit_zone)
        )
        return start.astimezone(ZoneInfo("UTC")), event.key

    unique: dict[str, FeedEvent] = {}
    for event in sorted(events, key=order):
        unique.setdefault(event.key, event)
    return tuple(unique.values())


def _zone_name(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)


__all__ = ["PROBLEM_CODES", "ReadOptions", "read_feed"]
