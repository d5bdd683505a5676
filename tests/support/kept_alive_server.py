"""A real HTTP/1.1 server on 127.0.0.1 that keeps connections open and says what it saw.

Each connection is numbered; the server records which requests (path and Host) came on
which connection, and can misbehave on a connection's later requests, as a platform's
server does when it closes an idle connection or slows down under load.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CALENDAR = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Fixture//Kept alive//EN\r\n"
    + b"".join(
        b"BEGIN:VEVENT\r\nUID:kept-%d@example.test\r\nDTSTAMP:20260101T000000Z\r\n"
        b"DTSTART;VALUE=DATE:202607%02d\r\nDTEND;VALUE=DATE:202607%02d\r\n"
        b"SUMMARY:Reserved\r\nEND:VEVENT\r\n" % (n, n, n + 1)
        for n in range(1, 29)
    )
    + b"END:VCALENDAR\r\n"
)
ETAG = '"kept-v1"'


class KeptAliveServer:
    """Serve ``CALENDAR`` with an ETag on every path; ``later`` picks how a connection's
    second and later requests are answered: "answer", "drop" (close without a word) or
    "dribble" (a few bytes of the body, then silence)."""

    def __init__(self) -> None:
        self.later = "answer"
        self.connections: list[list[tuple[str, str]]] = []  # per connection: (path, Host)
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/feed.ics", *, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hosts_by_connection(self) -> list[set[str]]:
        with self._lock:
            return [{host for _path, host in requests} for requests in self.connections]

    def requests(self) -> int:
        with self._lock:
            return sum(len(requests) for requests in self.connections)

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        self._server.server_close()

    def __enter__(self) -> KeptAliveServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _handler_for(server: KeptAliveServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            with server._lock:
                server._sockets.append(self.connection)
                server.connections.append([])
                self.number = len(server.connections) - 1

        def do_GET(self) -> None:
            with server._lock:
                requests = server.connections[self.number]
                requests.append((self.path, self.headers.get("Host", "")))
                later = len(requests) > 1
            if later and server.later == "drop":
                self.close_connection = True
                return
            if self.headers.get("If-None-Match") == ETAG:
                self.send_response(304)
                self.send_header("ETag", ETAG)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("ETag", ETAG)
            self.send_header("Content-Length", str(len(CALENDAR)))
            self.end_headers()
            if later and server.later == "dribble":
                self._dribble()
            else:
                self.wfile.write(CALENDAR)

        def _dribble(self) -> None:
            # A few bytes now and then, then silence: each byte restarts a read time-out.
            for start in range(0, 24, 8):
                if server._stopping.wait(0.4):
                    return
                try:
                    self.wfile.write(CALENDAR[start : start + 8])
                    self.wfile.flush()
                except OSError:
                    return
            server._stopping.wait()

    return Handler
