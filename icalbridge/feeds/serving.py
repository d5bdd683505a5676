"""Answer a request for /ical/<token>.ics from stored bytes: one lookup, a check, a write.

Shared by the Django view and the lean WSGI path so that both answer the same way.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from django.db import transaction
from django.db.models import F

from icalbridge import clock
from icalbridge.core.user_agents import fetcher_of
from icalbridge.feeds.lookup import feed_row
from icalbridge.feeds.probe_limits import feed_probe_limiter
from icalbridge.hub.models import Channel, PublishedFeed
from icalbridge.ops.counters import export_not_modified, export_requests
from icalbridge.sync.export_loop import record_fetch

FETCH_RECORD_INTERVAL_S = 60
SERVED_HISTORY_LENGTH = 2


@dataclass(frozen=True)
class FeedAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


_NOT_FOUND = FeedAnswer(404, [("Content-Type", "text/plain; charset=utf-8")], b"Not found\n")


def _too_many(retry_after_s: int) -> FeedAnswer:
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Retry-After", str(retry_after_s))]
    return FeedAnswer(429, headers, b"Too many unknown links from this address; wait.\n")


def answer_feed_request(
    token: str,
    *,
    method: str,
    if_none_match: str | None,
    if_modified_since: str | None,
    accept_encoding: str | None,
    user_agent: str | None,
    client: str = "",
) -> FeedAnswer:
    """Return the answer to a GET or HEAD of a feed; unknown tokens get a bare 404.

    A client that asked for too many unknown tokens gets 429 with Retry-After for a while.
    """
    limiter = feed_probe_limiter()
    retry_after_s = limiter.retry_after_s(client)
    if retry_after_s is not None:
        return _too_many(retry_after_s)
    conditional = bool(if_none_match or if_modified_since)
    fields = ["id", "channel_id", "etag", "rendered_at"]
    gzip_ok = "gzip" in (accept_encoding or "")
    body_field = "body_gzip" if gzip_ok else "body"
    if not conditional and method == "GET":
        fields.append(body_field)
    row = feed_row(token, fields)
    if row is None:
        limiter.record_unknown_token(client)
        return _NOT_FOUND
    if not row["etag"]:
        return _NOT_FOUND
    export_requests.add()
    if row["channel_id"]:
        record_export_fetch(row["id"], row["channel_id"], row["etag"], user_agent)
    headers = _feed_headers(row["etag"], row["rendered_at"])
    if _is_fresh(row["etag"], row["rendered_at"], if_none_match, if_modified_since):
        export_not_modified.add()
        return FeedAnswer(304, headers, b"")
    if body_field not in row:
        row[body_field] = (
            PublishedFeed.objects.filter(pk=row["id"]).values_list(body_field, flat=True).first()
        )
    body = bytes(row[body_field] or b"")
    headers.append(("Content-Type", "text/calendar; charset=utf-8"))
    headers.append(("Content-Length", str(len(body))))
    if gzip_ok:
        headers.append(("Content-Encoding", "gzip"))
    return FeedAnswer(200, headers, b"" if method == "HEAD" else body)


def _feed_headers(etag: str, rendered_at: datetime | None) -> list[tuple[str, str]]:
    headers = [
        ("ETag", etag),
        ("Cache-Control", "no-cache"),
        ("Vary", "Accept-Encoding"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if rendered_at is not None:
        headers.append(("Last-Modified", format_datetime(rendered_at, usegmt=True)))
    return headers


def _is_fresh(
    etag: str,
    rendered_at: datetime | None,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> bool:
    if if_none_match:
        candidates = {c.strip().removeprefix("W/") for c in if_none_match.split(",")}
        return etag in candidates or "*" in candidates
    if if_modified_since and rendered_at is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since is not None and rendered_at <= since
    return False


_recorded: dict[int, tuple[float, str]] = {}
_recorded_lock = threading.Lock()


def record_export_fetch(feed_id: int, channel_id: int, etag: str, user_agent: str | None) -> None:
    """Record that a platform fetched a channel's export, at most once a minute per channel.

    A new version served is always recorded: echo detection (docs/domain.md rule 8) needs to know
    what the platform received at each of its last two fetches.
    """
    # The hub's clock, not the machine's: under a virtual clock two fetches hours apart
    # arrive milliseconds apart, and collapsing them would lose a fetch that rule 8 counts.
    now = clock.now()
    with _recorded_lock:
        last = _recorded.get(feed_id)
        if last and last[1] == etag and 0 <= now.timestamp() - last[0] < FETCH_RECORD_INTERVAL_S:
            return
        _recorded[feed_id] = (now.timestamp(), etag)
    fetcher = fetcher_of(user_agent) or ""
    by = f"{fetcher}: {user_agent or ''}" if fetcher else (user_agent or "")
    record_fetch(channel_id, etag, now, by)
    fetched = {
        "last_export_fetch_at": now,
        "last_export_fetch_by": by[:200],
        "export_fetch_count": F("export_fetch_count") + 1,
    }
    # Most fetches get the version the platform already got at its last two: the history
    # has nothing to learn, and one UPDATE records the fetch.
    got_it_twice = {f"served_history__{i}__etag": etag for i in range(SERVED_HISTORY_LENGTH)}
    if Channel.objects.filter(pk=channel_id, **got_it_twice).update(**fetched):
        return
    nights = PublishedFeed.objects.filter(pk=feed_id).values_list("nights", flat=True).first()
    with transaction.atomic():
        channel = (
            Channel.objects.select_for_update().filter(pk=channel_id).only("served_history").first()
        )
        if channel is None:
            return
        history = list(channel.served_history or [])
        entry = {"etag": etag, "nights": nights or []}
        settled = len(history) >= SERVED_HISTORY_LENGTH and all(
            h.get("etag") == etag for h in history[:SERVED_HISTORY_LENGTH]
        )
        if not settled:
            history = [entry, *history][:SERVED_HISTORY_LENGTH]
        Channel.objects.filter(pk=channel_id).update(**fetched, served_history=history)
