"""An agenda feed written into its owner's CalDAV calendar: set up, read, stopped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from icalbridge.api.agenda_feeds import live_agenda_feeds
from icalbridge.api.ids import parse_public_id
from icalbridge.api.problems import PROBLEMS, invalid, not_found
from icalbridge.core.push_status import PushError, PushState
from icalbridge.hub.models import AgendaFeed, CaldavPush
from icalbridge.sync.caldav_oauth import is_token_address
from icalbridge.sync.caldav_push import configure_push, live_pushes, stop_pushes
from icalbridge.sync.caldav_secrets import Credentials, OAuthGrant
from icalbridge.sync.caldav_status import push_status
from icalbridge.sync.caldav_texts import failure_text

router = Router(tags=["agenda feeds"])


class OAuthIn(Schema):
    """An OAuth 2.0 client and a refresh token, for servers that take bearer tokens."""

    client_id: str = Field(min_length=1, max_length=300)
    client_secret: str = Field(
        min_length=1, max_length=300, description="Stored encrypted; never shown again."
    )
    refresh_token: str = Field(
        min_length=1, max_length=2000, description="Stored encrypted; never shown again."
    )
    token_url: str | None = Field(
        None,
        max_length=2000,
        description="Where the refresh token is traded for access tokens; by default "
        "Google's (https://oauth2.googleapis.com/token, ICALBRIDGE_GOOGLE_TOKEN_URL).",
    )


class CaldavIn(Schema):
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="A calendar's address, or the server's (a calendar named after the feed "
        "is then found or made there). For Google: "
        "https://apidata.googleusercontent.com/caldav/v2/<calendar ID>/events/.",
    )
    username: str = Field("", max_length=300, description="With password; not with oauth.")
    password: str = Field(
        "",
        max_length=1000,
        description="Stored encrypted; never shown again. An app password where the server "
        "offers them (iCloud, Fastmail, Nextcloud).",
    )
    oauth: OAuthIn | None = Field(
        None,
        description="Instead of username and password, for servers that take OAuth 2.0 "
        "bearer tokens (Google's CalDAV): the hub trades the refresh token for access tokens.",
    )


class CaldavOut(Schema):
    state: PushState
    message: str = Field(description="The state in plain words, in the reader's language.")
    last_push_at: datetime | None
    calendar_url: str = Field(description="The calendar written into; empty until found.")


def _agenda(request: HttpRequest, agenda_feed: str) -> AgendaFeed:
    agenda = live_agenda_feeds(request).filter(public_id=parse_public_id(agenda_feed)).first()
    if agenda is None:
        raise not_found()
    return agenda  # type: ignore[no-any-return]


def _credentials(payload: CaldavIn) -> Credentials:
    """Return the login the payload gives: a name and password, or an OAuth grant."""
    given = payload.oauth
    if given is None:
        if not payload.username:
            raise invalid("username", _("Give the user name, with the password."))
        if not payload.password:
            raise invalid("password", _("Give the password (or OAuth credentials instead)."))
        return Credentials(payload.username, payload.password)
    if payload.password:
        raise invalid("password", _("Give a password or OAuth credentials, not both."))
    token_url = (given.token_url or settings.ICALBRIDGE_GOOGLE_TOKEN_URL).strip()
    if not is_token_address(token_url):
        raise invalid(
            "oauth.token_url", _("A token endpoint's address starts with https:// (or http://).")
        )
    grant = OAuthGrant(given.client_id, given.client_secret, given.refresh_token, token_url)
    return Credentials(payload.username, "", grant)


def _out(push: CaldavPush) -> dict[str, Any]:
    status = push_status(push)
    return {
        "state": status.state,
        "message": status.message,
        "last_push_at": status.last_push_at,
        "calendar_url": status.calendar_url,
    }


@router.put("/agenda-feeds/{agenda_feed}/caldav", response={200: CaldavOut, **PROBLEMS})
def set_caldav_push(request: HttpRequest, agenda_feed: str, payload: CaldavIn) -> dict[str, Any]:
    """Write this feed into a CalDAV calendar too; the answer tells how the connection went.

    The login is a user name and password, or ``oauth`` for servers that take OAuth 2.0
    bearer tokens (Google's CalDAV): the hub trades the refresh token for access tokens.
    """
    agenda = _agenda(request, agenda_feed)
    credentials = _credentials(payload)
    try:
        push = configure_push(agenda, payload.url, credentials)
    except PushError as exc:
        raise invalid("url", failure_text(exc.failure, exc.detail)) from None
    push.refresh_from_db()  # the first pass may have run already
    return _out(push)


@router.get("/agenda-feeds/{agenda_feed}/caldav", response={200: CaldavOut, **PROBLEMS})
def get_caldav_push(request: HttpRequest, agenda_feed: str) -> dict[str, Any]:
    """Read how the push into the CalDAV calendar goes (the password is never shown)."""
    push = CaldavPush.objects.filter(live_pushes(), agenda=_agenda(request, agenda_feed)).first()
    if push is None:
        raise not_found()
    return _out(push)


@router.delete("/agenda-feeds/{agenda_feed}/caldav", response={204: None, **PROBLEMS})
def stop_caldav_push(request: HttpRequest, agenda_feed: str) -> Status[None]:
    """Stop writing into the calendar; the events the hub wrote there are removed."""
    agenda = _agenda(request, agenda_feed)
    if not CaldavPush.objects.filter(live_pushes(), agenda=agenda).exists():
        raise not_found()
    stop_pushes(AgendaFeed.objects.filter(pk=agenda.pk))
    return Status(204, None)
