"""Parse clean feed text into icalendar components, one by one when the whole will not parse."""

from __future__ import annotations

import re

from icalendar import Calendar, Component

from icalbridge.core.ics_text import CleanFeed

_CALENDAR_PROPERTY = re.compile(r'^([A-Z0-9-]+)(?:;(?:[^:"]|"[^"]*")*)?:(.*)$')


def calendar_properties(clean: CleanFeed) -> dict[str, str]:
    """Return the calendar's own properties by name, first value only, as written."""
    props: dict[str, str] = {}
    for line in clean.calendar_lines:
        match = _CALENDAR_PROPERTY.match(line)
        if match is not None:
            props.setdefault(match.group(1), match.group(2).strip())
    return props


def components_of(clean: CleanFeed) -> tuple[list[Component], int]:
    """Return a feed's components and how many VEVENTs could not be parsed at all."""
    try:
        return list(Calendar.from_ical(clean.text).subcomponents), 0
    except Exception:  # fall back to one component at a time
        pass
    zones_text = ""
    for block in clean.blocks:
        if block.name == "VTIMEZONE" and _parsed(block.text) is not None:
            zones_text += block.text
    components: list[Component] = []
    bad_events = 0
    for block in clean.blocks:
        parsed = _parsed(block.text if block.name == "VTIMEZONE" else zones_text + block.text)
        if parsed is None:
            if block.name == "VEVENT":
                bad_events += 1
            continue
        components.extend(c for c in parsed.subcomponents if c.name == block.name)
    return components, bad_events


def _parsed(body: str) -> Calendar | None:
    try:
        return Calendar.from_ical(f"BEGIN:VCALENDAR\r\n{body}END:VCALENDAR\r\n")
    except Exception:  # one bad component must not lose the others
        return None
