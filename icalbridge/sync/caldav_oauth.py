"""Reach a CalDAV server that takes OAuth 2.0 bearer tokens (Google's) with a refresh token.

Google's CalDAV endpoint refuses passwords. The person, or the hub's "Connect with Google"
(``web/google_connect``), holds an OAuth client and a refresh token (``OAuthGrant``). The
hub trades the refresh token for an access token at the client's token endpoint (RFC 6749
section 6), keeps it in the process until a minute before it expires, and sends it as
``Authorization: Bearer``. A 401 from the calendar server means the token was refused
before its time (revoked, or the clocks disagree): a new one is asked for and the request
sent again, once. The token endpoint is a server named by a person, like the calendar: it
goes through the outbound guard (``sync/pinned_session``). No secret and no token is ever
logged.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import niquests
from niquests.auth import AuthBase

from icalbridge import __version__, clock
from icalbridge.core.push_status import PushError, PushFailure
from icalbridge.outbound.addresses import AddressRefused, ResolutionFailed
from icalbridge.outbound.fetch import FetchPolicy
from icalbridge.sync.caldav_secrets import OAuthGrant
from icalbridge.sync.pinned_session import pinned_session

log = logging.getLogger(__name__)

# A token is asked for again this long before the server says it expires, so that a
# request sent just before never arrives with a dead token.
EXPIRY_MARGIN = timedelta(seconds=60)
# RFC 6749 makes expires_in optional; Google's tokens last an hour.
USUAL_LIFETIME_S = 3600
# A token endpoint answers a few hundred bytes; a server that sends more is not one.
MAX_ANSWER_BYTES = 64 * 1024
_GOOGLE_DOMAINS = ("google.com", "googleapis.com", "googleusercontent.com")
# Only an error code of this shape is logged: the answer is another server's text.
_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")


def authority_of(url: str) -> str:
    """Return who grants the tokens of an address as a person names it: "Google", or the host."""
    host = (urlsplit(url).hostname or "").lower()
    if any(host == d or host.endswith("." + d) for d in _GOOGLE_DOMAINS):
        return "Google"
    return host


def is_token_address(url: str) -> bool:
    """Tell whether ``url`` can be a token endpoint: http(s), a host, no spaces."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return False
    return (
        parts.scheme.lower() in ("http", "https")
        and bool(parts.hostname)
        and not any(character.isspace() for character in url)
    )


@dataclass(frozen=True)
class _Token:
    value: str
    usable_until: datetime


_tokens: dict[tuple[str, str, str], _Token] = {}
_locks: dict[tuple[str, str, str], threading.Lock] = {}
_guard = threading.Lock()


def _key(grant: OAuthGrant) -> tuple[str, str, str]:
    return (grant.token_url, grant.client_id, grant.refresh_token)


def access_token(grant: OAuthGrant, policy: FetchPolicy, refused: str | None = None) -> str:
    """Return an access token for ``grant``: the one kept, until it expires, else a new one.

    ``refused`` is a token the calendar server turned away: a new one is asked for, unless
    another thread already replaced it. One request per grant at a time, whatever the threads.
    """
    key = _key(grant)
    with _guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        with _guard:
            kept = _tokens.get(key)
        if kept is not None and kept.value != refused and clock.now() < kept.usable_until:
            return kept.value
        form = {
            "grant_type": "refresh_token",
            "refresh_token": grant.refresh_token,
            "client_id": grant.client_id,
            "client_secret": grant.client_secret,
        }
        try:
            answer = _token_request(grant.token_url, form, policy)
        except PushError:
            if kept is not None and kept.value == refused:
                # Refused by both servers: the next pass asks the token endpoint first.
                with _guard:
                    _tokens.pop(key, None)
            raise
        return _keep(grant, answer)


def exchange_code(
    *,
    code: str,
    verifier: str,
    redirect_uri: str,
    client_id: str,
    client_secret: str,
    token_url: str,
    policy: FetchPolicy,
) -> OAuthGrant | None:
    """Trade an authorization code for a grant (RFC 6749 4.1.3, with PKCE, RFC 7636).

    Returns None when the server gave no refresh token: the grant would not outlive the hour.
    """
    answer = _token_request(
        token_url,
        {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "client_secret": client_secret,
        },
        policy,
    )
    refresh_token = answer.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        return None
    grant = OAuthGrant(client_id, client_secret, refresh_token, token_url)
    _keep(grant, answer)  # the first push then needs no second request
    return grant


def _keep(grant: OAuthGrant, answer: dict[str, Any]) -> str:
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise PushError(PushFailure.SERVER_ERROR, authority_of(grant.token_url))
    lifetime = answer.get("expires_in")
    seconds = lifetime if isinstance(lifetime, int) and lifetime > 0 else USUAL_LIFETIME_S
    now = clock.now()
    usable_until = now + max(
        timedelta(seconds=seconds) - EXPIRY_MARGIN, timedelta(seconds=seconds / 2)
    )
    with _guard:
        for key in [k for k, t in _tokens.items() if t.usable_until <= now]:
            del _tokens[key]
        _tokens[_key(grant)] = _Token(token, usable_until)
    return token


def _token_request(url: str, form: dict[str, str], policy: FetchPolicy) -> dict[str, Any]:
    """POST a form to a token endpoint through the outbound guard; return its JSON answer."""
    host = (urlsplit(url).hostname or "").lower()
    try:
        session = pinned_session(url, policy)
    except AddressRefused as exc:
        raise PushError(PushFailure.PRIVATE_ADDRESS, exc.shown) from exc
    except ResolutionFailed as exc:
        raise PushError(PushFailure.UNREACHABLE, host) from exc
    try:
        with session:
            response = session.post(
                url,
                data=form,
                headers={
                    "Accept": "application/json",
                    "User-Agent": f"icalbridge/{__version__} (calendar push)",
                },
                timeout=(policy.connect_timeout_s, policy.total_timeout_s),
                allow_redirects=False,
                stream=True,
            )
            body = _capped_body(response)
    except niquests.Timeout as exc:
        raise PushError(PushFailure.TIMEOUT, host) from exc
    except niquests.exceptions.SSLError as exc:
        raise PushError(PushFailure.TLS, host) from exc
    except niquests.RequestException as exc:
        raise PushError(PushFailure.UNREACHABLE, host) from exc
    answer = _json_object(body)
    status = int(response.status_code or 0)
    if status == 200 and answer:
        return answer
    code = answer.get("error")
    code = code if isinstance(code, str) and _ERROR_CODE.match(code) else ""
    log.info("token endpoint %s answered %s %s", host, status, code or "(no error code)")
    if code in ("invalid_grant", "invalid_scope"):
        raise PushError(PushFailure.AUTHORIZATION_REVOKED, authority_of(url))
    if code in ("invalid_client", "unauthorized_client") or status == 401:
        raise PushError(PushFailure.OAUTH_CLIENT_REFUSED, authority_of(url))
    if status == 404:
        raise PushError(PushFailure.NOT_FOUND, host)
    raise PushError(PushFailure.SERVER_ERROR, f"{host} ({status})")


def _capped_body(response: Any) -> bytes:
    body = b""
    for chunk in response.iter_content(8192):
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            return b""
    return body


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(body)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


class BearerAuth(AuthBase):  # type: ignore[misc]
    """Send a grant's access token with each request; after a 401, a new one, once.

    Made with a token at hand, so that a refused grant fails before any request is sent.
    """

    def __init__(self, grant: OAuthGrant, policy: FetchPolicy) -> None:
        self.grant = grant
        self.policy = policy
        self.token = access_token(grant, policy)

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.register_hook("response", self._again_after_401)
        return request

    def _again_after_401(self, response: Any, **kwargs: Any) -> Any:
        if response.status_code != 401:
            return response
        self.token = access_token(self.grant, self.policy, refused=self.token)
        response.content  # noqa: B018  (read, so that the connection can be reused)
        response.close()
        again = response.request.copy()
        again.headers["Authorization"] = f"Bearer {self.token}"
        # Sent by the connection, not the session: the answer does not come back here, so
        # a token refused twice is a refusal, never a loop.
        answer = response.connection.send(again, **kwargs)
        answer.history.append(response)
        answer.request = again
        return answer
