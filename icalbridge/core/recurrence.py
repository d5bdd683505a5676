"""Expand recurring events (RRULE, RDATE, EXDATE, RECURRENCE-ID) inside a window."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

import recurring_ical_events
from icalendar import Calendar, Event, Timezone, vRecur

RECURRENCE_PROPERTIES = ("RRULE", "RDATE", "RECURRENCE-ID")
MAX_INSTANCES = 5000
# A series from year 1 (seen in fuzzing) took minutes to walk up to the window.
EARLIEST_SERIES_YEAR = 1900
_SUB_DAILY = ("SECONDLY", "MINUTELY", "HOURLY")


@dataclass(frozen=True)
class Expansion:
    """The occurrences of a set of recurring events, and whether the cap cut them."""

    occurrences: tuple[Event, ...]
    is_capped: bool = False


def is_recurring(event: Event) -> bool:
    """Tell whether an event takes part in a recurrence: a series or one of its instances."""
    return any(name in event for name in RECURRENCE_PROPERTIES)


def expand_recurring(
    events: list[Event],
    timezones: list[Timezone],
    feed_zone: str | None,
    window: tuple[date, date],
) -> Expansion:
    """Return every occurrence of ``events`` that starts inside ``window``.

    Overrides replace the instance they name, whether they come before or after their
    master, and stand alone when it is missing. UTC times stay UTC (RFC 5545), unless the
    feed itself names a zone with X-WR-TIMEZONE (``feed_zone``, an IANA key): then its UTC
    series repeat on that zone's wall clock, as the calendar that wrote it shows them.
    Floating times stay floating, for the caller to place. Raise nothing the caller
    cannot catch as Exception.
    """
    calendar = Calendar()
    if feed_zone is not None:
        calendar.add("X-WR-TIMEZONE", feed_zone)
    for zone in timezones:
        calendar.add_component(zone)
    for event in events:
        calendar.add_component(event)
    # of() applies X-WR-TIMEZONE itself (x_wr_timezone.to_standard).
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    start, stop = query.to_datetime(window[0]), query.to_datetime(window[1])
    # Lazily, and only up to the cap: a 6 kB feed of 40 daily series has 58,000 occurrences
    # in the window, and building them all before capping took 13 s and memory to match.
    first = list(islice(_occurrences_within(query, start, stop), MAX_INSTANCES + 1))
    events = [o.as_component(query.keep_recurrence_attributes) for o in first[:MAX_INSTANCES]]
    return Expansion(tuple(events), is_capped=len(first) > MAX_INSTANCES)


def _occurrences_within(query: Any, start: Any, stop: Any) -> Iterator[Any]:
    # recurring_ical_events.between() builds every occurrence of every series; this walks
    # them one by one, skipping a broken series as skip_bad_series does.
    for series in query.series:
        try:
            yield from series.between(start, stop)
        except query._skip_errors:
            continue


def is_sub_daily(event: Event) -> bool:
    """Tell whether a series repeats more than daily: never a booking, and costly to expand."""
    rules = event.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules]:
        if isinstance(rule, vRecur) and any(
            str(f).upper() in _SUB_DAILY for f in rule.get("FREQ", [])
        ):
            return True
    return False


def starts_before_1900(event: Event) -> bool:
    """Tell whether a series starts before 1900: expanding it walks centuries of instances."""
    try:
        start = event.decoded("DTSTART")
    except Exception:
        # An unreadable start is reported where the event is read, not here.
        return False
    return isinstance(start, date) and start.year < EARLIEST_SERIES_YEAR


def has_broken_rule(event: Event) -> bool:
    """Tell whether an event's RRULE could not be parsed at all."""
    rules = event.get("RRULE")
    return any(not isinstance(r, vRecur) for r in (rules if isinstance(rules, list) else [rules]))
