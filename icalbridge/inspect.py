"""``icalbridge inspect``: tell in plain words what a feed holds and what is wrong with it.

It speaks the reader's language through the catalogues; the command runs it without the
hub's database (``commands.language.setup_translations``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from icalbridge.core.feed import Feed, FeedEvent
from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.platforms import platform_by_id
from icalbridge.core.spans import Nights
from icalbridge.wording.platform_names import platform_name
from icalbridge.wording.problem_texts import read_problem_text

EXIT_CALENDAR, EXIT_UNREADABLE, EXIT_NOT_CALENDAR = 0, 1, 2
# The words of the booking kinds (the catalogue's, as hub.models.Booking names them).
_KIND_WORDS = {
    "reserved": gettext_lazy("reserved"),
    "tentative": gettext_lazy("tentative"),
    "unavailable": gettext_lazy("unavailable"),
}


def feed_as_json(feed: Feed) -> dict[str, Any]:
    """Return a feed as plain JSON values: platform, events and problems.

    All-day spans are ``YYYY-MM-DD`` with an exclusive end; timed ones are ISO 8601 with
    their offset. A problem's message is in the active language, as the API gives it.
    """
    return {
        "platform": feed.platform,
        "name": feed.name,
        "is_calendar": feed.is_calendar,
        "is_truncated": feed.is_truncated,
        "events": [_event_as_json(e) for e in feed.events],
        "problems": [
            {"code": p.code, "message": read_problem_text(p), **({"uid": p.uid} if p.uid else {})}
            for p in feed.problems
        ],
    }


def describe_feed_text(feed: Feed) -> str:
    """Return a plain-words report of a feed, for a host or a support person."""
    lines: list[str] = []
    if not feed.is_calendar:
        lines.append(_("This is not a calendar feed."))
    else:
        lines.append(_("Platform: %(platform)s") % {"platform": _platform_name(feed.platform)})
        if feed.name:
            lines.append(_("Calendar name: %(name)s") % {"name": feed.name})
        if feed.is_truncated:
            lines.append(_("Warning: the feed is cut off; it cannot be trusted to free any date."))
        count = len(feed.events)
        lines.append(ngettext("%(count)d event:", "%(count)d events:", count) % {"count": count})
        lines.extend(f"  {_event_line(e)}" for e in feed.events)
    if feed.problems:
        count = len(feed.problems)
        lines.append(
            ngettext("%(count)d problem:", "%(count)d problems:", count) % {"count": count}
        )
        lines.extend(f"  [{p.code}] {read_problem_text(p)}" for p in feed.problems)
    else:
        lines.append(_("No problems found."))
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
        print(_unreadable(args.file, error), file=sys.stderr)
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
    values = {"start": span.start.isoformat(), "end": span.end.isoformat()}
    if isinstance(span, Nights):
        when = ngettext(
            "%(start)s to %(end)s (%(count)d night)",
            "%(start)s to %(end)s (%(count)d nights)",
            span.count,
        ) % {**values, "count": span.count}
    else:
        when = _("%(start)s to %(end)s") % values
    words = [str(_KIND_WORDS[str(event.kind)])] + ([_("block")] if event.is_block else [])
    summary = f" {event.summary!r}" if event.summary else ""
    return _("%(when)s: %(what)s") % {"when": when, "what": ", ".join(words) + summary}


def _platform_name(platform_id: str | None) -> str:
    if platform_id is None:
        return _("not recognised")
    try:
        return platform_name(platform_by_id(platform_id))
    except KeyError:
        return platform_id


def _unreadable(file: str, error: OSError) -> str:
    """Say why a file cannot be read; the system's own words are English whatever LANG says."""
    if isinstance(error, FileNotFoundError):
        return _("%(file)s does not exist.") % {"file": file}
    if isinstance(error, IsADirectoryError):
        return _("%(file)s is a folder, not a file.") % {"file": file}
    if isinstance(error, PermissionError):
        return _("%(file)s cannot be read: permission denied.") % {"file": file}
    return _("%(file)s cannot be read (%(error)s).") % {"file": file, "error": error}
