"""Reading a feed's body within a size cap and a wall-clock deadline."""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import os
import re
import socket
import threading
import time
import zlib
from types import TracebackType
from typing import Any, Protocol

import httpx

from icalbridge.wording.fetch_texts import fetch_error_english

_CALENDAR_START = re.compile(rb"BEGIN:VCALENDAR", re.IGNORECASE)


class FetchFailure(Exception):
    """A fetch that ended without a usable body: a stable code and the values of its message.

    ``params`` may hold a ``variant`` that picks the sentence (``wording.fetch_texts``).
    """

    def __init__(
        self, code: str, params: dict[str, str] | None = None, *, retry_after_s: int | None = None
    ) -> None:
        self.code = code
        self.params = params or {}
        self.message = fetch_error_english(code, self.params)
        super().__init__(self.message)
        self.retry_after_s = retry_after_s


class ByteCounter(Protocol):
    bytes_read: int


class Watchdog:
    """Cut the fetch's sockets at the deadline, so no read can outlive the total time-out.

    httpx's read time-out restarts on every received byte, so a server that dribbles a
    byte now and then, or stalls after a slow start, would otherwise hold a worker for as
    long as it likes.
    """

    def __init__(self, deadline: float) -> None:
        self.has_fired = False
        self.deadline = deadline
        self.is_over = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    def __enter__(self) -> Watchdog:
        _DEADLINES.watch(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _DEADLINES.forget(self)

    def watch(self, sock: socket.socket) -> None:
        """Cut this socket too at the deadline (at once if it has passed)."""
        with self._lock:
            self._sockets.append(sock)
            has_fired = self.has_fired
        if has_fired:
            _cut(sock)

    def fire(self) -> None:
        with self._lock:
            self.has_fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _cut(sock)


class _Deadlines:
    """One thread per process fires every watchdog whose deadline has passed.

    A timer thread started and joined for each fetch cost about 0.15 ms of CPU, a sixth
    of an unchanged import's whole fetch. A watchdog is fired under the lock its fetch
    takes to finish, so none fires once its fetch is over.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._waiting: list[tuple[float, int, Watchdog]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        # When the thread wakes up next: a later deadline need not wake it now (waking it
        # for every fetch cost as much as the timer thread it replaces).
        self._wakes_at = math.inf

    def watch(self, watchdog: Watchdog) -> None:
        with self._changed:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="icalbridge-fetch-deadlines", daemon=True
                )
                self._thread.start()
            heapq.heappush(self._waiting, (watchdog.deadline, next(self._order), watchdog))
            if watchdog.deadline < self._wakes_at:
                self._wakes_at = watchdog.deadline
                self._changed.notify()

    def forget(self, watchdog: Watchdog) -> None:
        with self._changed:
            watchdog.is_over = True
            # Fetches end in about the order they started: most leave from the top.
            while self._waiting and self._waiting[0][2].is_over:
                heapq.heappop(self._waiting)

    def after_fork(self) -> None:
        """Start afresh in a forked child: the parent's thread does not exist there."""
        self._changed = threading.Condition()
        self._waiting = []
        self._thread = None
        self._wakes_at = math.inf

    def _run(self) -> None:
        with self._changed:
            while True:
                now = time.monotonic()
                while self._waiting and self._waiting[0][0] <= now:
                    watchdog = heapq.heappop(self._waiting)[2]
                    if not watchdog.is_over:
                        watchdog.fire()
                while self._waiting and self._waiting[0][2].is_over:
                    heapq.heappop(self._waiting)
                self._wakes_at = self._waiting[0][0] if self._waiting else math.inf
                self._changed.wait(None if math.isinf(self._wakes_at) else self._wakes_at - now)


_DEADLINES = _Deadlines()
os.register_at_fork(after_in_child=_DEADLINES.after_fork)


def _cut(sock: socket.socket) -> None:
    # The plain socket's shutdown, not SSLSocket's: that one drops the TLS object under the
    # feet of the thread still reading. A blocked recv() wakes up at once either way.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def read_body(
    response: httpx.Response,
    max_bytes: int,
    deadline: float,
    watchdog: Watchdog,
    counter: ByteCounter,
) -> bytes:
    """Return the decompressed body, stopping as soon as it passes max_bytes or the deadline.

    The raw stream is inflated here, chunk by chunk with a bounded output, so a small
    gzip bomb is stopped at the cap instead of being inflated in memory.
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes, "announced", int(declared))
    inflater = _inflater(response.headers.get("content-encoding", ""))
    parts: list[bytes] = []
    size = 0
    try:
        # No chunk_size: httpx would hold bytes back until a chunk fills, hiding a dribble.
        for chunk in response.iter_raw():
            counter.bytes_read += len(chunk)
            if counter.bytes_read > max_bytes:
                raise _too_large(max_bytes, "read", counter.bytes_read)
            data = chunk if inflater is None else inflater.decompress(chunk, max_bytes - size + 1)
            size += len(data)
            if size > max_bytes:
                raise _too_large(max_bytes, "inflated", size)
            parts.append(data)
            if time.monotonic() > deadline:
                break
        if inflater is not None and not watchdog.has_fired:
            data = inflater.flush()
            size += len(data)
            if size > max_bytes:
                raise _too_large(max_bytes, "inflated", size)
            parts.append(data)
            if not inflater.eof:
                raise FetchFailure("decode_error", {"variant": "cut"})
    except zlib.error as exc:
        raise FetchFailure("decode_error", {"variant": "corrupt"}) from exc
    if watchdog.has_fired or time.monotonic() > deadline:
        # A connection cut by the watchdog can look like a normal end of body.
        raise httpx.ReadTimeout("the total time-out passed while reading")
    return b"".join(parts)


def calendar_body(body: bytes, content_type: str | None) -> bytes:
    """Return the body if it holds a calendar; otherwise say what the server sent instead."""
    if _CALENDAR_START.search(body):
        return body
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024].lower()
    if not body:
        variant = "empty"
    elif not start:
        variant = "blank"
    elif start.startswith(b"<") and (b"<html" in start or b"<!doctype html" in start):
        variant = "html"
    elif start[:1] in (b"{", b"["):
        variant = "json"
    else:
        variant = "other"
    params = {"variant": variant, "size_bytes": str(len(body))}
    if content_type:
        params["content_type"] = content_type
    raise FetchFailure("not_calendar", params)


def _inflater(encoding: str) -> Any:
    codings = [part.strip().lower() for part in encoding.split(",") if part.strip()]
    codings = [coding for coding in codings if coding != "identity"]
    if not codings:
        return None
    if codings in (["gzip"], ["x-gzip"], ["deflate"]):
        # 32 + MAX_WBITS accepts both gzip and zlib headers: servers mix up "deflate".
        return zlib.decompressobj(32 + zlib.MAX_WBITS)
    raise FetchFailure("decode_error", {"variant": "encoding", "encoding": encoding})


def _too_large(max_bytes: int, variant: str, size: int) -> FetchFailure:
    return FetchFailure(
        "too_large",
        {"variant": variant, "limit_bytes": str(max_bytes), "size_bytes": str(size)},
    )
