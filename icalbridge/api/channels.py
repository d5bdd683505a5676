"""Channels: a unit's links with outside calendars, their options and their status."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from icalbridge import clock
from icalbridge.api.auth import caller, channel_for, unit_for
from icalbridge.api.channel_schemas import ChannelIn, ChannelOut, ExportUrlOut
from icalbridge.api.pagination import Page, PageQuery, page_of_queryset
from icalbridge.api.problems import PROBLEMS, ApiProblem, FieldError, conflict, invalid
from icalbridge.core.platforms import Platform, platform_by_id
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
    allowed_poll_interval,
    check_can_add_channel,
    default_poll_interval,
)
from icalbridge.outbound.fetch import normalise_feed_url
from icalbridge.security import client_address
from icalbridge.sync.export_side import ExportSide, full_status
from icalbridge.sync.exporter import refresh_unit_feeds
from icalbridge.sync.import_links import Verdict, judge_import_link
from icalbridge.sync.status import held_message

router = Router(tags=["channels"])


def _feed_of(channel: Channel) -> PublishedFeed | None:
    try:
        return channel.feed
    except PublishedFeed.DoesNotExist:
        return None


def _held_of(channel: Channel) -> HeldChange | None:
    try:
        return channel.held
    except HeldChange.DoesNotExist:
        return None


def channel_out(channel: Channel) -> dict[str, Any]:
    feed = _feed_of(channel) if channel.exports else None
    held = _held_of(channel)
    full = full_status(channel, clock.now(), held)
    status = full.overall
    return {
        "id": str(channel.public_id),
        "unit": str(channel.unit.public_id),
        "name": channel.name,
        "platform": channel.platform,
        "direction": channel.direction,
        "import_url": channel.import_url or None,
        "export_url": feed.url if feed else None,
        "export_webcal_url": feed.webcal_url if feed else None,
        "dtend_is_checkout": channel.dtend_is_checkout,
        "import_mode": channel.import_mode,
        "ignore_phrases": list(channel.ignore_phrases or []),
        "floating_tz": channel.floating_tz or None,
        "poll_interval_s": channel.poll_interval_s,
        "export_kinds": list(channel.export_kinds or []),
        "export_categories": list(channel.export_categories or []),
        "next_poll_at": channel.next_poll_at if channel.imports else None,
        "created_at": channel.created_at,
        "status": {
            "state": status.state.value,
            "reason": status.reason,
            "message": status.message,
            "last_error_code": channel.last_error_code or None,
            "last_import_at": channel.last_success_at,
            "last_attempt_at": channel.last_attempt_at,
            "events_read": channel.events_read,
            "consecutive_failures": channel.consecutive_failures,
            "last_export_fetch_at": channel.last_export_fetch_at,
            "last_export_fetch_by": channel.last_export_fetch_by or None,
            "export": export_status_out(full.export) if full.export else None,
        },
        "held": (
            {
                "reason": held.reason,
                "would_cancel": len(held.would_cancel),
                "would_add": held.would_add,
                "message": held_message(held),
                "created_at": held.created_at,
            }
            if held
            else None
        ),
    }


def export_status_out(side: ExportSide) -> dict[str, Any]:
    figures = side.figures
    return {
        "state": side.state,
        "reason": side.reason,
        "message": side.message,
        "last_fetch_at": side.last_fetch_at,
        "last_fetch_by": side.last_fetch_by or None,
        "usual_fetch_interval_s": side.usual_fetch_interval_s,
        "applied_delay_p50_s": figures.applied_delay_p50_s,
        "not_applied": [
            {"start": n.start.isoformat(), "end": n.end.isoformat()}
            for n in side.verdict.not_applied
        ],
        "measured": asdict(figures),
    }


def _platform(payload: ChannelIn) -> Platform:
    try:
        platform = platform_by_id(payload.platform)
    except KeyError:
        raise invalid(
            "platform", _("Unknown platform %(id)r.") % {"id": payload.platform}
        ) from None
    if payload.direction not in platform.directions:
        raise invalid(
            "direction",
            _("%(platform)s does not support the direction %(direction)r; choose from %(ok)s.")
            % {
                "platform": platform.name_en,
                "direction": payload.direction.value,
                "ok": ", ".join(d.value for d in platform.directions),
            },
        )
    return platform


def _import_url(payload: ChannelIn) -> str:
    if not payload.direction.imports:
        if payload.import_url:
            raise invalid("import_url", _("An export-only channel has no import link."))
        return ""
    if not payload.import_url or not payload.import_url.strip():
        raise invalid("import_url", _("A channel that imports needs the platform's link."))
    try:
        return normalise_feed_url(payload.import_url)
    except ValueError as exc:
        raise invalid("import_url", str(exc)) from None


def _check_import_url(url: str, unit: Unit, platform: Platform, *, confirmed: bool) -> None:
    """Refuse a link that can never work, and one that failed its check unless confirmed."""
    today = clock.now().astimezone(unit.zone).date()
    judgement = judge_import_link(url, unit, today=today, platform=platform.id)
    if judgement.verdict is Verdict.REFUSED:
        raise invalid("import_url", judgement.message)
    if judgement.verdict is Verdict.DOUBTFUL and not confirmed:
        raise ApiProblem(
            400,
            "import-url-unconfirmed",
            _("The import link did not answer a calendar."),
            judgement.message,
            (FieldError("import_url", judgement.message),),
        )


def _check_limits(organization: Organization, poll_interval_s: int | None) -> int:
    """Return the channel's poll interval once the organization's quotas allow the channel."""
    try:
        interval = (
            default_poll_interval(organization)
            if poll_interval_s is None
            else allowed_poll_interval(organization, poll_interval_s)
        )
    except QuotaExceeded as exc:
        raise invalid("poll_interval_s", exc.message) from None
    try:
        check_can_add_channel(organization)
    except QuotaExceeded as exc:
        raise ApiProblem(409, "limit-reached", _("Limit reached."), exc.message) from None
    return interval


@router.post("/units/{unit}/channels", response={201: ChannelOut, **PROBLEMS})
def create_channel(request: HttpRequest, unit: str, payload: ChannelIn) -> Status[dict[str, Any]]:
    """Link a unit with a platform: import its link, export ours to it, or both."""
    target = unit_for(request, unit, write=True)
    platform = _platform(payload)
    import_url = _import_url(payload)
    if import_url:
        _check_import_url(import_url, target, platform, confirmed=payload.confirm_import_url)
    defaults = platform.default_import_options
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=target.organization_id)
        interval = _check_limits(organization, payload.poll_interval_s)
        channel = Channel.objects.create(
            unit=target,
            name=payload.name,
            platform=platform.id,
            direction=payload.direction.value,
            import_url=import_url,
            dtend_is_checkout=(
                defaults.dtend_is_checkout
                if payload.dtend_is_checkout is None
                else payload.dtend_is_checkout
            ),
            import_mode=(payload.import_mode or defaults.mode).value,
            ignore_phrases=list(
                defaults.ignore_phrases
                if payload.ignore_phrases is None
                else payload.ignore_phrases
            ),
            floating_tz=payload.floating_tz or defaults.floating_tz or "",
            poll_interval_s=interval,
            export_kinds=[k.value for k in payload.export_kinds],
            export_categories=list(payload.export_categories),
            # Due at once: the worker's next round imports it, so the host sees it work.
            next_poll_at=clock.now() if payload.direction.imports else None,
        )
    if channel.exports:
        refresh_unit_feeds(target)
    return Status(201, channel_out(_reloaded(channel)))


def _reloaded(channel: Channel) -> Channel:
    return Channel.objects.select_related("unit", "feed", "held").get(pk=channel.pk)


@router.get("/units/{unit}/channels", response={200: Page[ChannelOut], **PROBLEMS})
def list_channels(request: HttpRequest, unit: str, page: PageQuery) -> dict[str, Any]:
    """List a unit's channels with their status."""
    target = unit_for(request, unit)
    channels = Channel.objects.filter(unit=target).select_related("unit", "feed", "held")
    return page_of_queryset(channels, page, f"channels:{target.pk}", channel_out)


@router.get("/channels/{channel}", response={200: ChannelOut, **PROBLEMS})
def get_channel(request: HttpRequest, channel: str) -> dict[str, Any]:
    """Return a channel, its options and its status."""
    return channel_out(_reloaded(channel_for(request, channel)))


@router.post("/channels/{channel}/reset-export-url", response={200: ExportUrlOut, **PROBLEMS})
def reset_export_url(request: HttpRequest, channel: str) -> dict[str, Any]:
    """Give the channel a new export link; the old one stops working at once."""
    target = channel_for(request, channel, write=True)
    if not target.exports:
        raise conflict("not-exporting", _("Nothing to reset."), _("This channel does not export."))
    feed = PublishedFeed.objects.filter(channel=target).first()
    if feed is None:
        refresh_unit_feeds(target.unit)
        feed = PublishedFeed.objects.get(channel=target)
    else:
        feed.reset_token()
        feed.save(update_fields=["token"])
    record_audit(
        target.unit.organization,
        AuditAction.EXPORT_LINK_RESET,
        actor=caller(request),  # type: ignore[attr-defined]
        target=f"{target.unit.name} / {target.name}",
        details={"channel": str(target.public_id), "via": "api"},
        ip=client_address(request.META),
    )
    return {"export_url": feed.url, "export_webcal_url": feed.webcal_url}
