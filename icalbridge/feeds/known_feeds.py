"""The feeds this web process has served: each one's token, channel, bytes and ready headers.

A request for a feed this process knows, while ``feeds.feed_changes`` vouches that nothing
it knows has changed since, is answered from here without asking the database. Everything
that can change a feed (new bytes, a reset token, a removed channel) makes the process
forget that feed: ``forget_feed`` for one, ``forget_all`` when it cannot tell which.

A lookup that started before a feed was forgotten must not put the old version back: each
``forget`` moves a generation on, and ``keep`` refuses a version read in an older one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

# The bytes kept per process: a 200-event feed is about 47 KB plain and 6 KB gzipped, so
# this holds well over a thousand feeds; past it, the feeds kept longest are dropped first.
KNOWN_FEEDS_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class StoredFeed:
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


@dataclass(frozen=True)
class KnownFeed:
    """A feed as found by its token: its row, its channel (None for an agenda) and version."""

    token: str
    feed_id: int
    channel_id: int | None
    stored: StoredFeed


class KnownFeeds:
    """The feeds of one process, bounded in bytes, found by token or by row id."""

    def __init__(self, max_bytes: int = KNOWN_FEEDS_MAX_BYTES) -> None:
        self._max_bytes = max_bytes
        self._by_id: OrderedDict[int, KnownFeed] = OrderedDict()
        self._id_of_token: dict[str, int] = {}
        self._bytes = 0
        self._generation = 0
        self._lock = threading.Lock()

    @property
    def generation(self) -> int:
        """The count of forgets so far: read it before a lookup, hand it to ``keep``."""
        return self._generation

    def by_token(self, token: str) -> KnownFeed | None:
        feed_id = self._id_of_token.get(token)
        return None if feed_id is None else self._by_id.get(feed_id)

    def by_id(self, feed_id: int) -> KnownFeed | None:
        return self._by_id.get(feed_id)

    def keep(self, known: KnownFeed, generation: int) -> None:
        """Keep a feed read from the database, unless something was forgotten since."""
        with self._lock:
            if generation != self._generation:
                return
            self._drop(known.feed_id)
            self._by_id[known.feed_id] = known
            self._id_of_token[known.token] = known.feed_id
            self._bytes += known.stored.size
            while self._bytes > self._max_bytes and len(self._by_id) > 1:
                self._drop(next(iter(self._by_id)))

    def forget_feed(self, feed_id: int) -> None:
        with self._lock:
            self._generation += 1
            self._drop(feed_id)

    def forget_all(self) -> None:
        with self._lock:
            self._generation += 1
            self._by_id.clear()
            self._id_of_token.clear()
            self._bytes = 0

    def after_fork(self) -> None:
        """Start empty in a forked child, with a lock of its own (the parent's may be held)."""
        self._lock = threading.Lock()
        self.forget_all()

    def _drop(self, feed_id: int) -> None:
        known = self._by_id.pop(feed_id, None)
        if known is not None:
            self._bytes -= known.stored.size
            if self._id_of_token.get(known.token) == feed_id:
                del self._id_of_token[known.token]


known_feeds = KnownFeeds()
