"""Bound what one feed may bring in: how many events, how long and how clean each text.

A legal 9.5 MB feed of 170,000 one-line events once took the hub's write lock for 25
minutes; a NUL in a summary makes PostgreSQL refuse the row, and bidirectional overrides
turn a title around on the host's page. So, after reading and before reconciling: a feed
with more events inside the reading window than the cap is refused whole (nothing
changed, as a doubtful feed, docs/domain.md rule 7), and every text kept is cleaned of control
and bidirectional-override characters and cut to a length, each cut reported.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from icalbridge.core.feed import Feed, FeedEvent, Problem
from icalbridge.core.ics_text import problem
from icalbridge.core.spans import Nights

DEFAULT_MAX_EVENTS = 20_000
DEFAULT_MAX_TEXT_CHARS = 200
# Stored keys are at most 500 characters (Booking.remote_uid); a longer UID is shortened
# to a stable digest, so that the event keeps one identity from one import to the next.
MAX_KEY_CHARS = 400

# C0 controls but tab, line feed and carriage return (turned into spaces), DEL, the C1
# controls, and the bidirectional embeddings, overrides and isolates (U+202A-202E,
# U+2066-2069) that make a text read backwards or spill over what follows it.
_BLANKS = {ord("\t"): " ", ord("\n"): " ", ord("\r"): " "}
_DROPPED = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F)]
_DROPPED += [*range(0x2066, 0x206A)]
_DTSTART = re.compile(rb"^DTSTART[^:\r\n]*:(\d{8})", re.MULTILINE)
_CLEAN = str.maketrans({**{c: None for c in _DROPPED}, **_BLANKS})


@dataclass(frozen=True)
class FeedLimits:
    """The caps one import applies; ``window`` is the reading window [first, last)."""

    window: tuple[date, date]
    max_events: int = DEFAULT_MAX_EVENTS
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS


@dataclass(frozen=True)
class LimitedFeed:
    """A feed within its limits; ``events_in_window`` counted against ``max_events``."""

    feed: Feed
    events_in_window: int
    is_over_cap: bool


def dated_events_in_window(data: bytes, window: tuple[date, date]) -> int:
    """Count the events whose DTSTART date falls in the window, from the raw bytes.

    A lower bound of what reading would keep in the window, found in a fraction of a
    second: a feed already over the cap by this count is refused before it is parsed,
    which would take minutes and hundreds of megabytes for 170,000 events.
    """
    first, last = (day.strftime("%Y%m%d").encode() for day in window)
    return sum(1 for m in _DTSTART.finditer(data) if first <= m.group(1) < last)


def clean_text(text: str) -> str:
    """Return a text without control or bidirectional-override characters."""
    # Bidirectional controls are format characters, which are not printable either.
    return text if text.isprintable() else text.translate(_CLEAN)


def limit_feed(feed: Feed, limits: FeedLimits) -> LimitedFeed:
    """Count the feed's events in the window, and clean and cut every text it carries.

    Over the cap, the feed comes back unchanged with ``is_over_cap`` set: nothing of it
    may be applied. Otherwise each summary is cleaned and cut to ``max_text_chars``, each
    UID cleaned and shortened to a stable digest past ``MAX_KEY_CHARS``, and a problem
    says how many texts were changed.
    """
    first, last = limits.window
    in_window = sum(1 for e in feed.events if _overlaps(e, first, last))
    if in_window > limits.max_events:
        return LimitedFeed(feed, in_window, True)
    cut = cleaned = 0
    events: list[FeedEvent] = []
    for event in feed.events:
        summary = clean_text(event.summary)
        uid = _safe_uid(event)
        cleaned += summary != event.summary or clean_text(event.uid) != event.uid
        if len(summary) > limits.max_text_chars:
            summary = summary[: limits.max_text_chars].rstrip() + "…"
            cut += 1
        if summary != event.summary or uid != event.uid:
            event = replace(event, summary=summary, uid=uid)
        events.append(event)
    problems = list(feed.problems)
    if cut:
        problems.append(_text_cut(cut, limits.max_text_chars))
    if cleaned:
        problems.append(_text_cleaned(cleaned))
    name = clean_text(feed.name)[: limits.max_text_chars] if feed.name else feed.name
    limited = replace(feed, events=tuple(events), problems=tuple(problems), name=name)
    return LimitedFeed(limited, in_window, False)


def too_many_events(count: int, cap: int) -> Problem:
    return problem(
        "too_many_events",
        f"The feed holds {count} events in the dates we read, more than the {cap} allowed; "
        "nothing was changed.",
        count=count,
        cap=cap,
    )


def _text_cut(count: int, cap: int) -> Problem:
    return problem(
        "text_cut",
        f"{count} event title(s) longer than {cap} characters were cut.",
        count=count,
        cap=cap,
    )


def _text_cleaned(count: int) -> Problem:
    return problem(
        "text_cleaned",
        f"{count} event(s) carried control or text-direction characters; they were removed.",
        count=count,
    )


def _safe_uid(event: FeedEvent) -> str:
    uid = clean_text(event.uid)
    if uid == event.uid and len(event.key) <= MAX_KEY_CHARS:
        return uid
    if len(uid) + len(event.key) - len(event.uid) <= MAX_KEY_CHARS:
        return uid
    digest = hashlib.sha256(event.uid.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{uid[:64]}~{digest}"


def _overlaps(event: FeedEvent, first: date, last: date) -> bool:
    span = event.span
    if isinstance(span, Nights):
        return span.start < last and span.end > first
    start, end = _day(span.start), _day(span.end)
    return start < last and end >= first


def _day(value: datetime) -> date:
    return value.date()
