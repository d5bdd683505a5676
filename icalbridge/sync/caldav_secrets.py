"""Keep CalDAV credentials encrypted: never in the database in clear, never in a log.

A login is a user name and password, or, for servers that take OAuth 2.0 bearer tokens
(Google's CalDAV), an OAuth client and a refresh token (``sync/caldav_oauth``). Fernet
(AES-128-CBC with an HMAC) under a key derived from ``ICALBRIDGE_CREDENTIALS_KEY``, or from
``SECRET_KEY`` when that is not set (docs/settings.md). Changing the key makes the stored
credentials unreadable: each push then asks its owner for them again.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class CredentialsLost(Exception):
    """The stored credentials cannot be read with the current key."""


@dataclass(frozen=True)
class OAuthGrant:
    """An OAuth 2.0 client and the refresh token a person granted it."""

    client_id: str
    # Kept out of repr() so that a traceback or a log line never shows them.
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    token_url: str


@dataclass(frozen=True)
class Credentials:
    username: str
    # Kept out of repr() so that a traceback or a log line never shows it.
    password: str = field(repr=False)
    # Given, the server is reached with bearer tokens instead of the name and password.
    oauth: OAuthGrant | None = None


def _fernet() -> Fernet:
    material = settings.ICALBRIDGE_CREDENTIALS_KEY or settings.SECRET_KEY
    digest = hashlib.sha256(b"icalbridge caldav credentials\0" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def sealed(credentials: Credentials) -> str:
    """Return the credentials encrypted, as text to store."""
    values: dict[str, object] = {"u": credentials.username, "p": credentials.password}
    grant = credentials.oauth
    if grant is not None:
        values["o"] = [grant.client_id, grant.client_secret, grant.refresh_token, grant.token_url]
    plain = json.dumps(values)
    return _fernet().encrypt(plain.encode()).decode("ascii")


def opened(token: str) -> Credentials:
    """Return the credentials a stored token holds, or raise CredentialsLost."""
    try:
        plain = json.loads(_fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError) as exc:
        raise CredentialsLost from exc
    grant = OAuthGrant(*plain["o"]) if plain.get("o") else None
    return Credentials(plain["u"], plain["p"], grant)
