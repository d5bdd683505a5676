"""Resolve the time-zone names feeds use (IANA, Windows, display names) to zones."""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

# Outlook writes display names ("(UTC+01:00) Brussels, Copenhagen, Madrid, Paris") instead of
# zone ids; the cities tell the zone, including its summer time, where the offset cannot.
_DISPLAY_CITIES: tuple[tuple[str, str], ...] = (
    ("paris", "Europe/Paris"),
    ("brussels", "Europe/Brussels"),
    ("amsterdam", "Europe/Amsterdam"),
    ("berlin", "Europe/Berlin"),
    ("belgrade", "Europe/Belgrade"),
    ("sarajevo", "Europe/Sarajevo"),
    ("london", "Europe/London"),
    ("dublin", "Europe/Dublin"),
    ("lisbon", "Europe/Lisbon"),
    ("athens", "Europe/Athens"),
    ("helsinki", "Europe/Helsinki"),
    ("moscow", "Europe/Moscow"),
    ("eastern time", "America/New_York"),
    ("central time", "America/Chicago"),
    ("mountain time", "America/Denver"),
    ("pacific time", "America/Los_Angeles"),
    ("tokyo", "Asia/Tokyo"),
    ("sydney", "Australia/Sydney"),
)
_OFFSET_NAME = re.compile(r"(?:UTC|GMT)\s*([+-])(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
_WINDOWS_LOWER = {name.lower(): zone for name, zone in WINDOWS_TO_OLSON.items()}


@lru_cache(maxsize=256)
def zone_named(tzid: str) -> tzinfo | None:
    """Return the zone a TZID names, or None when nothing sensible matches.

    Tries, in order: an IANA name (legacy ones such as Europe/Kiev included), a Windows
    name, a display name with a known city, then a display name's bare UTC offset.
    """
    name = tzid.strip().strip('"').strip()
    if not name:
        return None
    if name.upper() in ("UTC", "GMT", "Z", "ETC/UTC"):
        return UTC
    iana = _iana_zone(name) or _iana_zone(name.lstrip("/"))
    if iana is not None:
        return iana
    windows = _WINDOWS_LOWER.get(name.lower())
    if windows is not None:
        return _iana_zone(windows)
    lowered = name.lower()
    for city, zone in _DISPLAY_CITIES:
        if city in lowered:
            return _iana_zone(zone)
    offset = _OFFSET_NAME.search(name)
    if offset is not None:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta <= timedelta(hours=14):
            return timezone(-delta if sign == "-" else delta)
    return None


def _iana_zone(name: str) -> ZoneInfo | None:
    if "/" not in name and name.upper() != name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
