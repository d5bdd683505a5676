"""The organization's members and their roles; only owners change them."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icalbridge.hub.models import AuditAction, Membership, Role
from icalbridge.organizations.audit import record_audit
from icalbridge.organizations.memberships import remove_member
from icalbridge.security import client_address
from icalbridge.web.forms import MemberForm, RoleForm
from icalbridge.web.permissions import active_membership, require_role


def _owner_membership(request: HttpRequest) -> Membership:
    membership = active_membership(request)
    if membership is None:
        raise Http404
    require_role(membership, owner=True)
    return membership


@login_required
def members(request: HttpRequest) -> HttpResponse:
    """List members; an owner adds one by e-mail address with a role."""
    membership = active_membership(request)
    if membership is None:
        return redirect("dashboard")
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        require_role(membership, owner=True)
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            users = get_user_model()
            user = users.objects.filter(username__iexact=email).first()
            if user is None:
                # A random password nobody knows, not an unusable one: Django's password
                # reset ignores unusable passwords, and that is how the member sets theirs.
                user = users.objects.create_user(
                    username=email, email=email, password=secrets.token_urlsafe(32)
                )
            added, created = Membership.objects.get_or_create(
                user=user,
                organization=membership.organization,
                defaults={"role": form.cleaned_data["role"]},
            )
            if created:
                _audit(request, membership, AuditAction.MEMBER_ADDED, added, role=added.role)
                messages.success(
                    request,
                    _("%(email)s was added. They set their password with “Forgotten password”.")
                    % {"email": email},
                )
            else:
                messages.info(request, _("%(email)s is a member already.") % {"email": email})
            return redirect("members")
    rows = Membership.objects.filter(organization=membership.organization).select_related("user")
    return render(
        request,
        "web/members.html",
        {"membership": membership, "rows": rows, "form": form, "role_form": RoleForm()},
    )


@login_required
@require_POST
def member_role(request: HttpRequest, member_id: int) -> HttpResponse:
    """Change a member's role; the last owner cannot stop being one."""
    membership = _owner_membership(request)
    target = Membership.objects.filter(pk=member_id, organization=membership.organization).first()
    if target is None:
        raise Http404
    form = RoleForm(request.POST)
    if form.is_valid():
        role = form.cleaned_data["role"]
        if _is_last_owner(target) and role != Role.OWNER:
            messages.error(request, _("An organization keeps at least one owner."))
        else:
            before = target.role
            target.role = role
            target.save(update_fields=["role"])
            _audit(request, membership, AuditAction.ROLE_CHANGED, target, before=before, role=role)
            messages.success(request, _("Role changed."))
    return redirect("members")


@login_required
@require_POST
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    """Remove a member from the organization; the last owner stays."""
    membership = _owner_membership(request)
    target = Membership.objects.filter(pk=member_id, organization=membership.organization).first()
    if target is None:
        raise Http404
    if _is_last_owner(target):
        messages.error(request, _("An organization keeps at least one owner."))
    else:
        _audit(request, membership, AuditAction.MEMBER_REMOVED, target, role=target.role)
        remove_member(target)
        messages.success(request, _("Member removed."))
    return redirect("members")


def _audit(
    request: HttpRequest,
    membership: Membership,
    action: AuditAction,
    target: Membership,
    **details: str,
) -> None:
    record_audit(
        membership.organization,
        action,
        actor=request.user,
        target=target.user.email or target.user.username,
        details=details,
        ip=client_address(request.META),
    )


def _is_last_owner(target: Membership) -> bool:
    return (
        target.role == Role.OWNER
        and Membership.objects.filter(
            organization_id=target.organization_id, role=Role.OWNER
        ).count()
        == 1
    )
