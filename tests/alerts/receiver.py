"""A real HTTP server on 127.0.0.1 that records webhook POSTs and fails on demand."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """Return a request header by case-insensitive name."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class _State:
    received: list[Received] = field(default_factory=list)
    status: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)


class WebhookReceiver:
    """Answer every POST with ``status`` (200 until told otherwise) and keep what came."""

    def __init__(self) -> None:
        state = _State()
        self._state = state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with state.lock:
                    state.received.append(Received(self.path, dict(self.headers), body))
                    status = state.status
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"no")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def fail_with(self, status: int) -> None:
        with self._state.lock:
            self._state.status = status

    def succeed(self) -> None:
        self.fail_with(200)

    @property
    def received(self) -> list[Received]:
        with self._state.lock:
            return list(self._state.received)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
