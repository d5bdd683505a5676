"""The unit's month grid: its own calendar and one row per channel."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from icalbridge import clock
from icalbridge.core.bookings import Kind
from icalbridge.core.deliveries import LoopFacts, delivery_of
from icalbridge.core.exports import bookings_for_channel
from icalbridge.core.spans import Nights, nights_of
from icalbridge.hub.models import Booking, Channel, Conflict, Unit
from icalbridge.sync.export_loop import loop_facts, not_applied_grace
from icalbridge.sync.exporter import active_core_bookings, is_rental_platform
from icalbridge.web.forms import KIND_LABELS, BookingForm
from icalbridge.web.health import channel_health_of
from icalbridge.web.month_grid import (
    GridEntry,
    GridRow,
    conflict_days_of,
    days_of_month,
    row_segments,
    shifted_month,
)
from icalbridge.web.permissions import unit_for
from icalbridge.web.templatetags.hosting import direction_label


def local_today(unit: Unit) -> date:
    """Return today's date where the unit is."""
    return clock.now().astimezone(unit.zone).date()


def _month_asked(request: HttpRequest, today: date) -> date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-", 1))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _kind_label(kind: str) -> str:
    return str(KIND_LABELS[Kind(kind)])


def _label(booking: Booking) -> str:
    """Name a booking as the host reads it: their own word, else its kind."""
    if booking.origin_id is None:
        return booking.category or booking.summary or _kind_label(booking.kind)
    return _kind_label(booking.kind)


def _entry(booking: Booking, unit: Unit) -> GridEntry | None:
    nights = nights_of(booking.span, unit.stay_times)
    if nights is None:
        return None
    return GridEntry(
        booking_id=str(booking.public_id),
        start=nights.start,
        end=nights.end,
        kind=booking.kind,
        label=_label(booking),
        detail=booking.summary,
        is_echo=booking.is_echo,
        is_horizon=booking.is_horizon,
    )


def _conflict_days(unit: Unit, booking_ids: set[str]) -> frozenset[date]:
    spans = [
        (c.start, c.end)
        for c in Conflict.objects.filter(unit=unit, state="open").select_related("first", "second")
        if str(c.first.public_id) in booking_ids or str(c.second.public_id) in booking_ids
    ]
    return conflict_days_of(spans)


def grid_rows(unit: Unit, channels: list[Channel], days: list[date]) -> list[GridRow]:
    """Return the unit's own row, then one row per channel, for these days."""
    first, last = days[0], days[-1]
    active = [
        b
        for b in Booking.objects.filter(unit=unit, cancelled_at__isnull=True).select_related(
            "origin"
        )
    ]
    entries: dict[int | None, list[GridEntry]] = {}
    for booking in active:
        entry = _entry(booking, unit)
        if entry is not None and entry.end > first and entry.start <= last:
            entries.setdefault(booking.origin_id, []).append(entry)
    own = entries.get(None, [])
    rows = [
        GridRow(
            "own",
            _("My calendar"),
            _("entered here"),
            row_segments(days, own, _conflict_days(unit, {e.booking_id for e in own})),
            is_own=True,
        )
    ]
    core = active_core_bookings([unit])
    # What we send is named by where it comes from: the host's calendar or another channel.
    sources = {str(b.public_id): b.origin.name if b.origin else _("My calendar") for b in active}
    now = clock.now()
    for channel in channels:
        imported = entries.get(channel.pk, [])
        sent = []
        facts = loop_facts(channel, now) if channel.exports else None
        rental = is_rental_platform(channel.platform)
        if channel.exports:
            for exported in bookings_for_channel(core, channel.key, channel.export_filter):
                nights = nights_of(exported.span, unit.stay_times)
                if nights is not None and nights.end > first and nights.start <= last:
                    sent.append(
                        GridEntry(
                            exported.id,
                            nights.start,
                            nights.end,
                            exported.kind.value,
                            sources.get(exported.id, ""),
                            detail=_kind_label(exported.kind.value),
                            is_sent=True,
                            delivery=_delivery_state(nights, facts, now, unit) if rental else "",
                        )
                    )
        conflicts = _conflict_days(unit, {e.booking_id for e in imported})
        rows.append(
            GridRow(
                str(channel.public_id),
                channel.name,
                direction_label(channel.direction),
                row_segments(days, imported + sent, conflicts),
            )
        )
    return rows


def _delivery_state(nights: Nights, facts: LoopFacts | None, now: datetime, unit: Unit) -> str:
    if facts is None:
        return ""
    today = now.astimezone(unit.zone).date()
    return delivery_of(nights, facts, now=now, today=today, grace=not_applied_grace()).state.value


@login_required
def unit_calendar(request: HttpRequest, unit_id: str) -> HttpResponse:
    """Show a month of a unit: its own calendar and what each channel holds."""
    unit, membership = unit_for(request, unit_id)
    today = local_today(unit)
    month = _month_asked(request, today)
    days = days_of_month(month)
    channels = list(unit.channels.filter(is_active=True).order_by("name", "id"))
    context = {
        "unit": unit,
        "membership": membership,
        "month": month,
        "previous": shifted_month(month, -1).strftime("%Y-%m"),
        "next": shifted_month(month, 1).strftime("%Y-%m"),
        "this_month": today.strftime("%Y-%m"),
        "today": today,
        "days": days,
        "rows": grid_rows(unit, channels, days),
        "health": channel_health_of(channels, clock.now()),
        "open_conflicts": Conflict.objects.filter(unit=unit, state="open").select_related(
            "first__origin", "second__origin"
        ),
        "form": BookingForm(unit=unit, initial={"start": today}) if membership.can_edit else None,
        "kinds": [(k.value, KIND_LABELS[k]) for k in Kind],
    }
    return render(request, "web/unit_calendar.html", context)
