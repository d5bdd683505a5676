"""Connections kept open to the servers feeds come from: per thread, per host.

A worker polls the same few platforms again and again. A new connection for every poll
cost a TCP handshake, and over HTTPS a TLS handshake and a certificate check: about 3 ms of
CPU for a 304, against under 1 ms on a kept connection (B8), and as much for the platform.
So each thread keeps one client per (scheme, host, port): a connection in it only ever
carries requests for the host it was opened for, under the name its certificate was
checked against, and each request still goes to the address the guard checked for it (a
new address: a new connection in the same client).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

# How long an idle connection stays open: platforms keep theirs about a minute (nginx 75 s).
IDLE_S = 30.0
# How many hosts a thread keeps connections to; the least recently used goes first.
HOSTS_PER_THREAD = 16

Origin = tuple[str, str, int]  # scheme, host as named in the link, port


@dataclass
class KeptClient:
    """One host's client, and the sockets its connections opened (for the deadline)."""

    origin: Origin
    client: httpx.Client
    used_at: float = field(default_factory=time.monotonic)
    sockets: list[socket.socket] = field(default_factory=list)

    def open_sockets(self) -> list[socket.socket]:
        """Return the sockets still open, forgetting the closed ones."""
        self.sockets = [s for s in self.sockets if s.fileno() != -1]
        return self.sockets


class _Kept(threading.local):
    def __init__(self) -> None:
        self.clients: OrderedDict[Origin, KeptClient] = OrderedDict()


_KEPT = _Kept()


def kept_client(origin: Origin, new_client: Callable[[], httpx.Client]) -> KeptClient:
    """Return this thread's client for ``origin``, made by ``new_client()`` the first time.

    Clients idle for longer than ``IDLE_S`` are closed on the way, and the least recently
    used one when the thread keeps more than ``HOSTS_PER_THREAD``.
    """
    clients, now = _KEPT.clients, time.monotonic()
    for idle in [k for k in clients.values() if now - k.used_at > IDLE_S]:
        forget(idle)
    kept = clients.get(origin)
    if kept is None:
        kept = clients[origin] = KeptClient(origin, new_client())
        while len(clients) > HOSTS_PER_THREAD:
            forget(next(iter(clients.values())))
    clients.move_to_end(origin)
    kept.used_at = now
    return kept


def forget(kept: KeptClient) -> None:
    """Close a client's connections and make the next request to its host open a new one."""
    if _KEPT.clients.get(kept.origin) is kept:
        del _KEPT.clients[kept.origin]
    kept.client.close()


def close_kept_connections() -> None:
    """Close every connection this thread keeps: the next request to each host opens one."""
    for kept in list(_KEPT.clients.values()):
        forget(kept)


def _start_afresh_after_fork() -> None:
    # The parent's connections are the parent's: the child opens its own. Closing them
    # here could send a TLS close to a server the parent still talks to.
    global _KEPT
    _KEPT = _Kept()


os.register_at_fork(after_in_child=_start_afresh_after_fork)
