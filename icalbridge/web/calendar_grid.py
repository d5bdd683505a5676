"""The unit's month grid: its own calendar and one row per channel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _

from icalbridge import clock
from icalbridge.core.bookings import Kind
from icalbridge.core.deliveries import LoopFacts, delivery_of
from icalbridge.core.exports import bookings_for_channel
from icalbridge.core.spans import Nights, nights_of
from icalbridge.hub.active_bookings import active_core_bookings
from icalbridge.hub.models import Booking, Channel, Conflict, HeldChange, Unit
from icalbridge.sync.export_loop import loop_facts, not_applied_grace
from icalbridge.sync.export_side import full_status
from icalbridge.sync.exporter import is_rental_platform
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
from icalbridge.wording.kind_names import KIND_LABELS


def local_today(unit: Unit) -> date:
    """Return today's date where the unit is."""
    return clock.now().astimezone(unit.zone).date()


def month_asked(request: HttpRequest, today: date) -> date:
    """Return the first day of the month the page asks for (``?month=2026-07``), else today's."""
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-", 1))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def month_shown(request: HttpRequest, today: date) -> dict[str, Any]:
    """Return the month a grid page shows, its days and neighbours, as its month bar reads them."""
    month = month_asked(request, today)
    return {
        "month": month,
        "previous": shifted_month(month, -1).strftime("%Y-%m"),
        "next": shifted_month(month, 1).strftime("%Y-%m"),
        "this_month": today.strftime("%Y-%m"),
        "today": today,
        "days": days_of_month(month),
    }


def _kind_label(kind: str) -> str:
    return str(KIND_LABELS[Kind(kind)])


def _label(booking: Booking, named_by_origin: bool) -> str:
    """Name a booking as the host reads it: their own word, else where it comes from or its kind."""
    if booking.origin_id is None:
        return booking.category or booking.summary or _kind_label(booking.kind)
    if named_by_origin and booking.origin is not None:
        return booking.origin.name
    return _kind_label(booking.kind)


def grid_entry(booking: Booking, unit: Unit, *, named_by_origin: bool = False) -> GridEntry | None:
    """Return a booking as a grid bar over its nights; None for one that takes no night.

    ``named_by_origin`` labels an imported booking with its channel's name (the planning,
    where a unit's row mixes channels) rather than its kind (a channel's own row).
    """
    nights = nights_of(booking.span, unit.stay_times)
    if nights is None:
        return None
    return GridEntry(
        booking_id=str(booking.public_id),
        start=nights.start,
        end=nights.end,
        kind=booking.kind,
        label=_label(booking, named_by_origin),
        detail=_kind_label(booking.kind) if named_by_origin else booking.summary,
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
        entry = grid_entry(booking, unit)
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
    core = active_core_bookings(unit)
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
        status = full_status(channel, now, HeldChange.objects.filter(channel=channel).first())
        rows.append(
            GridRow(
                str(channel.public_id),
                channel.name,
                direction_label(channel.direction),
                row_segments(days, imported + sent, conflicts),
                state=status.overall.state,
                facts=status_facts(channel, unit, now),
                status_message=" ".join(
                    ([status.imported.message] if channel.imports else [])
                    + ([status.export.message] if status.export else [])
                ),
            )
        )
    return rows


def _when(moment: datetime, unit: Unit, now: datetime) -> tuple[bool, str]:
    """Return whether a moment was today where the unit is, and its time or its day."""
    local = moment.astimezone(unit.zone)
    if local.date() == now.astimezone(unit.zone).date():
        return True, local.strftime("%H:%M")
    return False, formats.date_format(local.date(), "j M")


def status_facts(channel: Channel, unit: Unit, now: datetime) -> tuple[str, ...]:
    """Say when a channel was last imported and when its platform last read our link.

    WeeBnB's calendar puts these two facts on each platform's row; a host reads there
    whether a stay can have come through yet.
    """
    facts = []
    if channel.imports:
        if channel.consecutive_failures and channel.last_attempt_at:
            today, when = _when(channel.last_attempt_at, unit, now)
            facts.append(
                (_("import failed at %(when)s") if today else _("import failed on %(when)s"))
                % {"when": when}
            )
        elif channel.last_success_at:
            today, when = _when(channel.last_success_at, unit, now)
            facts.append(
                (_("imported at %(when)s") if today else _("imported on %(when)s")) % {"when": when}
            )
        else:
            facts.append(_("not imported yet"))
    if channel.exports:
        if channel.last_export_fetch_at:
            today, when = _when(channel.last_export_fetch_at, unit, now)
            facts.append(
                (_("our link read at %(when)s") if today else _("our link read on %(when)s"))
                % {"when": when}
            )
        else:
            facts.append(_("our link not read yet"))
    return tuple(facts)


def pale_bars_of(rows: list[GridRow]) -> dict[str, bool]:
    """Tell which pale bars the grid draws, so that its legend explains those."""
    entries = [seg.entry for row in rows for seg in row.segments if seg.entry is not None]
    return {
        "horizon": any(e.is_horizon for e in entries),
        "echo": any(e.is_echo and not e.is_horizon for e in entries),
    }


def _delivery_state(nights: Nights, facts: LoopFacts | None, now: datetime, unit: Unit) -> str:
    if facts is None:
        return ""
    today = now.astimezone(unit.zone).date()
    return delivery_of(nights, facts, now=now, today=today, grace=not_applied_grace()).state.value


@login_required
def unit_calendar(request: HttpRequest, unit_id: str) -> HttpResponse:
    """Show a month of a unit: its own calendar and what each channel holds."""
    unit, membership = unit_for(request, unit_id)
    shown = month_shown(request, local_today(unit))
    channels = list(unit.channels.filter(is_active=True).order_by("name", "id"))
    rows = grid_rows(unit, channels, shown["days"])
    context = {
        **shown,
        "unit": unit,
        "membership": membership,
        "rows": rows,
        "shows": pale_bars_of(rows),
        "open_conflicts": Conflict.objects.filter(unit=unit, state="open").select_related(
            "first__origin", "second__origin"
        ),
    }
    return render(request, "web/unit_calendar.html", context)
