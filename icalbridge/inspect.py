"""``icalbridge inspect``: tell in plain words what a feed holds and what is wrong with it."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from icalbridge.core.feed import Feed, FeedEvent
from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.platforms import platform_by_id
from icalbridge.core.spans import Nights

EXIT_CALENDAR, EXIT_UNREADABLE, EXIT_NOT_CALENDAR = 0, 1, 2
_KIND_WORDS = {"reserved": "reserved", "tentative": "tentative", "unavailable": "unavailable"}


def feed_as_json(feed: Feed) -> dict[str, Any]:
    """Return a feed as plain JSON values: platform, events and problems.

    All-day spans are ``YYYY-MM-DD`` with an exclusive end; timed ones are ISO 8601 with
    their offset.
    """
    return {
        "platform": feed.platform,
        "name": feed.name,
        "is_calendar": feed.is_calendar,
        "is_truncated": feed.is_truncated,
        "events": [_event_as_json(e) for e in feed.events],
        "problems": [
            {"code": p.code, "message": p.message, **({"uid": p.uid} if p.uid else {})}
            for p in feed.problems
        ],
    }


def describe_feed_text(feed: Feed) -> str:
    """Return a plain-words report of a feed, for a host or a support person."""
    lines: list[str] = []
    if not feed.is_calendar:
        lines.append("This is not a calendar feed.")
    else:
        lines.append(f"Platform: {_platform_name(feed.platform)}")
        if feed.name:
            lines.append(f"Calendar name: {feed.name}")
        if feed.is_truncated:
            lines.append("Warning: the feed is cut off; it cannot be trusted to free any date.")
        lines.append(f"{len(feed.events)} event(s):")
        lines.extend(f"  {_event_line(e)}" for e in feed.events)
    if feed.problems:
        lines.append(f"{len(feed.problems)} problem(s):")
        lines.extend(f"  [{p.code}] {p.message}" for p in feed.problems)
    else:
        lines.append("No problems found.")
    return "\n".join(lines) + "\n"


def inspect_main(argv: list[str]) -> int:
    """Run ``icalbridge inspect FILE [--tz ZONE] [--json]``; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="icalbridge inspect",
        description="Read an .ics file as icalbridge would import it, and report what it holds.",
    )
    parser.add_argument("file", help="the .ics file to read")
    parser.add_argument("--tz", default="Europe/Paris", help="the unit's time zone")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        print(f"Cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return EXIT_UNREADABLE
    today = datetime.now(UTC).date()
    feed = read_feed(data, ReadOptions(today=today, zone=args.tz))
    if args.json:
        print(json.dumps(feed_as_json(feed), ensure_ascii=False, indent=2))
    else:
        print(describe_feed_text(feed), end="")
    return EXIT_CALENDAR if feed.is_calendar else EXIT_NOT_CALENDAR


def _event_as_json(event: FeedEvent) -> dict[str, Any]:
    return {
        "uid": event.uid,
        "recurrence_id": event.recurrence_id,
        "start": _moment_text(event.span.start),
        "end": _moment_text(event.span.end),
        "all_day": event.all_day,
        "kind": str(event.kind),
        "is_block": event.is_block,
        "summary": event.summary,
    }


def _moment_text(moment: date | datetime) -> str:
    return moment.isoformat()


def _event_line(event: FeedEvent) -> str:
    span = event.span
    if isinstance(span, Nights):
        when = f"{span.start.isoformat()} to {span.end.isoformat()} ({span.count} night(s))"
    else:
        when = f"{span.start.isoformat()} to {span.end.isoformat()}"
    block = ", block" if event.is_block else ""
    summary = f" {event.summary!r}" if event.summary else ""
    return f"{when}: {_KIND_WORDS[str(event.kind)]}{block}{summary}"


def _platform_name(platform_id: str | None) -> str:
    if platform_id is None:
        return "not recognised"
    try:
        return platform_by_id(platform_id).name_en
    except KeyError:
        return platform_id
