"""A host's own data: download all of it, read its audit log, delete the account."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from icalbridge import clock
from icalbridge.hub.models import (
    AuditAction,
    AuditEvent,
    Booking,
    Channel,
    ImportRun,
    Membership,
    Organization,
    Role,
    Unit,
)
from icalbridge.organizations.audit import record_audit, record_audit_everywhere
from icalbridge.security import client_address
from icalbridge.web.forms import HostForm
from icalbridge.web.permissions import active_membership, require_role

AUDIT_PAGE_LENGTH = 300


class DeleteAccountForm(HostForm):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


def _link_without_secret(url: str) -> str:
    # Import links carry the platform's secret in their path or query; the host's export
    # file may be mailed around, so it names the server only.
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}/…" if parts.hostname else ""


def organization_data(organization: Organization) -> dict[str, Any]:
    """Return everything stored about an organization, without its links' secrets."""
    units = Unit.objects.filter(organization=organization).order_by("id")
    channels = Channel.objects.filter(unit__organization=organization).select_related("unit")
    bookings = Booking.objects.filter(unit__organization=organization).select_related(
        "unit", "origin"
    )
    runs = ImportRun.objects.filter(channel__unit__organization=organization).select_related(
        "channel"
    )
    members = Membership.objects.filter(organization=organization).select_related("user")
    return {
        "organization": {"name": organization.name, "created_at": organization.created_at},
        "exported_at": clock.now(),
        "members": [{"email": m.user.email or m.user.username, "role": m.role} for m in members],
        "units": [
            {
                "id": str(u.public_id),
                "name": u.name,
                "timezone": u.timezone,
                "check_in": u.check_in,
                "check_out": u.check_out,
                "booked_by_the_hour": u.booked_by_the_hour,
            }
            for u in units
        ],
        "channels": [
            {
                "id": str(c.public_id),
                "unit": str(c.unit.public_id),
                "name": c.name,
                "platform": c.platform,
                "direction": c.direction,
                "import_server": _link_without_secret(c.import_url),
                "is_active": c.is_active,
            }
            for c in channels.order_by("id")
        ],
        "bookings": [
            {
                "id": str(b.public_id),
                "unit": str(b.unit.public_id),
                "kind": b.kind,
                "category": b.category,
                "summary": b.summary,
                "note": b.note,
                "start": b.start_date or b.start_at,
                "end": b.end_date or b.end_at,
                "origin": b.origin.name if b.origin else "",
                "cancelled_at": b.cancelled_at,
            }
            for b in bookings.order_by("id")
        ],
        "import_runs": [
            {
                "channel": str(r.channel.public_id),
                "started_at": r.started_at,
                "outcome": r.outcome,
                "http_status": r.http_status,
                "added": r.added,
                "moved": r.moved,
                "cancelled": r.cancelled,
                "error_code": r.error_code,
                "message": r.message,
            }
            for r in runs.order_by("started_at", "id")
        ],
        "audit_events": [
            {
                "at": e.at,
                "actor": e.actor_email,
                "action": e.action,
                "target": e.target,
                "details": e.details,
                "ip": e.ip,
            }
            for e in AuditEvent.objects.filter(organization=organization).order_by("at", "id")
        ],
    }


@login_required
def account_data_download(request: HttpRequest) -> HttpResponse:
    """Send the owner a JSON file with all of the organization's data."""
    membership = active_membership(request)
    if membership is None:
        return redirect("dashboard")
    require_role(membership, owner=True)
    record_audit(
        membership.organization,
        AuditAction.DATA_DOWNLOADED,
        actor=request.user,
        ip=client_address(request.META),
    )
    data = organization_data(membership.organization)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = clock.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="icalbridge-{stamp}.json"'
    return response


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """List the organization's audit events, newest first; owners only."""
    membership = active_membership(request)
    if membership is None:
        return redirect("dashboard")
    require_role(membership, owner=True)
    events = AuditEvent.objects.filter(organization=membership.organization)
    return render(
        request,
        "web/audit_log.html",
        {"membership": membership, "events": events[:AUDIT_PAGE_LENGTH]},
    )


def _organizations_lost_with(user: Any) -> list[Organization]:
    """Return the organizations whose only owner is this user: they go with the account."""
    lost = []
    for m in Membership.objects.filter(user=user, role=Role.OWNER).select_related("organization"):
        owners = Membership.objects.filter(organization_id=m.organization_id, role=Role.OWNER)
        if owners.count() == 1:
            lost.append(m.organization)
    return lost


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the user's account after the password; organizations left without owner go too."""
    user: Any = request.user  # logged in: login_required
    form = DeleteAccountForm(request.POST or None, user=user)
    lost = _organizations_lost_with(user)
    if request.method == "POST" and form.is_valid():
        ip = client_address(request.META)
        with transaction.atomic():
            for organization in lost:
                # Cascades to units, channels, bookings and their export feeds: those links
                # answer 404 from now on.
                organization.delete()
            record_audit_everywhere(
                user, AuditAction.ACCOUNT_DELETED, target=user.email or user.username, ip=ip
            )
            user.delete()
        logout(request)
        messages.success(request, _("Your account and its data are deleted."))
        return redirect("login")
    others = {
        o.pk: Membership.objects.filter(organization=o).exclude(user=user).count() for o in lost
    }
    return render(
        request,
        "web/account_delete.html",
        {
            "form": form,
            "membership": active_membership(request),
            "lost": [(o, others[o.pk]) for o in lost],
        },
    )
