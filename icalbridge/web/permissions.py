"""Who may see and change what: every view goes through these checks.

Another organization's objects answer 404 (their existence is not revealed); a member
whose role does not allow a change gets 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from icalbridge.hub.models import Booking, Channel, Conflict, Membership, Organization, Unit

SESSION_ORGANIZATION = "organization_id"


def signed_in_user(request: HttpRequest) -> User:
    """Return the signed-in user of a view that requires login."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def membership_in(request: HttpRequest, organization: Organization | int) -> Membership:
    """Return the user's membership of an organization, or raise 404 when there is none."""
    organization_id = organization if isinstance(organization, int) else organization.pk
    membership = (
        Membership.objects.select_related("organization")
        .filter(user=signed_in_user(request), organization_id=organization_id)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def require_role(membership: Membership, *, write: bool = False, owner: bool = False) -> None:
    """Raise 403 when the role does not allow a change (``write``) or owner-only work."""
    if owner and not membership.is_owner:
        raise PermissionDenied
    if write and not membership.can_edit:
        raise PermissionDenied


def active_membership(request: HttpRequest) -> Membership | None:
    """Return the membership the user is working in: the one chosen last, else the first."""
    memberships = Membership.objects.select_related("organization").filter(
        user=signed_in_user(request)
    )
    chosen = request.session.get(SESSION_ORGANIZATION)
    if isinstance(chosen, int) and (
        membership := memberships.filter(organization_id=chosen).first()
    ):
        return membership
    return memberships.order_by("id").first()


def checked(request: HttpRequest, organization: Organization, **need: bool) -> Membership:
    membership = membership_in(request, organization)
    require_role(membership, **need)
    return membership


def unit_for(request: HttpRequest, public_id: Any, **need: bool) -> tuple[Unit, Membership]:
    """Return a unit the user may see (and change, with ``write=True``) and the membership."""
    unit = Unit.objects.select_related("organization").filter(public_id=public_id).first()
    if unit is None:
        raise Http404
    return unit, checked(request, unit.organization, **need)


def channel_for(request: HttpRequest, public_id: Any, **need: bool) -> tuple[Channel, Membership]:
    """Return a channel the user may see (and change, with ``write=True``)."""
    channel = (
        Channel.objects.select_related("unit__organization").filter(public_id=public_id).first()
    )
    if channel is None:
        raise Http404
    return channel, checked(request, channel.unit.organization, **need)


def booking_for(request: HttpRequest, public_id: Any, **need: bool) -> tuple[Booking, Membership]:
    """Return a booking the user may see (and change, with ``write=True``)."""
    booking = (
        Booking.objects.select_related("unit__organization", "origin")
        .filter(public_id=public_id)
        .first()
    )
    if booking is None:
        raise Http404
    return booking, checked(request, booking.unit.organization, **need)


def conflict_for(request: HttpRequest, pk: int, **need: bool) -> tuple[Conflict, Membership]:
    """Return a conflict the user may see."""
    conflict = Conflict.objects.select_related("unit__organization").filter(pk=pk).first()
    if conflict is None:
        raise Http404
    return conflict, checked(request, conflict.unit.organization, **need)
