"""A lean WSGI path for /ical/: feeds skip the sessions, auth and CSRF they never use."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from icalbridge.feeds.serving import answer_feed_request
from icalbridge.security import client_address

_FEED_PATH = re.compile(r"^/ical/([A-Za-z0-9_-]{16,64})\.ics$")
_REASONS = {
    200: "200 OK",
    304: "304 Not Modified",
    404: "404 Not Found",
    429: "429 Too Many Requests",
}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def with_lean_feed_path(app: WsgiApp) -> WsgiApp:
    """Wrap the Django application so that feed requests are answered before its middleware."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        match = _FEED_PATH.match(environ.get("PATH_INFO", ""))
        method = environ.get("REQUEST_METHOD", "GET")
        if match is None or method not in ("GET", "HEAD"):
            return app(environ, start_response)
        answer = answer_feed_request(
            match.group(1),
            method=method,
            if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
            if_modified_since=environ.get("HTTP_IF_MODIFIED_SINCE"),
            accept_encoding=environ.get("HTTP_ACCEPT_ENCODING"),
            user_agent=environ.get("HTTP_USER_AGENT"),
            client=client_address(environ),
            from_memory=True,
        )
        start_response(_REASONS.get(answer.status, str(answer.status)), answer.headers)
        return [answer.body]

    return application
