"""The dashboard: every unit's sync health and what needs the host now; adding units."""

from __future__ import annotations

from zoneinfo import available_timezones

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icalbridge import clock
from icalbridge.core.export_status import ExportReason
from icalbridge.core.platforms import USUAL_PLATFORM_IDS, platform_by_id
from icalbridge.hub.models import Channel, Organization, Unit
from icalbridge.organizations.quotas import QuotaExceeded, check_can_add_unit
from icalbridge.web.forms import UnitForm
from icalbridge.web.health import attention_of, unit_health_of
from icalbridge.web.permissions import (
    SESSION_ORGANIZATION,
    active_membership,
    membership_in,
    require_role,
    signed_in_user,
    unit_for,
)
from icalbridge.wording.platform_names import platform_name

COMMON_ZONES = sorted(
    z
    for z in available_timezones()
    if z.startswith(("Europe/", "America/", "Atlantic/", "Indian/", "Pacific/"))
)


def export_problems_of(organization: Organization) -> dict[str, list[Channel]]:
    """Return the channels whose platform does not read, or does not apply, our link.

    Read from the export side the worker last derived (when a new fact arrived, or when
    time alone could change it: ``alerts.export_causes``), so the dashboard costs one
    query however many channels there are.
    """
    channels = (
        Channel.objects.filter(unit__organization=organization, is_active=True)
        .filter(export_reason__in=(ExportReason.NOT_FETCHED, ExportReason.NOT_APPLIED))
        .select_related("unit")
        .order_by("unit__name", "name")
    )
    found: dict[str, list[Channel]] = {"not_read": [], "not_applied": []}
    for channel in channels:
        key = "not_read" if channel.export_reason == ExportReason.NOT_FETCHED else "not_applied"
        found[key].append(channel)
    return found


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show every unit with a dot per channel, and what needs attention now."""
    membership = active_membership(request)
    if membership is None:
        return render(request, "web/no_organization.html")
    units = unit_health_of(membership.organization.units.all(), clock.now())
    context = {
        "membership": membership,
        "units": sorted(units, key=lambda u: (u.severity, u.unit.name.lower())),
        "attention": attention_of(units),
        "export_problems": export_problems_of(membership.organization),
        "memberships": signed_in_user(request).memberships.select_related("organization"),
    }
    return render(request, "web/dashboard.html", context)


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    """Work in another organization the user belongs to."""
    chosen = request.POST.get("organization", "")
    # A mangled value (":", a 40-digit number) names no membership: 404, not a server error.
    organization_id = int(chosen) if chosen.isdecimal() and len(chosen) < 18 else 0
    membership = membership_in(request, organization_id)
    request.session[SESSION_ORGANIZATION] = membership.organization_id
    return redirect("dashboard")


def _save_new_unit(form: UnitForm, organization_id: int) -> Unit | None:
    """Save a new unit within the organization's quotas; None, with a form error, beyond."""
    try:
        with transaction.atomic():
            organization = Organization.objects.select_for_update().get(pk=organization_id)
            check_can_add_unit(organization)
            unit = form.save(commit=False)
            unit.organization = organization
            unit.save()
    except QuotaExceeded as exc:
        form.add_error(None, exc.message)
        return None
    return unit


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    """Add a unit to the organization the user works in."""
    membership = active_membership(request)
    if membership is None:
        return redirect("dashboard")
    require_role(membership, write=True)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = _save_new_unit(form, membership.organization_id)
        if unit is not None:
            messages.success(
                request,
                _("%(unit)s is ready. Now connect its first channel.") % {"unit": unit.name},
            )
            then = request.POST.get("then", "")
            # The new-unit form offers the usual platforms: create and connect in one click.
            if then in USUAL_PLATFORM_IDS:
                return redirect("channel_create", unit_id=unit.public_id, platform_id=then)
            return redirect("channel_pick", unit_id=unit.public_id)
    first_platforms = [(p, platform_name(platform_by_id(p))) for p in USUAL_PLATFORM_IDS]
    return render(
        request,
        "web/unit_form.html",
        {
            "form": form,
            "zones": COMMON_ZONES,
            "membership": membership,
            "first_platforms": first_platforms,
        },
    )


@login_required
def unit_edit(request: HttpRequest, unit_id: str) -> HttpResponse:
    """Change a unit's name, time zone and stay times."""
    unit, membership = unit_for(request, unit_id, write=True)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("unit_calendar", unit_id=unit.public_id)
    return render(
        request,
        "web/unit_form.html",
        {"form": form, "unit": unit, "zones": COMMON_ZONES, "membership": membership},
    )
