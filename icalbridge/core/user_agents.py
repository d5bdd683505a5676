"""Which platform fetched our feed, told from its User-Agent."""

from __future__ import annotations

import re

# Ordered: the first pattern that matches names the fetcher.
_FETCHERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("airbnb", re.compile(r"airbnb", re.I)),
    ("booking", re.compile(r"booking\.com|bookingcom", re.I)),
    ("abritel", re.compile(r"homeaway|vrbo|abritel|expedia", re.I)),
    ("google", re.compile(r"google-calendar|googlecalendar|google-ical|feedfetcher-google", re.I)),
    ("outlook", re.compile(r"outlook|exchange|microsoft", re.I)),
    ("apple", re.compile(r"icalendar|calendaragent|dataaccessd|ios/|mac ?os", re.I)),
    ("thunderbird", re.compile(r"thunderbird|lightning", re.I)),
    ("icalbridge", re.compile(r"icalbridge", re.I)),
)


def fetcher_of(user_agent: str | None) -> str | None:
    """Return the id of the platform or program behind a User-Agent, or None."""
    if not user_agent:
        return None
    for fetcher, pattern in _FETCHERS:
        if pattern.search(user_agent):
            return fetcher
    return None
