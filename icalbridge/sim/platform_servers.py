"""Each platform as a real HTTP server on 127.0.0.1, serving its listings' calendars."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from icalbridge.sim.platform_styles import render_listing
from icalbridge.sim.world_state import Listing

# Abritel answers conditional requests; Airbnb and Booking.com stamp every answer with the
# fetch time and send no validator, so the hub reads them whole and compares fingerprints.
_SENDS_ETAG = frozenset({"abritel"})


class PlatformServer:
    """Serve ``/calendar/<listing key>.ics`` for one platform's listings."""

    def __init__(
        self,
        source: str,
        listings: dict[str, Listing],
        now: Callable[[], datetime],
        today: Callable[[], int],
    ) -> None:
        self.source = source
        self.fetches = 0
        attributes = {"server_of": self, "listings": listings, "now": now, "today": today}
        handler = type("ListingHandler", (_ListingHandler,), attributes)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/calendar/{key}.ics"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _ListingHandler(BaseHTTPRequestHandler):
    server_of: PlatformServer
    listings: dict[str, Listing]
    now: Callable[[], datetime]
    today: Callable[[], int]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the simulation reports what matters."""

    def do_GET(self) -> None:
        key = self.path.removeprefix("/calendar/").removesuffix(".ics")
        listing = type(self).listings.get(key)
        if listing is None:
            self._answer(404, b"Not found\n", {})
            return
        source = type(self).server_of.source
        type(self).server_of.fetches += 1
        content = listing.content(type(self).today())
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if source in _SENDS_ETAG:
            etag = '"' + hashlib.sha256(repr(content).encode()).hexdigest()[:24] + '"'
            headers["ETag"] = etag
            if self.headers.get("If-None-Match") == etag:
                self._answer(304, b"", headers)
                return
        self._answer(200, render_listing(source, content, type(self).now()), headers)

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
