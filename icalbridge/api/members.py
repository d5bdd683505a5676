"""Organizations and their members: everyone reads the list, only owners change it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from icalbridge.api.auth import caller, memberships_of, organization_public_id
from icalbridge.api.ids import parse_public_id
from icalbridge.api.pagination import Page, PageQuery, page_of_queryset
from icalbridge.api.problems import PROBLEMS, ApiProblem, conflict, invalid, not_found
from icalbridge.hub.models import (
    AuditAction,
    Membership,
    Organization,
    Role,
)
from icalbridge.organizations import memberships
from icalbridge.organizations.audit import record_audit
from icalbridge.security import client_address

router = Router(tags=["members"])


class OrganizationOut(Schema):
    id: str
    name: str
    role: Role = Field(description="Your role in it.")


class MemberIn(Schema):
    email: str = Field(min_length=3, max_length=254, description="The e-mail of an existing user.")
    role: Role = Role.VIEWER


class RoleIn(Schema):
    role: Role


class MemberOut(Schema):
    id: str
    email: str
    role: Role
    created_at: datetime


def member_out(membership: Membership) -> dict[str, Any]:
    return {
        "id": str(membership.public_id),
        "email": membership.user.email or membership.user.username,
        "role": membership.role,
        "created_at": membership.created_at,
    }


def _organization_out(membership: Membership) -> dict[str, Any]:
    return {
        "id": organization_public_id(membership.organization),
        "name": membership.organization.name,
        "role": membership.role,
    }


def _membership_in(request: HttpRequest, organization: str, *, owner: bool) -> Membership:
    """Return the caller's membership of an organization; 404 to strangers, 403 to non-owners."""
    mine = next(
        (
            m
            for m in memberships_of(request)
            if organization_public_id(m.organization) == organization
        ),
        None,
    )
    if mine is None:
        raise not_found()
    if owner and not mine.is_owner:
        raise ApiProblem(
            403,
            "forbidden",
            _("Forbidden."),
            _("Only an owner of the organization can change its members."),
        )
    return mine


def _member(organization: Organization, member: str) -> Membership:
    found = (
        Membership.objects.filter(organization=organization, public_id=parse_public_id(member))
        .select_related("user")
        .first()
    )
    if found is None:
        raise not_found()
    return found


def _is_last_owner(target: Membership) -> bool:
    owners = Membership.objects.select_for_update().filter(
        organization_id=target.organization_id, role=Role.OWNER
    )
    return target.role == Role.OWNER and [m.pk for m in owners] == [target.pk]


def _audit(request: HttpRequest, action: AuditAction, target: Membership, **details: str) -> None:
    record_audit(
        target.organization_id,
        action,
        actor=caller(request),
        target=target.user.email or target.user.username,
        details=details,
        ip=client_address(request.META),
    )


def _last_owner() -> ApiProblem:
    return conflict(
        "last-owner",
        _("The last owner stays."),
        _("An organization keeps at least one owner: make someone else owner first."),
    )


@router.get("/organizations", response={200: Page[OrganizationOut], **PROBLEMS})
def list_organizations(request: HttpRequest, page: PageQuery) -> dict[str, Any]:
    """List the organizations you belong to, with your role in each."""
    return page_of_queryset(memberships_of(request), page, "organizations", _organization_out)


@router.get("/organizations/{organization}/members", response={200: Page[MemberOut], **PROBLEMS})
def list_members(request: HttpRequest, organization: str, page: PageQuery) -> dict[str, Any]:
    """List the members of an organization and their roles."""
    mine = _membership_in(request, organization, owner=False)
    rows = Membership.objects.filter(organization=mine.organization).select_related("user")
    return page_of_queryset(rows, page, f"members:{mine.organization_id}", member_out)


@router.post("/organizations/{organization}/members", response={201: MemberOut, **PROBLEMS})
def add_member(
    request: HttpRequest, organization: str, payload: MemberIn
) -> Status[dict[str, Any]]:
    """Add an existing user, by e-mail, to the organization with a role (owners only)."""
    mine = _membership_in(request, organization, owner=True)
    email = payload.email.strip()
    user = get_user_model().objects.filter(username__iexact=email).first()
    if user is None:
        user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        raise invalid("email", _("No user has this e-mail address; they need an account first."))
    membership, created = Membership.objects.get_or_create(
        user=user, organization=mine.organization, defaults={"role": payload.role}
    )
    if not created:
        raise conflict(
            "already-member", _("Already a member."), _("This user is a member already.")
        )
    _audit(request, AuditAction.MEMBER_ADDED, membership, role=membership.role)
    return Status(201, member_out(membership))


@router.patch(
    "/organizations/{organization}/members/{member}", response={200: MemberOut, **PROBLEMS}
)
def change_role(
    request: HttpRequest, organization: str, member: str, payload: RoleIn
) -> dict[str, Any]:
    """Change a member's role (owners only); the last owner cannot stop being one."""
    mine = _membership_in(request, organization, owner=True)
    with transaction.atomic():
        target = _member(mine.organization, member)
        if payload.role != Role.OWNER and _is_last_owner(target):
            raise _last_owner()
        before = target.role
        target.role = payload.role
        target.save(update_fields=["role"])
        if before != target.role:
            _audit(request, AuditAction.ROLE_CHANGED, target, before=before, role=target.role)
    return member_out(target)


@router.delete("/organizations/{organization}/members/{member}", response={204: None, **PROBLEMS})
def remove_member(request: HttpRequest, organization: str, member: str) -> Status[None]:
    """Remove a member from the organization (owners only); the last owner stays."""
    mine = _membership_in(request, organization, owner=True)
    with transaction.atomic():
        target = _member(mine.organization, member)
        if _is_last_owner(target):
            raise _last_owner()
        _audit(request, AuditAction.MEMBER_REMOVED, target, role=target.role)
        memberships.remove_member(target)
    return Status(204, None)
