"""Tell this web process when a feed it keeps may have changed, without a query per request.

Each request used to look its feed up in the database to learn the current version: on
PostgreSQL that round trip was most of the request's CPU (0.24 ms against 0.09 ms on
SQLite, bench B1). Now a process answers a feed it already knows from memory
(``feeds.known_feeds``) for as long as the database has not said otherwise:

- **PostgreSQL**: a trigger on the published feeds (migration 0009) sends
  ``NOTIFY icalbridge_feed_changed`` with the feed's id when a row is updated or deleted,
  and ``*`` when the table is truncated. One thread per web process LISTENs on its own
  connection and forgets what it is told. PostgreSQL delivers a notification as its
  transaction commits, so a changed feed is served within the delivery time (about a
  millisecond; docs/scale.md), on every web machine alike. While the listener is not
  connected, or has just connected and may have missed something, the process forgets
  everything and looks each request up again, as before.
- **SQLite** (one machine): ``PRAGMA data_version`` on a connection of this module's own
  changes whenever another connection commits, in any process. Each request reads it
  (about a microsecond, no table read); when it moved, the process forgets everything.
  A change is thus seen by the very next request.

The process's own writes through the ORM are also forgotten as soon as they commit, so a
process that changes a feed (a reset link) never serves the old one again, even before
the notification comes back.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from functools import partial
from typing import Any, Protocol

from django.conf import settings
from django.db import connections, transaction
from django.db.models.signals import post_delete, post_save

from icalbridge.feeds.known_feeds import known_feeds
from icalbridge.hub.models import PublishedFeed

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "icalbridge_feed_changed"
EVERY_FEED = "*"
PING = "ping"
PING_WAIT_S = 5.0
# The listener checks that notifications still reach it this often, and waits this long
# (doubling up to the maximum) before connecting again after a failure.
LISTENER_CHECK_S = 30.0
RECONNECT_FIRST_S = 0.5
RECONNECT_MAX_S = 30.0


class ChangeWatch(Protocol):
    def vouches(self) -> bool:
        """Return whether every feed this process keeps is still current."""


class SqliteDataVersion:
    """Forget every kept feed when another connection committed to the SQLite database."""

    def __init__(self, path: str, timeout_s: float) -> None:
        self._path, self._timeout_s = path, timeout_s
        self._connection: sqlite3.Connection | None = None
        self._seen: int | None = None
        self._lock = threading.Lock()

    def vouches(self) -> bool:
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = sqlite3.connect(
                        self._path, timeout=self._timeout_s, check_same_thread=False
                    )
                version = self._connection.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error as error:
                log.warning("feed changes unknown, feeds looked up meanwhile: %s", error)
                self._close()
                known_feeds.forget_all()
                return False
            if version != self._seen:
                known_feeds.forget_all()
                self._seen = version
            return True

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection, self._seen = None, None


class PostgresListener:
    """LISTEN for the published feeds' trigger on a connection of its own, in a thread."""

    def __init__(self, connection_params: dict[str, Any]) -> None:
        self._params = connection_params
        self._listening = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def vouches(self) -> bool:
        if self._listening:
            return True
        self._start()
        return False

    def _start(self) -> None:
        with self._lock:
            if self._thread and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="feed-changes", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        import psycopg

        wait_s = RECONNECT_FIRST_S
        while True:
            try:
                with psycopg.connect(**self._params, autocommit=True) as connection:
                    connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    _hear_own_ping(connection)
                    # What changed before LISTEN took effect was never announced.
                    known_feeds.forget_all()
                    self._listening = True
                    wait_s = RECONNECT_FIRST_S
                    while True:
                        for notice in connection.notifies(timeout=LISTENER_CHECK_S):
                            _forget(notice.payload)
                        _hear_own_ping(connection)
            except Exception as error:  # any failure: feeds are looked up meanwhile
                log.warning("feed changes unknown, feeds looked up meanwhile: %s", error)
            finally:
                self._listening = False
                known_feeds.forget_all()
            time.sleep(wait_s)
            wait_s = min(RECONNECT_MAX_S, wait_s * 2)


def _hear_own_ping(connection: Any) -> None:
    """Send a notification to ourselves and wait for it; raise if it does not come back.

    Proves that the connection is alive and that notifications reach it: behind a proxy
    that pools connections per transaction (PgBouncer's transaction mode), LISTEN succeeds
    but what is announced goes elsewhere, and kept feeds would go stale unseen.
    """
    connection.execute(f"NOTIFY {NOTIFY_CHANNEL}, '{PING}'")
    deadline = time.monotonic() + PING_WAIT_S
    while (left_s := deadline - time.monotonic()) > 0:
        for notice in connection.notifies(timeout=left_s, stop_after=1):
            if notice.payload == PING and notice.pid == connection.info.backend_pid:
                return
            _forget(notice.payload)
    raise ConnectionError(f"no notification came back within {PING_WAIT_S} s")


def _forget(payload: str) -> None:
    if payload == EVERY_FEED:
        known_feeds.forget_all()
    elif payload.isdigit():
        known_feeds.forget_feed(int(payload))


def listener_name(pid: int) -> str:
    """Name a web process's listening connection, as PostgreSQL's pg_stat_activity shows it.

    The process number tells an operator (and a test) which web process listens.
    """
    return f"icalbridge feed changes, process {pid}"


_watch: ChangeWatch | None = None
_watch_lock = threading.Lock()


def change_watch() -> ChangeWatch | None:
    """Return this process's watch, made on first use; None when feeds are looked up always."""
    if _watch is not None:
        return _watch
    return _new_watch()


def _new_watch() -> ChangeWatch | None:
    global _watch
    with _watch_lock:
        if _watch is not None:
            return _watch
        if not settings.ICALBRIDGE_FEEDS_IN_MEMORY:
            return None
        database = connections["default"]
        if database.vendor == "postgresql":
            params = {
                **database.get_connection_params(),
                **_LISTENER_PARAMS,
                "application_name": listener_name(os.getpid()),
            }
            _watch = PostgresListener(params)
        elif database.vendor == "sqlite":
            _watch = SqliteDataVersion(
                str(database.settings_dict["NAME"]), settings.ICALBRIDGE_DB_BUSY_TIMEOUT_S
            )
        else:
            return None
        return _watch


_parents_watches: list[ChangeWatch] = []


def _forget_in_child() -> None:
    """Start a forked child with nothing kept and no watch: the parent's thread is not its own."""
    global _watch, _watch_lock
    if _watch is not None:
        # Never closed here: a SQLite connection must not be closed in a child of its process.
        _parents_watches.append(_watch)
    _watch, _watch_lock = None, threading.Lock()
    known_feeds.after_fork()


os.register_at_fork(after_in_child=_forget_in_child)


# A listener on a network that drops its connection silently learns it from TCP keepalives
# within about 20 s, and looks feeds up from then on.
_LISTENER_PARAMS = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 2,
}


def _forget_on_commit(sender: type[PublishedFeed], instance: PublishedFeed, **_: Any) -> None:
    if instance.pk is not None:
        transaction.on_commit(partial(known_feeds.forget_feed, instance.pk))


post_save.connect(_forget_on_commit, sender=PublishedFeed, dispatch_uid="known-feeds-save")
post_delete.connect(_forget_on_commit, sender=PublishedFeed, dispatch_uid="known-feeds-delete")
