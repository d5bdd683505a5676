"""Expand recurring events (RRULE, RDATE, EXDATE, RECURRENCE-ID) inside a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar, Event, Timezone, vRecur

RECURRENCE_PROPERTIES = ("RRULE", "RDATE", "RECURRENCE-ID")
MAX_INSTANCES = 5000
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
    floating_zone: str,
    window: tuple[date, date],
) -> Expansion:
    """Return every occurrence of ``events`` that starts inside ``window``.

    Overrides replace the instance they name, whether they come before or after their
    master, and stand alone when it is missing. Floating times are read in
    ``floating_zone``. Raise nothing the caller cannot catch as Exception.
    """
    calendar = Calendar()
    calendar.add("X-WR-TIMEZONE", floating_zone)
    for zone in timezones:
        calendar.add_component(zone)
    for event in events:
        calendar.add_component(event)
    standard = x_wr_timezone.to_standard(calendar)
    query = recurring_ical_events.of(standard, skip_bad_series=True)
    occurrences = query.between(window[0], window[1])
    if len(occurrences) > MAX_INSTANCES:
        return Expansion(tuple(occurrences[:MAX_INSTANCES]), is_capped=True)
    return Expansion(tuple(occurrences))


def is_sub_daily(event: Event) -> bool:
    """Tell whether a series repeats more than daily: never a booking, and costly to expand."""
    rules = event.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules]:
        if isinstance(rule, vRecur) and any(
            str(f).upper() in _SUB_DAILY for f in rule.get("FREQ", [])
        ):
            return True
    return False


def has_broken_rule(event: Event) -> bool:
    """Tell whether an event's RRULE could not be parsed at all."""
    rules = event.get("RRULE")
    return any(not isinstance(r, vRecur) for r in (rules if isinstance(rules, list) else [rules]))
