"""Check a pasted import link at once: reachable? a calendar? how many events?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.outbound.fetch import FetchOutcome, fetch_feed, normalise_feed_url
from icalbridge.outbound.policy import fetch_policy
from icalbridge.wording.problem_texts import read_problem_text

FETCH_ERRORS: dict[str, Promise] = {
    "bad_url": _("This is not a calendar link."),
    "connect_error": _("The server could not be reached."),
    "dns_error": _("This server name does not exist."),
    "decode_error": _("The server sent something unreadable."),
    "http_error": _("The server answered with an error: the link may be wrong, expired or reset."),
    "incomplete": _("The calendar arrived incomplete."),
    "not_calendar": _("This link gives a web page, not a calendar."),
    "private_address": _("This link points to a private network address, which is not allowed."),
    "redirect_loop": _("The server sends us round in circles."),
    "timeout": _("The server took too long to answer."),
    "tls_error": _("The server's security certificate is not valid."),
    "too_large": _("The calendar is too large."),
    "too_many_events": _(
        "The calendar holds more events than a channel may import; nothing was changed."
    ),
    "too_many_redirects": _("The server sends us through too many redirects."),
}


@dataclass(frozen=True)
class LinkCheck:
    """What a quick fetch of a pasted link found, for the host to read before saving."""

    is_ok: bool
    headline: str
    detail: str = ""
    events: int = 0
    future_events: int = 0
    first: date | None = None
    last: date | None = None
    platform: str | None = None
    problems: tuple[str, ...] = ()


def check_link(url: str, today: date, zone: str, platform: str | None) -> LinkCheck:
    """Fetch a pasted link once and read it as the importer would; never raise."""
    try:
        normalise_feed_url(url)
    except ValueError as exc:
        return LinkCheck(False, str(FETCH_ERRORS["bad_url"]), str(exc))
    result = fetch_feed(url, None, fetch_policy())
    if result.outcome is FetchOutcome.FAILED:
        headline = FETCH_ERRORS.get(result.error_code or "", _("The link could not be read."))
        return LinkCheck(False, str(headline), result.error_text())
    feed = read_feed(result.body or b"", ReadOptions(today=today, zone=zone, platform=platform))
    if not feed.is_calendar:
        return LinkCheck(False, str(FETCH_ERRORS["not_calendar"]))
    future = [e for e in feed.events if _day_of(e.span.end) >= today]
    days = sorted(_day_of(e.span.start) for e in future)
    return LinkCheck(
        True,
        str(_("This is a calendar.")),
        events=len(feed.events),
        future_events=len(future),
        first=days[0] if days else None,
        last=max((_day_of(e.span.end) for e in future), default=None),
        platform=feed.platform,
        problems=tuple(read_problem_text(p) for p in feed.problems),
    )


def _day_of(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
