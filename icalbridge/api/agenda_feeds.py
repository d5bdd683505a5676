"""Personal agenda feeds: a read-only link for one's own calendar program, revocable."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field, field_validator

from icalbridge import clock
from icalbridge.api.auth import caller, memberships_of, organization_public_id
from icalbridge.api.field_checks import stripped_name
from icalbridge.api.ids import parse_public_id
from icalbridge.api.pagination import Page, PageQuery, page_of_queryset
from icalbridge.api.problems import PROBLEMS, invalid, not_found
from icalbridge.core.bookings import Kind
from icalbridge.hub.models import AgendaFeed, Membership, PublishedFeed, Unit
from icalbridge.sync.caldav_push import stop_pushes
from icalbridge.sync.exporter import refresh_agenda_feed

router = Router(tags=["agenda feeds"])


class AgendaFeedIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    organization: str | None = Field(
        None, description="Needed only when you belong to several organizations."
    )
    units: list[str] = Field([], max_length=500, description="Empty: every unit.")
    kinds: list[Kind] = Field([], description="Empty: every kind.")
    categories: list[str] = Field([], max_length=100, description="Empty: every category.")

    @field_validator("name")
    @classmethod
    def name_is_not_blank(cls, value: str) -> str:
        return stripped_name(value)

    @field_validator("categories")
    @classmethod
    def categories_are_words(cls, value: list[str]) -> list[str]:
        return sorted({c.strip()[:100] for c in value if c.strip()})


class AgendaFeedOut(Schema):
    id: str
    name: str
    organization: str
    units: list[str] = Field(description="Empty: every unit of the organization.")
    kinds: list[Kind]
    categories: list[str]
    url: str
    webcal_url: str
    created_at: datetime


def agenda_out(agenda: AgendaFeed) -> dict[str, Any]:
    feed = agenda.feed
    return {
        "id": str(agenda.public_id),
        "name": agenda.name,
        "organization": organization_public_id(agenda.organization),
        "units": sorted(str(u.public_id) for u in agenda.units.all()),
        "kinds": list(agenda.kinds or []),
        "categories": list(agenda.categories or []),
        "url": feed.url,
        "webcal_url": feed.webcal_url,
        "created_at": agenda.created_at,
    }


def _membership_for(request: HttpRequest, payload: AgendaFeedIn) -> Membership:
    memberships = list(memberships_of(request).order_by("id"))
    if payload.organization is not None:
        chosen = next(
            (
                m
                for m in memberships
                if organization_public_id(m.organization) == payload.organization
            ),
            None,
        )
        if chosen is None:
            raise invalid("organization", _("You are not a member of this organization."))
        return chosen
    if payload.units:
        wanted = _unit_uuid(payload.units[0], 0)
        unit = Unit.objects.filter(public_id=wanted).first()
        chosen = next(
            (m for m in memberships if unit and m.organization_id == unit.organization_id), None
        )
        if chosen is None:
            raise invalid("units.0", _("No such unit in your organizations."))
        return chosen
    if len(memberships) != 1:
        raise invalid("organization", _("You belong to several organizations: name one."))
    return memberships[0]


def _unit_uuid(text: str, index: int) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise invalid(f"units.{index}", _("No such unit in your organizations.")) from None


def _units_of(membership: Membership, unit_ids: list[str]) -> list[Unit]:
    units = []
    for index, text in enumerate(unit_ids):
        unit = Unit.objects.filter(
            organization=membership.organization, public_id=_unit_uuid(text, index)
        ).first()
        if unit is None:
            raise invalid(f"units.{index}", _("No such unit in this organization."))
        units.append(unit)
    return units


def live_agenda_feeds(request: HttpRequest) -> Any:
    """Return the caller's agenda feeds that still work, in organizations they still belong to."""
    return (
        AgendaFeed.objects.filter(
            user=caller(request),
            revoked_at__isnull=True,
            feed__isnull=False,
            organization__memberships__user=caller(request),
        )
        .select_related("organization", "feed")
        .prefetch_related("units")
    )


@router.post("/agenda-feeds", response={201: AgendaFeedOut, **PROBLEMS})
def create_agenda_feed(request: HttpRequest, payload: AgendaFeedIn) -> Status[dict[str, Any]]:
    """Make a personal feed of bookings for your own calendar program; its link is secret."""
    membership = _membership_for(request, payload)
    units = _units_of(membership, payload.units)
    with transaction.atomic():
        agenda = AgendaFeed.objects.create(
            user=caller(request),
            organization=membership.organization,
            name=payload.name,
            kinds=[k.value for k in payload.kinds],
            categories=payload.categories,
        )
        agenda.units.set(units)
        refresh_agenda_feed(agenda)
    return Status(201, agenda_out(live_agenda_feeds(request).get(pk=agenda.pk)))


@router.get("/agenda-feeds", response={200: Page[AgendaFeedOut], **PROBLEMS})
def list_agenda_feeds(request: HttpRequest, page: PageQuery) -> dict[str, Any]:
    """List your personal feeds that still work."""
    return page_of_queryset(live_agenda_feeds(request), page, "agenda-feeds", agenda_out)


@router.delete("/agenda-feeds/{agenda_feed}", response={204: None, **PROBLEMS})
def revoke_agenda_feed(request: HttpRequest, agenda_feed: str) -> Status[None]:
    """Revoke one of your feeds: its link stops working at once, and its CalDAV push stops."""
    agenda = live_agenda_feeds(request).filter(public_id=parse_public_id(agenda_feed)).first()
    if agenda is None:
        raise not_found()
    with transaction.atomic():
        AgendaFeed.objects.filter(pk=agenda.pk).update(revoked_at=clock.now())
        PublishedFeed.objects.filter(agenda=agenda).delete()
        stop_pushes(AgendaFeed.objects.filter(pk=agenda.pk))
    return Status(204, None)
