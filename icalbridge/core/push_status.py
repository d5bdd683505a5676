"""A CalDAV push's state, derived from its stored facts when read (never stored itself)."""

from __future__ import annotations

from enum import StrEnum


class PushState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


class PushFailure(StrEnum):
    """Why a push failed, as a stable code; worded for people in ``sync/caldav_texts``."""

    WRONG_PASSWORD = "wrong_password"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    NOT_A_CALENDAR = "not_a_calendar"
    UNREACHABLE = "unreachable"
    TLS = "tls"
    TIMEOUT = "timeout"
    PRIVATE_ADDRESS = "private_address"
    BAD_URL = "bad_url"
    SERVER_ERROR = "server_error"
    CREDENTIALS_LOST = "credentials_lost"
    CALENDAR_IN_USE = "calendar_in_use"
    # OAuth 2.0 (Google's CalDAV): the refresh token was revoked or has expired, or a fresh
    # access token is refused all the same; and the client id or secret is refused.
    AUTHORIZATION_REVOKED = "authorization_revoked"
    OAUTH_CLIENT_REFUSED = "oauth_client_refused"


class PushError(Exception):
    """A push failed; ``failure`` says why, ``detail`` holds the values its sentence names.

    Raised alike by the CalDAV client and by the OAuth token requests before it, so that
    a refused authorization reads and is stored as any other push failure.
    """

    def __init__(self, failure: PushFailure, detail: str = "") -> None:
        super().__init__(f"{failure.value}: {detail}" if detail else failure.value)
        self.failure = failure
        self.detail = detail


# What no retry mends: the person has to change the address, the password (or connect
# again), or the server's sharing. Shown as an error at once, where a server that is down is retried first.
PERSON_MUST_ACT = frozenset(
    {
        PushFailure.WRONG_PASSWORD,
        PushFailure.FORBIDDEN,
        PushFailure.NOT_FOUND,
        PushFailure.NOT_A_CALENDAR,
        PushFailure.PRIVATE_ADDRESS,
        PushFailure.BAD_URL,
        PushFailure.CREDENTIALS_LOST,
        PushFailure.CALENDAR_IN_USE,
        PushFailure.AUTHORIZATION_REVOKED,
        PushFailure.OAUTH_CLIENT_REFUSED,
    }
)


def push_state(
    *, failures_in_row: int, failure: PushFailure | None, has_pushed: bool, errors_after: int
) -> tuple[PushState, str]:
    """Return the push's state and a stable reason: ``ok``, ``pending``, ``retrying`` or a failure.

    ``errors_after`` is how many failures in a row of a server that may come back make an
    error; before that the push is a warning, retried.
    """
    if failures_in_row == 0 or failure is None:
        return (PushState.OK, "ok") if has_pushed else (PushState.WARNING, "pending")
    if failure in PERSON_MUST_ACT or failures_in_row >= errors_after:
        return PushState.ERROR, failure.value
    return PushState.WARNING, "retrying"
