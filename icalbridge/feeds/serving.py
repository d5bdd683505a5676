"""Answer a request for /ical/<token>.ics from stored bytes: a check and a write.

Shared by the Django view and the lean WSGI path so that both answer the same way. Each
process keeps the feeds it served, bytes and ready headers (``feeds.known_feeds``). The
lean path answers a feed it knows without asking the database for as long as
``feeds.feed_changes`` vouches that nothing changed; else, and always in the Django view
(which may run inside a transaction of its own), a request looks up the feed's current
ETag by its token, and the bytes travel from the database once per version. Recording the
fetch is queued (icalbridge.feeds.fetch_records): no answer waits for the database's write
lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Literal

from django.db import connection

from icalbridge import clock
from icalbridge.core.user_agents import fetcher_of
from icalbridge.feeds.feed_changes import change_watch
from icalbridge.feeds.fetch_records import ExportFetch, fetch_recorder
from icalbridge.feeds.known_feeds import KnownFeed, StoredFeed, known_feeds
from icalbridge.feeds.lookup import feed_row
from icalbridge.feeds.probe_limits import feed_probe_limiter
from icalbridge.hub.models import PublishedFeed
from icalbridge.ops.counters import export_not_modified, export_requests

FETCH_RECORD_INTERVAL_S = 60
_ROW_FIELDS = ("id", "channel_id", "etag", "rendered_at")


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
    from_memory: bool = False,
) -> FeedAnswer:
    """Return the answer to a GET or HEAD of a feed; unknown tokens get a bare 404.

    A client that asked for too many unknown tokens gets 429 with Retry-After for a while.
    ``from_memory`` lets a feed this process knows be answered without a lookup, when the
    watch on feed changes vouches for it.
    """
    limiter = feed_probe_limiter()
    retry_after_s = limiter.retry_after_s(client)
    if retry_after_s is not None:
        return _too_many(retry_after_s)
    known = None
    if from_memory:
        watch = change_watch()
        if watch is not None and watch.vouches():
            known = known_feeds.by_token(token)
    if known is None:
        found = _look_up(token)
        if found == "no such feed":
            limiter.record_unknown_token(client)
        if isinstance(found, str):
            return _NOT_FOUND
        known = found
    stored = known.stored
    export_requests.add()
    if known.channel_id:
        record_export_fetch(known.feed_id, known.channel_id, stored, user_agent)
    if _is_fresh(stored.etag, stored.rendered_at, if_none_match, if_modified_since):
        export_not_modified.add()
        return FeedAnswer(304, stored.not_modified_headers, b"")
    if "gzip" in (accept_encoding or ""):
        headers, body = stored.gzip_headers, stored.body_gzip
    else:
        headers, body = stored.plain_headers, stored.body
    return FeedAnswer(200, headers, b"" if method == "HEAD" else body)


def _look_up(token: str) -> KnownFeed | Literal["no such feed", "no bytes yet"]:
    """Return the current version of the feed a token names, or why there is none.

    A feed re-rendered between reading its version and reading its bytes is looked up again:
    a platform that got a 404 for a link that works could take it for removed.
    """
    while True:
        generation = known_feeds.generation
        row = feed_row(token, _ROW_FIELDS)
        if row is None:
            return "no such feed"
        if not row["etag"]:
            return "no bytes yet"
        known = _current_version(token, row, generation)
        if known is not None:
            return known


def _current_version(token: str, row: dict[str, Any], generation: int) -> KnownFeed | None:
    """Return the version a feed row names, kept in memory for the next requests.

    None when the feed was removed or re-rendered since the row was read.
    """
    feed_id, etag, rendered_at = row["id"], row["etag"], row["rendered_at"]
    previous = known_feeds.by_id(feed_id)
    if previous and previous.stored.etag == etag and previous.stored.rendered_at == rendered_at:
        stored = previous.stored
    else:
        values = (
            PublishedFeed.objects.filter(pk=feed_id, etag=etag)
            .values_list("body", "body_gzip", "nights")
            .first()
        )
        if values is None:
            return None  # removed or re-rendered between the two lookups
        body, body_gzip, nights = bytes(values[0] or b""), bytes(values[1] or b""), values[2]
        stored = _version_of(etag, rendered_at, nights or [], body, body_gzip)
    known = KnownFeed(token, feed_id, row["channel_id"], stored)
    # What a transaction not yet committed shows may never be: only committed rows are kept.
    if not connection.in_atomic_block:
        known_feeds.keep(known, generation)
    return known


def forget_stored_feeds() -> None:
    """Drop the feeds this process keeps (they are looked up again on the next request)."""
    known_feeds.forget_all()


def _version_of(
    etag: str, rendered_at: datetime | None, nights: list[object], body: bytes, body_gzip: bytes
) -> StoredFeed:
    validators = [
        ("ETag", etag),
        ("Cache-Control", "no-cache"),
        ("Vary", "Accept-Encoding"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if rendered_at is not None:
        validators.append(("Last-Modified", format_datetime(rendered_at, usegmt=True)))
    content_type = ("Content-Type", "text/calendar; charset=utf-8")
    return StoredFeed(
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
    feed_id: int, channel_id: int, served: StoredFeed, user_agent: str | None
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
