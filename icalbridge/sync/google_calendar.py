"""Google's CalDAV: a calendar's address from its ID, and the hub's own OAuth client.

With the client of the operator's Google Cloud project (``ICALBRIDGE_GOOGLE_CLIENT_ID`` and
``_SECRET``, docs/agenda-feeds.md), a person connects a Google calendar from the agenda
links page by OAuth's authorization-code flow, with PKCE (RFC 7636): the hub never sees
their Google password, and keeps only the refresh token Google gives (``sync/caldav_oauth``).
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings

# Google's CalDAV asks for the whole calendar scope; no narrower one lets it write.
SCOPE = "https://www.googleapis.com/auth/calendar"


def hub_client() -> tuple[str, str] | None:
    """Return the hub's own OAuth client (id, secret), or None when none is set."""
    client_id = settings.ICALBRIDGE_GOOGLE_CLIENT_ID.strip()
    secret = settings.ICALBRIDGE_GOOGLE_CLIENT_SECRET.strip()
    return (client_id, secret) if client_id and secret else None


def calendar_address(calendar_id: str) -> str:
    """Return the CalDAV collection of a Google calendar, given its ID."""
    return settings.ICALBRIDGE_GOOGLE_CALDAV_URL.replace(
        "{calendar}", quote(calendar_id.strip(), safe="@")
    )


def code_challenge(verifier: str) -> str:
    """Return the PKCE S256 challenge of a verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def consent_origin() -> str:
    """Return the origin of Google's consent page (scheme, host and port)."""
    parts = urlsplit(settings.ICALBRIDGE_GOOGLE_AUTHORIZE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def authorization_address(*, client_id: str, redirect_uri: str, state: str, verifier: str) -> str:
    """Return the consent page's address, where the person allows the hub to write."""
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPE,
        # A refresh token, and asked for again each time: Google gives one only with consent.
        "access_type": "offline",
        "prompt": "consent",
        "state": state,
        "code_challenge": code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    return f"{settings.ICALBRIDGE_GOOGLE_AUTHORIZE_URL}?{urlencode(query)}"
