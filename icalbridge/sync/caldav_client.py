"""Talk to a person's CalDAV server with the caldav library, through the outbound guard.

Every connection goes to the address the guard checked (``sync/pinned_session``, the same
policy as imports, ``outbound/policy``): the library's HTTP session resolves the server's
name to that address only, and refuses any request to another host. The login is a user
name and password, or OAuth 2.0 bearer tokens (``sync/caldav_oauth``, Google's CalDAV).
Failures come out as a ``PushError`` with a stable code, worded for people in
``sync/caldav_texts``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import niquests
from caldav.davclient import DAVClient
from caldav.davobject import DAVObject
from caldav.elements import dav
from caldav.lib import error as dav_error

from icalbridge import __version__
from icalbridge.core.push_status import PushError, PushFailure
from icalbridge.outbound.addresses import AddressRefused, ResolutionFailed
from icalbridge.outbound.fetch import FetchPolicy
from icalbridge.sync.caldav_oauth import BearerAuth, authority_of
from icalbridge.sync.caldav_secrets import Credentials
from icalbridge.sync.pinned_session import OffHostRequest, pinned_session

log = logging.getLogger(__name__)

ICS_TYPE = "text/calendar; charset=utf-8"
_CALENDAR = "{urn:ietf:params:xml:ns:caldav}calendar"


@dataclass(frozen=True)
class Listing:
    """What a calendar holds (path -> ETag), or only what changed since a sync token."""

    etags: dict[str, str | None]
    token: str
    is_delta: bool = False
    gone: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WriteResult:
    status: int
    etag: str | None


def calendar_address(url: str) -> str:
    """Return the http(s) address of a calendar as given, or raise PushError(BAD_URL)."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise PushError(PushFailure.BAD_URL, text[:200])
    if any(character.isspace() for character in text):
        raise PushError(PushFailure.BAD_URL, text[:200])
    return text if parts.path else text + "/"


def collection_path(url: str) -> str:
    """Return the path of a calendar collection, unescaped, ending with "/"."""
    path = unquote(urlsplit(url).path)
    return path if path.endswith("/") else path + "/"


class CalendarServer:
    """One person's CalDAV server, reached as ``credentials``; see ``connected``."""

    def __init__(self, client: DAVClient, host: str, authority: str | None = None) -> None:
        self.client = client
        self.host = host
        # Who grants the bearer tokens ("Google"), or None for a name and password.
        self.authority = authority

    def calendar_for(self, url: str, name: str) -> str:
        """Return the calendar collection to write into.

        The address itself when it is a calendar; when it names an account or a server,
        the calendar called ``name`` there, made if missing (iCloud and Fastmail users
        seldom know their calendars' addresses).
        """
        types = self._call(
            lambda: DAVObject(self.client, url=url).get_properties([dav.ResourceType()])
        )
        if _CALENDAR in (types.get(dav.ResourceType.tag) or []):
            return url
        principal = self._call(self.client.principal)
        calendars = self._call(principal.get_calendars)
        for calendar in calendars:
            if self._call(calendar.get_display_name) == name:
                return str(calendar.url)
        try:
            return str(self._call(lambda: principal.make_calendar(name=name)).url)
        except PushError as exc:
            if exc.failure in (PushFailure.UNREACHABLE, PushFailure.TIMEOUT, PushFailure.TLS):
                raise
            raise PushError(PushFailure.NOT_A_CALENDAR, url) from exc

    def listing(self, calendar_url: str, sync_token: str) -> Listing:
        """Return what the calendar holds, with its new sync token.

        With a token the server knows, only the changes are asked for (RFC 6578), applied by
        the caller to what it knows; without one, or when the server has none, the full
        listing comes from one PROPFIND of ETags (never the events' data).
        """
        calendar = self.client.calendar(url=calendar_url)
        if sync_token:
            try:
                changes = calendar.get_objects_by_sync_token(
                    sync_token, load_objects=False, disable_fallback=True
                )
                gone = frozenset(path_of(url) for url in changes.deleted_urls)
                found = {
                    path_of(o.url): o.props.get(dav.GetEtag.tag)
                    for o in changes
                    if path_of(o.url) not in gone
                }
                return Listing(found, str(changes.sync_token or ""), is_delta=True, gone=gone)
            except (dav_error.DAVError, niquests.RequestException, PushError) as exc:
                if isinstance(exc, PushError) or (
                    isinstance(exc, dav_error.AuthorizationError) and exc.reason != "Forbidden"
                ):
                    raise self._error(exc) from exc
                log.info("sync-token report refused by %s; listing in full", self.host)
        response = self._call(lambda: self.client.propfind(calendar_url, _etag_query(), depth=1))
        own = collection_path(calendar_url)
        properties = response.expand_simple_props([dav.GetEtag()])
        listing: dict[str, str | None] = {}
        for href, values in properties.items():
            path = path_of(href)
            if path != own:
                listing[path] = values.get(dav.GetEtag.tag)
        return Listing(listing, self._sync_token(calendar))

    def put(self, url: str, body: bytes, *, if_match: str | None) -> WriteResult:
        """PUT an event: created only where nothing is (no ``if_match``), else replacing it."""
        headers = {"Content-Type": ICS_TYPE}
        headers["If-Match" if if_match else "If-None-Match"] = if_match or "*"
        response = self._call(lambda: self.client.put(url, body.decode("utf-8"), headers))
        return WriteResult(response.status, response.headers.get("etag"))

    def delete(self, url: str, *, if_match: str | None) -> int:
        headers = {"If-Match": if_match} if if_match else {}
        return int(self._call(lambda: self.client.delete(url, headers)).status)

    def uid_at(self, url: str) -> tuple[str | None, str | None]:
        """Return the UID and ETag of the event at ``url`` (None, None when there is none)."""
        response = self._call(lambda: self.client.request(url, "GET"))
        if response.status == 404:
            return None, None
        text = response.raw if isinstance(response.raw, str) else ""
        for line in text.replace("\r\n ", "").splitlines():
            if line.startswith("UID:"):
                return line[4:].strip(), response.headers.get("etag")
        return None, response.headers.get("etag")

    def _sync_token(self, calendar: Any) -> str:
        try:
            return str(self._call(lambda: calendar.get_property(dav.SyncToken())) or "")
        except PushError:
            return ""

    def _call(self, action: Any) -> Any:
        try:
            return action()
        except PushError:
            raise
        except Exception as exc:
            raise self._error(exc) from exc

    def _error(self, exc: Exception) -> PushError:
        """Turn what the library or the network raised into a failure a person can read."""
        log.info("CalDAV server %s: %s", self.host, type(exc).__name__)
        if isinstance(exc, PushError):  # the token request's, already worded
            return exc
        if isinstance(exc, dav_error.AuthorizationError):
            if exc.reason == "Forbidden":
                return PushError(PushFailure.FORBIDDEN, self.host)
            if self.authority is not None:
                # A token just obtained and refused all the same: the grant no longer holds.
                return PushError(PushFailure.AUTHORIZATION_REVOKED, self.authority)
            return PushError(PushFailure.WRONG_PASSWORD, self.host)
        if isinstance(exc, OffHostRequest):
            return PushError(PushFailure.UNREACHABLE, exc.host)
        if isinstance(exc, dav_error.NotFoundError):
            return PushError(PushFailure.NOT_FOUND, self.host)
        if isinstance(exc, niquests.Timeout):
            return PushError(PushFailure.TIMEOUT, self.host)
        if isinstance(exc, niquests.exceptions.SSLError):
            return PushError(PushFailure.TLS, self.host)
        if isinstance(exc, niquests.RequestException):
            return PushError(PushFailure.UNREACHABLE, self.host)
        return PushError(PushFailure.SERVER_ERROR, self.host)


@contextmanager
def connected(url: str, credentials: Credentials, policy: FetchPolicy) -> Iterator[CalendarServer]:
    """Open a connection to the server of ``url``, checked by the outbound guard."""
    address = calendar_address(url)
    host = (urlsplit(address).hostname or "").lower()
    try:
        session = pinned_session(address, policy)
    except AddressRefused as exc:
        raise PushError(PushFailure.PRIVATE_ADDRESS, exc.shown) from exc
    except ResolutionFailed as exc:
        raise PushError(PushFailure.UNREACHABLE, host) from exc
    grant = credentials.oauth
    try:
        auth = BearerAuth(grant, policy) if grant is not None else None
    except PushError:
        session.close()
        raise
    client = DAVClient(
        url=address,
        username=None if auth else credentials.username,
        password=None if auth else credentials.password,
        auth=auth,
        timeout=int(policy.total_timeout_s),
        enable_rfc6764=False,
        headers={"User-Agent": f"icalbridge/{__version__} (calendar push)"},
    )
    client.session.close()
    client.session = session
    try:
        yield CalendarServer(client, host, authority_of(grant.token_url) if grant else None)
    finally:
        client.close()


def _etag_query() -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>'
    )


def path_of(url: Any) -> str:
    """Return the unescaped path of an address: how hrefs are compared."""
    return unquote(urlsplit(str(url)).path)
