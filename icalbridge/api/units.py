"""Units: what is booked (a gîte, a room), each in one organization."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field, field_validator

from icalbridge.api.auth import memberships_of, organization_public_id, visible_units
from icalbridge.api.field_checks import existing_zone, stripped_name
from icalbridge.api.pagination import Page, PageQuery, page_of_queryset
from icalbridge.api.problems import PROBLEMS, ApiProblem, forbidden, invalid
from icalbridge.hub.models import Membership, Organization, Role, Unit
from icalbridge.organizations.quotas import QuotaExceeded, check_can_add_unit

router = Router(tags=["units"])


class UnitIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    timezone: str = Field("Europe/Paris", description="An IANA zone, e.g. Europe/Paris.")
    check_in: time = Field(time(16, 0), description="HH:MM, local time.")
    check_out: time = Field(time(10, 0), description="HH:MM, local time.")
    booked_by_the_hour: bool = Field(
        False,
        description="A room or a person booked through the day: its pages open on the week.",
    )
    organization: str | None = Field(
        None, description="Needed only when you belong to several organizations."
    )

    @field_validator("name")
    @classmethod
    def name_is_not_blank(cls, value: str) -> str:
        return stripped_name(value)

    @field_validator("check_in", "check_out")
    @classmethod
    def time_is_local(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError(_("Give a local time, HH:MM, without an offset."))
        return value.replace(second=0, microsecond=0)

    @field_validator("timezone")
    @classmethod
    def timezone_exists(cls, value: str) -> str:
        return existing_zone(value)


class UnitOut(Schema):
    id: str
    organization: str
    name: str
    timezone: str
    check_in: str
    check_out: str
    booked_by_the_hour: bool = Field(
        description="Whether its pages open on the week (booked by the hour) or the month."
    )


def unit_out(unit: Unit) -> dict[str, Any]:
    return {
        "id": str(unit.public_id),
        "organization": organization_public_id(unit.organization),
        "name": unit.name,
        "timezone": unit.timezone,
        "check_in": unit.check_in.strftime("%H:%M"),
        "check_out": unit.check_out.strftime("%H:%M"),
        "booked_by_the_hour": unit.booked_by_the_hour,
    }


def _organization_for_new_unit(request: HttpRequest, wanted: str | None) -> Organization:
    memberships = list(memberships_of(request).order_by("id"))
    if wanted is not None:
        chosen = next(
            (m for m in memberships if organization_public_id(m.organization) == wanted), None
        )
        if chosen is None:
            raise invalid("organization", _("You are not a member of this organization."))
    else:
        chosen = _default_membership(memberships)
    if not chosen.can_edit:
        raise forbidden()
    return chosen.organization


def _default_membership(memberships: list[Membership]) -> Membership:
    owned = [m for m in memberships if m.role == Role.OWNER]
    if owned:
        return owned[0]
    if len(memberships) == 1:
        return memberships[0]
    if not memberships:
        raise forbidden()
    raise invalid("organization", _("You belong to several organizations: name one."))


@router.post("/units", response={201: UnitOut, **PROBLEMS})
def create_unit(request: HttpRequest, payload: UnitIn) -> Status[dict[str, Any]]:
    """Create a unit in one of your organizations."""
    organization = _organization_for_new_unit(request, payload.organization)
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        try:
            check_can_add_unit(locked)
        except QuotaExceeded as exc:
            raise ApiProblem(409, "limit-reached", _("Limit reached."), exc.message) from None
        unit = Unit.objects.create(
            organization=locked,
            name=payload.name,
            timezone=payload.timezone,
            check_in=payload.check_in,
            check_out=payload.check_out,
            booked_by_the_hour=payload.booked_by_the_hour,
        )
    return Status(201, unit_out(unit))


@router.get("/units", response={200: Page[UnitOut], **PROBLEMS})
def list_units(request: HttpRequest, page: PageQuery) -> dict[str, Any]:
    """List the units of every organization you belong to."""
    units = visible_units(request).select_related("organization")
    return page_of_queryset(units, page, "units", unit_out)
