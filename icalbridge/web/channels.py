"""A unit's channels: connect a platform, check its link, import now, reset our link."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icalbridge import clock
from icalbridge.core.platforms import USUAL_PLATFORM_IDS, Platform, all_platforms, platform_by_id
from icalbridge.hub.models import (
    AuditAction,
    Channel,
    HeldChange,
    Organization,
    PublishedFeed,
    Unit,
)
from icalbridge.organizations.audit import record_audit
from icalbridge.organizations.quotas import (
    QuotaExceeded,
    check_can_add_channel,
    default_poll_interval,
)
from icalbridge.security import client_address
from icalbridge.sync.export_side import delay_sentences, full_status
from icalbridge.sync.exporter import refresh_unit_feeds
from icalbridge.sync.imports_now import ChannelBusy, import_now
from icalbridge.web.calendar_grid import local_today
from icalbridge.web.channel_help import help_for
from icalbridge.web.dashboard import COMMON_ZONES
from icalbridge.web.feed_check import check_link
from icalbridge.web.forms import ChannelForm
from icalbridge.web.permissions import channel_for, unit_for
from icalbridge.wording.platform_names import platform_name


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _platform_or_404(platform_id: str) -> Platform:
    try:
        return platform_by_id(platform_id)
    except KeyError as exc:
        raise Http404 from exc


def _platforms_not_connected(unit: Unit) -> list[tuple[Platform, str]]:
    """Return the usual platforms this unit has no channel for yet, with their names."""
    connected = set(unit.channels.filter(is_active=True).values_list("platform", flat=True))
    return [
        (platform, platform_name(platform))
        for platform in map(platform_by_id, USUAL_PLATFORM_IDS)
        if platform.id not in connected
    ]


def _export_feed(channel: Channel) -> PublishedFeed | None:
    if not channel.exports:
        return None
    feed = PublishedFeed.objects.filter(channel=channel).first()
    if feed is None:
        refresh_unit_feeds(channel.unit)
        feed = PublishedFeed.objects.filter(channel=channel).first()
    return feed


@login_required
def channel_pick(request: HttpRequest, unit_id: str) -> HttpResponse:
    """List the unit's channels and the platforms a new one can connect to."""
    unit, membership = unit_for(request, unit_id)
    platforms = [(p, platform_name(p)) for p in all_platforms()]
    return render(
        request,
        "web/channel_pick.html",
        {
            "unit": unit,
            "membership": membership,
            "platforms": platforms,
            "channels": unit.channels.filter(is_active=True).order_by("name"),
        },
    )


def _save_new_channel(form: ChannelForm, unit: Unit) -> Channel | None:
    """Save a new channel within the organization's quotas; None, with a form error, beyond."""
    try:
        with transaction.atomic():
            organization = Organization.objects.select_for_update().get(pk=unit.organization_id)
            check_can_add_channel(organization)
            channel = form.save(commit=False)
            channel.unit = unit
            channel.poll_interval_s = default_poll_interval(organization)
            channel.save()
    except QuotaExceeded as exc:
        form.add_error(None, exc.message)
        return None
    return channel


def _first_import(channel: Channel) -> None:
    """Import a new channel at once: the host sees its bookings without asking for them."""
    if not channel.imports:
        return
    # A worker may hold it already: the page then shows its result when it is done.
    with contextlib.suppress(ChannelBusy):
        import_now(channel.pk, wait_s=5.0)


@login_required
def channel_create(request: HttpRequest, unit_id: str, platform_id: str) -> HttpResponse:
    """Connect the unit to one platform, with that platform's help beside the form."""
    unit, membership = unit_for(request, unit_id, write=True)
    platform = _platform_or_404(platform_id)
    form = ChannelForm(
        request.POST or None,
        platform=platform,
        unit=unit,
        initial={"name": platform_name(platform)},
    )
    if request.method == "POST" and form.is_valid():
        channel = _save_new_channel(form, unit)
        if channel is not None:
            refresh_unit_feeds(unit)
            _first_import(channel)
            messages.success(request, _("%(channel)s is connected.") % {"channel": channel.name})
            return redirect("channel_detail", channel_id=channel.public_id)
    return render(
        request,
        "web/channel_form.html",
        {
            "unit": unit,
            "membership": membership,
            "form": form,
            "platform": platform,
            "platform_label": platform_name(platform),
            "help": help_for(platform),
            "zones": COMMON_ZONES,
        },
    )


@login_required
def channel_edit(request: HttpRequest, channel_id: str) -> HttpResponse:
    """Change a channel's direction, link and import options."""
    channel, membership = channel_for(request, channel_id, write=True)
    platform = _platform_or_404(channel.platform)
    form = ChannelForm(request.POST or None, instance=channel, platform=platform, unit=channel.unit)
    if request.method == "POST" and form.is_valid():
        form.save()
        refresh_unit_feeds(channel.unit)
        messages.success(request, _("Saved."))
        return redirect("channel_detail", channel_id=channel.public_id)
    return render(
        request,
        "web/channel_form.html",
        {
            "unit": channel.unit,
            "channel": channel,
            "membership": membership,
            "form": form,
            "platform": platform,
            "platform_label": platform_name(platform),
            "help": help_for(platform),
            "zones": COMMON_ZONES,
        },
    )


def status_context(channel: Channel, held: HeldChange | None) -> dict[str, Any]:
    """Return what the status card shows: the worse side's state, each side in words."""
    full = full_status(channel, clock.now(), held)
    return {
        "status": full.overall,
        "imported": full.imported,
        "export": full.export,
        "delays": delay_sentences(channel, full.export) if full.export else [],
    }


@login_required
def channel_detail(request: HttpRequest, channel_id: str) -> HttpResponse:
    """Show a channel's status, our export link, its held change and its import history."""
    channel, membership = channel_for(request, channel_id)
    platform = _platform_or_404(channel.platform)
    held = HeldChange.objects.filter(channel=channel).first()
    return render(
        request,
        "web/channel_detail.html",
        {
            "unit": channel.unit,
            "channel": channel,
            "membership": membership,
            "platform_label": platform_name(platform),
            **status_context(channel, held),
            "held": held,
            "feed": _export_feed(channel),
            "runs": channel.runs.all()[:20],
            "help": help_for(platform),
            "next_platforms": _platforms_not_connected(channel.unit),
        },
    )


@login_required
@require_POST
def channel_check_url(request: HttpRequest, unit_id: str) -> HttpResponse:
    """Fetch a pasted import link once and say what it holds (HTMX, as the host pastes)."""
    unit, _membership = unit_for(request, unit_id, write=True)
    url = request.POST.get("import_url", "").strip()
    check = None
    if url:
        check = check_link(url, local_today(unit), unit.timezone, request.POST.get("platform"))
    return render(request, "web/partials/link_check.html", {"check": check})


@login_required
@require_POST
def channel_import(request: HttpRequest, channel_id: str) -> HttpResponse:
    """Import a channel at once and show what it changed in place."""
    channel, _membership = channel_for(request, channel_id, write=True)
    run, busy = None, False
    if channel.imports:
        try:
            run = import_now(channel.pk, wait_s=10.0)
        except ChannelBusy:
            busy = True
    context: dict[str, Any] = {"channel": channel, "run": run, "busy": busy}
    if _is_htmx(request):
        channel.refresh_from_db()
        held = HeldChange.objects.filter(channel=channel).first()
        context.update(unit=channel.unit, **status_context(channel, held))
        return render(request, "web/partials/import_result.html", context)
    if run is not None:
        messages.info(request, _("Import done."))
    return redirect("channel_detail", channel_id=channel.public_id)


@login_required
def channel_reset_link(request: HttpRequest, channel_id: str) -> HttpResponse:
    """Give the channel a new export link; the old one stops working at once."""
    channel, membership = channel_for(request, channel_id, write=True)
    if request.method == "POST":
        feed = _export_feed(channel)
        if feed is not None:
            feed.reset_token()
            feed.save(update_fields=["token"])
            record_audit(
                channel.unit.organization,
                AuditAction.EXPORT_LINK_RESET,
                actor=request.user,
                target=f"{channel.unit.name} / {channel.name}",
                details={"channel": str(channel.public_id)},
                ip=client_address(request.META),
            )
            messages.success(
                request,
                _("New link made. Paste it on %(channel)s: the old one no longer works.")
                % {"channel": channel.name},
            )
        return redirect("channel_detail", channel_id=channel.public_id)
    return render(
        request,
        "web/channel_reset.html",
        {"unit": channel.unit, "channel": channel, "membership": membership},
    )


@login_required
@require_POST
def held_apply(request: HttpRequest, channel_id: str) -> HttpResponse:
    """Apply a held mass removal: the host confirms the platform really freed these dates."""
    channel, _membership = channel_for(request, channel_id, write=True)
    if HeldChange.objects.filter(channel=channel).exists():
        try:
            import_now(channel.pk, confirm=True, wait_s=10.0)
            messages.success(request, _("Applied: those bookings are removed."))
        except ChannelBusy:
            messages.error(request, _("An import is running; try again in a minute."))
    return redirect("channel_detail", channel_id=channel.public_id)


@login_required
@require_POST
def held_keep(request: HttpRequest, channel_id: str) -> HttpResponse:
    """Drop a held change: the bookings stay as they are."""
    channel, _membership = channel_for(request, channel_id, write=True)
    HeldChange.objects.filter(channel=channel).delete()
    messages.success(request, _("Kept: the bookings stay as they are."))
    return redirect("channel_detail", channel_id=channel.public_id)


@login_required
def channel_remove(request: HttpRequest, channel_id: str) -> HttpResponse:
    """Disconnect a channel; what it imported goes with it, our link stops working."""
    channel, membership = channel_for(request, channel_id, write=True)
    if request.method == "POST":
        unit = channel.unit
        channel.delete()
        refresh_unit_feeds(unit)
        messages.success(request, _("Channel removed."))
        return redirect("channel_pick", unit_id=unit.public_id)
    return render(
        request,
        "web/channel_remove.html",
        {"unit": channel.unit, "channel": channel, "membership": membership},
    )
