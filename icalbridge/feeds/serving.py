"""Answer a request for /ical/<token>.ics from stored bytes: one lookup, a check, a write.

Shared by the Django view and the lean WSGI path so that both answer the same way. Each
process keeps the bytes and headers of the feeds it served, and a request revalidates them
with a lookup of the feed's current ETag: the bytes travel from the database once per
version, not once per request. Recording the fetch is queued (icalbridge.feeds.fetch_records):
no answer waits for the database's write lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from icalbridge import clock
from icalbridge.core.user_agents import fetcher_of
from icalbridge.feeds.fetch_records import ExportFetch, fetch_recorder
from icalbridge.feeds.lookup import feed_row
from icalbridge.feeds.probe_limits import feed_probe_limiter
from icalbridge.hub.models import PublishedFeed
from icalbridge.ops.counters import export_not_modified, export_requests

FETCH_RECORD_INTERVAL_S = 60
# The bytes kept per process: a 200-event feed is about 47 KB plain and 6 KB gzipped, so
# this holds well over a thousand feeds; past it, the feeds kept longest are dropped first.
STORED_FEEDS_MAX_BYTES = 64 * 1024 * 1024
_ROW_FIELDS = ("id", "channel_id", "etag", "rendered_at")


@dataclass(frozen=True)
class FeedAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class _StoredFeed:
    """One version of a feed as this process answers it: its bytes and ready headers."""

    etag: str
    rendered_at: datetime | None
    nights: list[object]
    body: bytes
    body_gzip: bytes
    not_modified_headers: list[tuple[str, str]]
    plain_headers: list[tuple[str, str]]
    gzip_headers: list[tuple[str, str]]

    @property
    def size(self) -> int:
        return len(self.body) + len(self.body_gzip)


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
    row = feed_row(token, _ROW_FIELDS)
    if row is None:
        limiter.record_unknown_token(client)
        return _NOT_FOUND
    if not row["etag"]:
        return _NOT_FOUND
    stored = _stored_feed(row["id"], row["etag"], row["rendered_at"])
    if stored is None:
        return _NOT_FOUND  # removed or re-rendered between the two lookups
    export_requests.add()
    if row["channel_id"]:
        record_export_fetch(row["id"], row["channel_id"], stored, user_agent)
    if _is_fresh(stored.etag, stored.rendered_at, if_none_match, if_modified_since):
        export_not_modified.add()
        return FeedAnswer(304, stored.not_modified_headers, b"")
    if "gzip" in (accept_encoding or ""):
        headers, body = stored.gzip_headers, stored.body_gzip
    else:
        headers, body = stored.plain_headers, stored.body
    return FeedAnswer(200, headers, b"" if method == "HEAD" else body)


_stored: OrderedDict[int, _StoredFeed] = OrderedDict()
_stored_bytes = 0
_stored_lock = threading.Lock()


def _stored_feed(feed_id: int, etag: str, rendered_at: datetime | None) -> _StoredFeed | None:
    """Return the feed's version with this ETag, from memory or else from the database."""
    stored = _stored.get(feed_id)
    if stored is not None and stored.etag == etag and stored.rendered_at == rendered_at:
        return stored
    row = (
        PublishedFeed.objects.filter(pk=feed_id, etag=etag)
        .values_list("body", "body_gzip", "nights")
        .first()
    )
    if row is None:
        return None
    body, body_gzip, nights = bytes(row[0] or b""), bytes(row[1] or b""), row[2] or []
    stored = _version_of(etag, rendered_at, nights, body, body_gzip)
    global _stored_bytes
    with _stored_lock:
        previous = _stored.pop(feed_id, None)
        _stored_bytes -= previous.size if previous else 0
        _stored[feed_id] = stored
        _stored_bytes += stored.size
        while _stored_bytes > STORED_FEEDS_MAX_BYTES and len(_stored) > 1:
            _stored_bytes -= _stored.popitem(last=False)[1].size
    return stored


def forget_stored_feeds() -> None:
    """Drop the bytes this process keeps (they are fetched again on the next request)."""
    global _stored_bytes
    with _stored_lock:
        _stored.clear()
        _stored_bytes = 0


def _version_of(
    etag: str, rendered_at: datetime | None, nights: list[object], body: bytes, body_gzip: bytes
) -> _StoredFeed:
    validators = [
        ("ETag", etag),
        ("Cache-Control", "no-cache"),
        ("Vary", "Accept-Encoding"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if rendered_at is not None:
        validators.append(("Last-Modified", format_datetime(rendered_at, usegmt=True)))
    content_type = ("Content-Type", "text/calendar; charset=utf-8")
    return _StoredFeed(
        etag=etag,
        rendered_at=rendered_at,
        nights=nights,
        body=body,
        body_gzip=body_gzip,
        not_modified_headers=validators,
        plain_headers=[*validators, content_type, ("Content-Length", str(len(body)))],
        gzip_headers=[
            *validators,
            content_type,
            ("Content-Length", str(len(body_gzip))),
            ("Content-Encoding", "gzip"),
        ],
    )


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


def record_export_fetch(
    feed_id: int, channel_id: int, served: _StoredFeed, user_agent: str | None
) -> None:
    """Queue the record that a platform fetched a channel's export, once a minute per channel.

    A new version served is always recorded: echo detection (docs/domain.md rule 8) needs to know
    what the platform received at each of its last two fetches.
    """
    # The hub's clock, not the machine's: under a virtual clock two fetches hours apart
    # arrive milliseconds apart, and collapsing them would lose a fetch that rule 8 counts.
    now, etag = clock.now(), served.etag
    with _recorded_lock:
        last = _recorded.get(feed_id)
        if last and last[1] == etag and 0 <= now.timestamp() - last[0] < FETCH_RECORD_INTERVAL_S:
            return
        _recorded[feed_id] = (now.timestamp(), etag)
    fetcher = fetcher_of(user_agent) or ""
    by = f"{fetcher}: {user_agent or ''}" if fetcher else (user_agent or "")
    fetch_recorder.record(ExportFetch(feed_id, channel_id, etag, served.nights, now, by[:200]))
