"""Slow down clients that guess feed tokens: too many unknown tokens, then 429 for a while.

A token has 192 random bits, so guessing is hopeless anyway; the limit keeps a prober from
costing the hub a database lookup per guess and makes the probing visible. The state is
in-process and bounded (least recently seen clients are forgotten first): each web server
worker counts on its own, so a prober spread over N workers gets at most N times the limit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from icalbridge import clock

WINDOW_S = 60.0
MAX_CLIENTS = 10_000


@dataclass
class _Client:
    window_start: float
    failures: int = 0
    blocked_until: float = 0.0


def hub_seconds() -> float:
    """Return the hub's clock in seconds: virtual under a simulation, else the real one."""
    return clock.now().timestamp()


class ProbeLimiter:
    """Count unknown-token requests per client; block a client that makes too many."""

    def __init__(
        self,
        *,
        max_failures: int,
        block_s: float,
        window_s: float = WINDOW_S,
        max_clients: int = MAX_CLIENTS,
        seconds: Callable[[], float] = hub_seconds,
    ) -> None:
        self.max_failures = max_failures
        self.block_s = block_s
        self.window_s = window_s
        self.max_clients = max_clients
        self.seconds = seconds
        self._clients: OrderedDict[str, _Client] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after_s(self, client: str) -> int | None:
        """Return how many seconds a blocked client must wait, or None when it may ask."""
        if self.max_failures <= 0 or client not in self._clients:
            return None
        now = self.seconds()
        with self._lock:
            state = self._clients.get(client)
            if state is None or state.blocked_until <= now:
                return None
            return max(1, int(state.blocked_until - now + 0.999))

    def record_unknown_token(self, client: str) -> None:
        """Count one request for a token that does not exist; block past the limit."""
        if self.max_failures <= 0:
            return
        now = self.seconds()
        with self._lock:
            state = self._clients.pop(client, None)
            if state is None or now - state.window_start >= self.window_s:
                state = _Client(window_start=now, blocked_until=state.blocked_until if state else 0)
            state.failures += 1
            if state.failures >= self.max_failures:
                state.blocked_until = now + self.block_s
                state.failures = 0
                state.window_start = now
            self._clients[client] = state
            while len(self._clients) > self.max_clients:
                self._clients.popitem(last=False)

    def forget_all(self) -> None:
        with self._lock:
            self._clients.clear()


_limiter: ProbeLimiter | None = None
_limiter_lock = threading.Lock()


def feed_probe_limiter() -> ProbeLimiter:
    """Return this process's limiter, configured from the settings on first use."""
    global _limiter
    with _limiter_lock:
        if _limiter is None:
            _limiter = ProbeLimiter(
                max_failures=settings.ICALBRIDGE_FEED_PROBE_LIMIT,
                block_s=settings.ICALBRIDGE_FEED_PROBE_BLOCK_S,
            )
        return _limiter
