"""Who is calling (bearer API tokens) and what they may touch (their organizations)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.security import HttpBearer

from icalbridge import clock
from icalbridge.api.ids import derived_id, parse_public_id
from icalbridge.api.problems import forbidden, not_found
from icalbridge.api.rate_limits import count_request
from icalbridge.hub.models import (
    ApiToken,
    Booking,
    Channel,
    Membership,
    Organization,
    Unit,
)
from icalbridge.hub.models.api_token import hash_api_key

# Recording every use would make each read a write; once a minute is enough to show it.
_LAST_USED_PRECISION = timedelta(minutes=1)


class BearerToken(HttpBearer):
    """Accept the clear key of an ApiToken that is not revoked; the caller is its user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_api_key(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        count_request(found.key_hash)
        now = clock.now()
        if found.last_used_at is None or now - found.last_used_at > _LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return found.user


def caller(request: HttpRequest) -> Any:
    """Return the user whose bearer token authenticated the request."""
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth


def organization_public_id(organization: Organization) -> str:
    return derived_id("organization", organization.pk)


def memberships_of(request: HttpRequest) -> QuerySet[Membership]:
    return Membership.objects.filter(user=caller(request)).select_related("organization")


def _require_role(request: HttpRequest, organization_id: int, *, write: bool) -> None:
    membership = memberships_of(request).filter(organization_id=organization_id).first()
    if membership is None:
        raise not_found()
    if write and not membership.can_edit:
        raise forbidden()


def visible_units(request: HttpRequest) -> QuerySet[Unit]:
    return Unit.objects.filter(organization__memberships__user=caller(request))


def unit_for(request: HttpRequest, unit_id: str, *, write: bool = False) -> Unit:
    """Return a unit of the caller's organizations; 404 otherwise, 403 to a viewer's write."""
    unit = visible_units(request).filter(public_id=parse_public_id(unit_id)).first()
    if unit is None:
        raise not_found()
    _require_role(request, unit.organization_id, write=write)
    return unit


def channel_for(request: HttpRequest, channel_id: str, *, write: bool = False) -> Channel:
    """Return a channel of the caller's organizations; 404 otherwise, 403 to a viewer's write."""
    channel = (
        Channel.objects.select_related("unit")
        .filter(
            public_id=parse_public_id(channel_id),
            unit__organization__memberships__user=caller(request),
        )
        .first()
    )
    if channel is None:
        raise not_found()
    _require_role(request, channel.unit.organization_id, write=write)
    return channel


def booking_for(request: HttpRequest, booking_id: str, *, write: bool = False) -> Booking:
    """Return a booking of the caller's organizations; 404 otherwise, 403 to a viewer's write."""
    booking = (
        Booking.objects.select_related("unit", "origin")
        .filter(
            public_id=parse_public_id(booking_id),
            unit__organization__memberships__user=caller(request),
        )
        .first()
    )
    if booking is None:
        raise not_found()
    _require_role(request, booking.unit.organization_id, write=write)
    return booking
