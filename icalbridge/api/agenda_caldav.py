"""An agenda feed written into its owner's CalDAV calendar: set up, read, stopped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from icalbridge.api.agenda_feeds import live_agenda_feeds
from icalbridge.api.ids import parse_public_id
from icalbridge.api.problems import PROBLEMS, invalid, not_found
from icalbridge.core.push_status import PushState
from icalbridge.hub.models import AgendaFeed, CaldavPush
from icalbridge.sync.caldav_client import PushError
from icalbridge.sync.caldav_push import configure_push, live_pushes, stop_pushes
from icalbridge.sync.caldav_secrets import Credentials
from icalbridge.sync.caldav_status import push_status
from icalbridge.sync.caldav_texts import failure_text

router = Router(tags=["agenda feeds"])


class CaldavIn(Schema):
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="A calendar's address, or the server's (a calendar named after the feed "
        "is then found or made there).",
    )
    username: str = Field(min_length=1, max_length=300)
    password: str = Field(
        min_length=1,
        max_length=1000,
        description="Stored encrypted; never shown again. An app password where the server "
        "offers them (iCloud, Fastmail, Google, Nextcloud).",
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
    """Write this feed into a CalDAV calendar too; the answer tells how the connection went."""
    agenda = _agenda(request, agenda_feed)
    try:
        push = configure_push(agenda, payload.url, Credentials(payload.username, payload.password))
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
