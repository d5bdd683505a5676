"""Who is calling (bearer API tokens) and what they may touch (their organizations)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import OperationalError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from icalbridge import clock
from icalbridge.api.ids import derived_id, parse_public_id
from icalbridge.api.problems import ApiProblem, forbidden, not_found
from icalbridge.api.rate_limits import count_request
from icalbridge.busy_database import is_busy_database
from icalbridge.hub.models import (
    ApiToken,
    Booking,
    Channel,
    Membership,
    Organization,
    Unit,
)
from icalbridge.hub.models.api_token import hash_api_key
from icalbridge.login_lockout import (
    API_TOKEN_ACCOUNT,
    count_failure,
    is_locked_out,
    seconds_until_unlocked,
)
from icalbridge.wording.languages import user_language

# Recording every use would make each read a write; once a minute is enough to show it.
_LAST_USED_PRECISION = timedelta(minutes=1)


class BearerToken(HttpBearer):
    """Accept the clear key of an ApiToken that is not revoked; the caller is its user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # Checked before the token, so that a locked address learns nothing from its guesses.
        if is_locked_out(request, API_TOKEN_ACCOUNT):
            raise token_guessing_problem(request)
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_api_key(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            if count_failure(request, API_TOKEN_ACCOUNT):
                raise token_guessing_problem(request)
            return None
        count_request(found.key_hash)
        if not request.headers.get("Accept-Language"):
            # No language asked for: answer in the caller's own (LocaleMiddleware would
            # answer in the hub's).
            translation.activate(user_language(found.user))
        now = clock.now()
        if found.last_used_at is None or now - found.last_used_at > _LAST_USED_PRECISION:
            _note_last_use(found.pk, now)
        return found.user


def _note_last_use(token_pk: int, now: datetime) -> None:
    """Record when a token was last used; a busy database skips it rather than fail a read."""
    try:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
    except OperationalError as exc:
        if not is_busy_database(exc):
            raise


def token_guessing_problem(request: HttpRequest) -> ApiProblem:
    """Return the 429 answered to an address that sent too many wrong tokens."""
    wait = seconds_until_unlocked(request, API_TOKEN_ACCOUNT)
    return ApiProblem(
        429,
        "too-many-failed-attempts",
        _("Too many failed attempts."),
        _(
            "Too many requests with a wrong API token from your address; "
            "try again in %(wait)d seconds."
        )
        % {"wait": wait},
        retry_after_s=wait,
    )


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
