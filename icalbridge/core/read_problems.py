"""The problems reading a feed can report: stable codes other layers translate."""

from __future__ import annotations

from collections import Counter

from icalbridge.core.feed import Problem
from icalbridge.core.ics_text import problem

PROBLEM_CODES: dict[str, str] = {
    "empty_body": "The body is empty.",
    "not_calendar": "The body is not an iCalendar feed (HTML, JSON, text...).",
    "truncated": "The feed was cut off; nothing may be freed from it.",
    "multiple_calendars": "Several VCALENDARs in one body; their events were merged.",
    "not_utf8": "The bytes are not UTF-8; they were read as cp1252 or latin-1.",
    "junk_line": "Lines that are not iCalendar were skipped (count).",
    "broken_fold": "Lines continued without the leading space were joined (count).",
    "unclosed_component": "A component had no valid END line; it was closed at the next one.",
    "duplicate_property": "A property that takes one value was repeated; the first won.",
    "bad_event": "An event could not be parsed at all and was skipped.",
    "missing_uid": "An event had no UID; a stable one was made from its content.",
    "duplicate_uid": "Copies of an event (same UID and dates, or an older SEQUENCE) were left out.",
    "duplicate_uid_kept": "One UID named stays with different dates; all of them were kept.",
    "missing_start": "Events without a start (DTSTART) were skipped (count).",
    "bad_date": "An event's start could not be read; it was skipped.",
    "bad_end": "An event's end could not be read; its length was guessed.",
    "bad_duration": "An event's DURATION was empty or absurd and was ignored.",
    "inverted_span": "An event ended before it started; its ends were swapped.",
    "absurd_span": "An event was absurdly long or far off; it was cut to the window.",
    "unknown_timezone": "A time zone was not recognised; the unit's zone was used.",
    "transparent_skipped": "Timed events marked as free time (TRANSP) were skipped.",
    "recurrence_failed": "Recurring events could not be expanded; their first dates were kept.",
    "recurrence_truncated": "A recurrence produced too many occurrences; the rest were cut.",
    "sub_daily_recurrence": "Series repeating more than daily were read as their first date.",
    "ancient_recurrence": "Series starting before 1900 were read as their first date.",
    "bad_rrule": "A repeat rule could not be read; the event was read as its first date.",
    "unreadable": "The reader failed on this body; nothing may be changed from it.",
    # Reported by core.feed_limits, once the feed is read.
    "too_many_events": "More events in the reading window than a feed may hold; nothing changed.",
    "text_cut": "Event titles longer than the limit were cut (count).",
    "text_cleaned": "Control or text-direction characters were removed from titles (count).",
}

SUMMED_MESSAGES: dict[str, str] = {
    "duplicate_property": "{n} repeated single-value propert(y/ies); the first value was kept.",
    "missing_start": "{n} event(s) had no start (DTSTART) and were skipped.",
    "bad_event": "{n} event(s) could not be parsed at all and were skipped.",
    "missing_uid": "{n} event(s) had no UID; stable ones were made from their content.",
    "duplicate_uid": "{n} event(s) repeated a UID with the same dates or an older SEQUENCE; "
    "they were left out.",
    "bad_end": "{n} event(s) had an unreadable end; their length was guessed.",
    "bad_duration": "{n} event(s) had an empty or absurd DURATION, which was ignored.",
    "transparent_skipped": "{n} timed event(s) marked as free time were skipped.",
    "sub_daily_recurrence": "{n} series repeating more than daily were read as their first date.",
    "ancient_recurrence": "{n} series starting before 1900 were read as their first date.",
    "bad_rrule": "{n} repeat rule(s) could not be read; those events were read as their first date.",
}


def summed_problems(
    counts: Counter[str], unknown_tzids: list[str], zone_name: str
) -> tuple[Problem, ...]:
    """Return one problem per counted code, and one per unknown time-zone name."""
    summed = [
        problem(code, message.format(n=counts[code]), count=counts[code])
        for code, message in SUMMED_MESSAGES.items()
        if counts[code]
    ]
    summed.extend(
        problem(
            "unknown_timezone",
            f"The time zone {tzid!r} is not known; times in it were read in {zone_name}.",
            tzid=tzid,
            fallback=zone_name,
        )
        for tzid in unknown_tzids
    )
    return tuple(summed)
