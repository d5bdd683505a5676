"""A real OAuth 2.0 server on 127.0.0.1 in front of a real Radicale, as Google's CalDAV is.

One HTTP server plays Google's three parts:

- ``/authorize``: the consent page. It checks what the hub asks (client, redirect address,
  scope, offline access, PKCE) and sends the browser back with a code, as a person who
  clicked "Allow" would be sent (or with ``error=access_denied`` when ``refuse_consent``).
- ``/token``: the token endpoint (RFC 6749): an authorization code (with its PKCE verifier)
  or a refresh token in, an access token out. It counts its calls, and a refresh token can
  be revoked.
- everything else: a CalDAV server that takes only a live bearer token. Each request is
  checked, then passed to Radicale under the teacher's own login; without a live token the
  answer is 401, as Google's.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.support.radicale import PASSWORD, USER, Radicale

CLIENT_ID = "1234-hub.apps.googleusercontent.test"
CLIENT_SECRET = "GOCSPX-client-secret-of-the-hub"
SCOPE = "https://www.googleapis.com/auth/calendar"
# Radicale's own answers carry these; a proxy that passed them on would break the framing.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass
class _Grant:
    refresh_token: str
    revoked: bool = False


@dataclass
class _State:
    grants: dict[str, _Grant] = field(default_factory=dict)
    # access token -> the refresh token it came from
    live_tokens: dict[str, str] = field(default_factory=dict)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (redirect, challenge)
    refreshes: int = 0
    code_exchanges: int = 0
    refused_bearers: int = 0
    authorization_headers: list[str] = field(default_factory=list)
    token_lifetime_s: int = 3600
    refuse_consent: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class OAuthCalendarServer:
    """Google's OAuth and CalDAV endpoints, on loopback, in front of ``radicale``."""

    def __init__(self, radicale: Radicale) -> None:
        self.radicale = radicale
        self.state = _State()
        handler = type("Handler", (_Handler,), {"server_state": self.state, "radicale": radicale})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_url(self) -> str:
        return self.base + "/token"

    @property
    def authorize_url(self) -> str:
        return self.base + "/authorize"

    def calendar_url(self, radicale_calendar: str) -> str:
        """Return the address, through this server, of one of Radicale's calendars."""
        return self.base + urlsplit(radicale_calendar).path

    def grant(self) -> str:
        """Return a new refresh token, as a person who consented once would hold."""
        token = "1//refresh-" + secrets.token_urlsafe(24)
        with self.state.lock:
            self.state.grants[token] = _Grant(token)
        return token

    def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token and every access token made from it."""
        with self.state.lock:
            self.state.grants[refresh_token].revoked = True
            for access, origin in list(self.state.live_tokens.items()):
                if origin == refresh_token:
                    del self.state.live_tokens[access]

    def expire_access_tokens(self) -> None:
        """Make every access token given out so far dead, before the time it announced."""
        with self.state.lock:
            self.state.live_tokens.clear()

    def access_tokens_given(self) -> list[str]:
        with self.state.lock:
            return list(self.state.live_tokens)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class _Handler(BaseHTTPRequestHandler):
    server_state: _State
    radicale: Radicale
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        # The hub may close a kept-alive connection: nothing is then waiting for an answer.
        with contextlib.suppress(ConnectionResetError):
            super().handle()

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _answer(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value: dict[str, Any]) -> None:
        self._answer(status, json.dumps(value).encode(), {"Content-Type": "application/json"})

    def do_GET(self) -> None:
        if self.path.startswith("/authorize"):
            self._authorize()
        else:
            self._calendar()

    def do_POST(self) -> None:
        if self.path == "/token":
            self._token()
        else:
            self._calendar()

    def _authorize(self) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        state = self.server_state
        wanted = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "access_type": "offline",
            "code_challenge_method": "S256",
        }
        if (
            any(query.get(k) != v for k, v in wanted.items())
            or SCOPE not in query.get("scope", "").split()
        ):
            self._answer(400, b"bad authorization request")
            return
        redirect = query["redirect_uri"]
        if state.refuse_consent:
            back = {"error": "access_denied", "state": query["state"]}
        else:
            code = "4/code-" + secrets.token_urlsafe(16)
            with state.lock:
                state.codes[code] = (redirect, query["code_challenge"])
            back = {"code": code, "state": query["state"], "scope": SCOPE}
        self._answer(302, headers={"Location": f"{redirect}?{urlencode(back)}"})

    def _token(self) -> None:
        form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
        state = self.server_state
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            self._json(401, {"error": "invalid_client", "error_description": "Unauthorized"})
            return
        with state.lock:
            if form.get("grant_type") == "authorization_code":
                state.code_exchanges += 1
                redirect, challenge = state.codes.pop(form.get("code", ""), ("", ""))
                verifier = form.get("code_verifier", "").encode()
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
                if (
                    not redirect
                    or redirect != form.get("redirect_uri")
                    or (digest.rstrip(b"=").decode() != challenge)
                ):
                    self._json(400, {"error": "invalid_grant", "error_description": "Bad code"})
                    return
                refresh = "1//refresh-" + secrets.token_urlsafe(24)
                state.grants[refresh] = _Grant(refresh)
            elif form.get("grant_type") == "refresh_token":
                state.refreshes += 1
                refresh = form.get("refresh_token", "")
                grant = state.grants.get(refresh)
                if grant is None or grant.revoked:
                    self._json(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "Token has been expired or revoked.",
                        },
                    )
                    return
            else:
                self._json(400, {"error": "unsupported_grant_type"})
                return
            access = "ya29.access-" + secrets.token_urlsafe(24)
            state.live_tokens[access] = refresh
            answer: dict[str, Any] = {
                "access_token": access,
                "expires_in": state.token_lifetime_s,
                "token_type": "Bearer",
                "scope": SCOPE,
            }
            if form["grant_type"] == "authorization_code":
                answer["refresh_token"] = refresh
        self._json(200, answer)

    def _calendar(self) -> None:
        body = self._body()
        given = self.headers.get("Authorization", "")
        state = self.server_state
        with state.lock:
            state.authorization_headers.append(given)
            live = given.startswith("Bearer ") and given[7:] in state.live_tokens
            if not live:
                state.refused_bearers += 1
        if not live:
            self._answer(
                401,
                b"Request had invalid authentication credentials.",
                {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
            return
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in _HOP_BY_HOP and k.lower() not in ("authorization", "host")
        }
        login = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        headers["Authorization"] = f"Basic {login}"
        connection = http.client.HTTPConnection("127.0.0.1", self.radicale.port, timeout=30)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            passed = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
            self._answer(response.status, content, passed)
        finally:
            connection.close()

    do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = do_HEAD = do_MKCALENDAR = (
        do_PROPPATCH
    ) = _calendar
