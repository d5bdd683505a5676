"""A real HTTP server on 127.0.0.1 that serves feeds and misbehaves on demand."""

from __future__ import annotations

import gzip as gzip_module
import json
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CALENDAR = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Fixture//Feed server//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:fixture-1@example.test\r\nDTSTAMP:20260101T000000Z\r\n"
    b"DTSTART;VALUE=DATE:20260710\r\nDTEND;VALUE=DATE:20260714\r\nSUMMARY:Reserved\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)
LOGIN_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Log in</title></head><body>"
    b'<form method="post"><input name="email"><input type="password" name="password">'
    b"<button>Log in</button></form></body></html>\n"
)
FAULTS = frozenset(
    {
        "status",
        "retry_after",
        "hang",
        "slow_body",
        "html",
        "json",
        "truncated",
        "empty",
        "huge",
        "gzip_bomb",
        "redirect",
        "redirect_loop",
        "redirect_to",
        "wrong_content_type",
        "require_user_agent",
    }
)
_MB = 1024 * 1024


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    time: float  # time.monotonic() when the request line was read

    def header(self, name: str) -> str | None:
        """Return a request header by case-insensitive name."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass(frozen=True)
class _Content:
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    gzip: bool
    headers: dict[str, str]


@dataclass
class _State:
    contents: dict[str, _Content] = field(default_factory=dict)
    faults: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    requests: dict[str, list[RecordedRequest]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


class FeedServer:
    """Serve feeds on 127.0.0.1 from a background thread; start on creation, stop() to end."""

    def __init__(self) -> None:
        self._state = _State()
        handler = type("BoundFeedHandler", (_FeedHandler,), {"state": self._state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # Track handler threads so stop() joins every one of them: no thread outlives a test.
        self._server.daemon_threads = False
        self._server.block_on_close = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def url(self, path: str, *, host: str = "127.0.0.1") -> str:
        """Return the http:// URL of a path on this server."""
        return f"http://{host}:{self.port}{path}"

    def serve(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "text/calendar; charset=utf-8",
        etag: str | None = None,
        last_modified: str | None = None,
        gzip: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Serve this body at path from now on (gzip=True compresses it whatever is asked)."""
        content = _Content(body, content_type, etag, last_modified, gzip, dict(headers or {}))
        with self._state.lock:
            self._state.contents[path] = content

    def fault(self, path: str, kind: str, **options: Any) -> None:
        """Make path misbehave in the named way until clear_fault(path)."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; choose from {sorted(FAULTS)}")
        with self._state.lock:
            self._state.faults[path] = (kind, options)

    def clear_fault(self, path: str) -> None:
        with self._state.lock:
            self._state.faults.pop(path, None)

    def requests(self, path: str) -> list[RecordedRequest]:
        with self._state.lock:
            return list(self._state.requests.get(path, []))

    def stop(self) -> None:
        """Stop serving, release hanging handlers and join every thread."""
        self._state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _FeedHandler(BaseHTTPRequestHandler):
    state: _State
    protocol_version = "HTTP/1.0"  # one request per connection: no idle handler threads
    server_version = "FixtureFeedServer/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        recorded = RecordedRequest(self.command, path, dict(self.headers.items()), time.monotonic())
        with self.state.lock:
            self.state.requests.setdefault(path, []).append(recorded)
            fault = self.state.faults.get(path)
            content = self.state.contents.get(path)
        try:
            if fault is not None and fault[0] != "require_user_agent":
                getattr(self, f"_fault_{fault[0]}")(**fault[1])
            elif fault is not None and not self.headers.get("User-Agent"):
                self._answer(403, b"Forbidden\n", "text/plain")
            elif content is None:
                self._answer(404, b"Not found\n", "text/plain")
            else:
                self._serve_content(content)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a cap or a time-out), which is what tests provoke

    def _serve_content(self, content: _Content) -> None:
        if self._is_unchanged(content):
            extra = {"ETag": content.etag} if content.etag else {}
            if content.last_modified:
                extra["Last-Modified"] = content.last_modified
            self._answer(304, b"", None, extra)
            return
        extra = dict(content.headers)
        if content.etag:
            extra["ETag"] = content.etag
        if content.last_modified:
            extra["Last-Modified"] = content.last_modified
        body = content.body
        if content.gzip:
            body = gzip_module.compress(body)
            extra["Content-Encoding"] = "gzip"
        self._answer(200, body, content.content_type, extra)

    def _is_unchanged(self, content: _Content) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            # If-None-Match wins over If-Modified-Since (RFC 9110, 13.2.2).
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return content.etag is not None and content.etag.removeprefix("W/") in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        return content.last_modified is not None and if_modified_since == content.last_modified

    def _answer(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str] | None = None,
        *,
        content_length: int | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header(
            "Content-Length", str(len(body) if content_length is None else content_length)
        )
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _fault_status(self, code: int = 500, body: bytes = b"") -> None:
        self._answer(code, body, "text/plain")

    def _fault_retry_after(self, code: int = 429, seconds: int | str = 120) -> None:
        self._answer(code, b"Slow down\n", "text/plain", {"Retry-After": str(seconds)})

    def _fault_hang(self) -> None:
        # Accept the request and never answer, until the client leaves or the server stops.
        self.state.stopping.wait(timeout=30)

    def _fault_slow_body(
        self,
        body: bytes = CALENDAR,
        chunk: int = 8,
        interval_s: float = 0.2,
        stall_after: int | None = None,
    ) -> None:
        # Dribble the body; with stall_after, fall silent after that many chunks.
        self._answer(200, b"", "text/calendar", content_length=len(body))
        for number, start in enumerate(range(0, len(body), chunk)):
            if number == stall_after:
                self.state.stopping.wait(timeout=30)
                return
            if self.state.stopping.wait(timeout=interval_s):
                return
            self.wfile.write(body[start : start + chunk])
            self.wfile.flush()

    def _fault_html(self) -> None:
        self._answer(200, LOGIN_PAGE, "text/html; charset=utf-8")

    def _fault_json(self) -> None:
        body = json.dumps({"error": "unauthorized", "message": "Invalid token"}).encode()
        self._answer(200, body, "application/json")

    def _fault_truncated(self, honest_length: bool = False) -> None:
        # Cut in the middle of the VEVENT; by default announce the full length, as a server
        # whose connection drops does, otherwise announce the cut length, as a broken file.
        cut = CALENDAR[: CALENDAR.index(b"DTEND")]
        length = len(cut) if honest_length else len(CALENDAR)
        self._answer(200, cut, "text/calendar", content_length=length)

    def _fault_empty(self) -> None:
        self._answer(200, b"", "text/calendar")

    def _fault_huge(self, mb: int = 50, announce_length: bool = False) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        if announce_length:
            self.send_header("Content-Length", str(mb * _MB))
        self.end_headers()
        block = b"X" * (64 * 1024)
        for _ in range(mb * 16):
            if self.state.stopping.is_set():
                return
            self.wfile.write(block)

    def _fault_gzip_bomb(self, mb: int = 100) -> None:
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        zeros = bytes(_MB)
        body = b"".join(packer.compress(zeros) for _ in range(mb)) + packer.flush()
        self._answer(200, body, "text/calendar", {"Content-Encoding": "gzip"})

    def _fault_redirect(self, to: str = "/", code: int = 302) -> None:
        self._answer(code, b"", None, {"Location": to})

    def _fault_redirect_loop(self, code: int = 302) -> None:
        self._answer(code, b"", None, {"Location": self.path})

    def _fault_redirect_to(self, url: str, code: int = 302) -> None:
        self._answer(code, b"", None, {"Location": url})

    def _fault_wrong_content_type(
        self, body: bytes = CALENDAR, content_type: str = "text/html; charset=utf-8"
    ) -> None:
        self._answer(200, body, content_type)
