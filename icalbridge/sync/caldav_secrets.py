"""Keep CalDAV credentials encrypted: never in the database in clear, never in a log.

Fernet (AES-128-CBC with an HMAC) under a key derived from ``ICALBRIDGE_CREDENTIALS_KEY``,
or from ``SECRET_KEY`` when that is not set (docs/settings.md). Changing the key makes the
stored passwords unreadable: each push then asks its owner for the password again.
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
class Credentials:
    username: str
    # Kept out of repr() so that a traceback or a log line never shows it.
    password: str = field(repr=False)


def _fernet() -> Fernet:
    material = settings.ICALBRIDGE_CREDENTIALS_KEY or settings.SECRET_KEY
    digest = hashlib.sha256(b"icalbridge caldav credentials\0" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def sealed(credentials: Credentials) -> str:
    """Return the credentials encrypted, as text to store."""
    plain = json.dumps({"u": credentials.username, "p": credentials.password})
    return _fernet().encrypt(plain.encode()).decode("ascii")


def opened(token: str) -> Credentials:
    """Return the credentials a stored token holds, or raise CredentialsLost."""
    try:
        plain = json.loads(_fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError) as exc:
        raise CredentialsLost from exc
    return Credentials(plain["u"], plain["p"])
