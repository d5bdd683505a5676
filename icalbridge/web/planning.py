"""The planning: every unit of the organization over a month, a row each.

What a host with several gîtes looks at first (Open Pro's "planning", WeeBnB's calendar):
each unit's bookings and blocks, whatever their origin, and its double bookings. Echoes and
horizon blocks are left out: they are not bookings (docs/domain.md rules 8 and 12).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from icalbridge import clock
from icalbridge.hub.models import Booking, Conflict, Unit
from icalbridge.web.calendar_grid import grid_entry, month_shown
from icalbridge.web.month_grid import GridEntry, GridRow, conflict_days_of, row_segments
from icalbridge.web.permissions import active_membership


def _midnight(day: date, days_after: int) -> datetime:
    return datetime.combine(day + timedelta(days=days_after), time(), UTC)


def planning_rows(units: list[Unit], days: list[date]) -> list[GridRow]:
    """Return one row per unit: its bookings and blocks over these days, conflicts marked."""
    first, last = days[0], days[-1]
    bookings = (
        Booking.objects.filter(unit__in=units, cancelled_at__isnull=True)
        .filter(is_echo=False, is_horizon=False)
        .filter(
            Q(all_day=True, end_date__gt=first, start_date__lte=last)
            # Timed ones by their instants, a day wider each side for the units' zones.
            | Q(all_day=False, end_at__gt=_midnight(first, -1), start_at__lt=_midnight(last, 2))
        )
        .select_related("origin")
    )
    entries: dict[int, list[GridEntry]] = defaultdict(list)
    by_unit = {unit.pk: unit for unit in units}
    for booking in bookings:
        entry = grid_entry(booking, by_unit[booking.unit_id], named_by_origin=True)
        if entry is not None and entry.end > first and entry.start <= last:
            entries[booking.unit_id].append(entry)
    spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for conflict in Conflict.objects.filter(unit__in=units, state="open"):
        spans[conflict.unit_id].append((conflict.start, conflict.end))
    return [
        GridRow(
            str(unit.public_id),
            unit.name,
            "",
            row_segments(days, entries[unit.pk], conflict_days_of(spans[unit.pk])),
        )
        for unit in units
    ]


@login_required
def planning(request: HttpRequest) -> HttpResponse:
    """Show every unit of the organization over a month, one row each."""
    membership = active_membership(request)
    if membership is None:
        return redirect("dashboard")
    units = list(membership.organization.units.order_by("name", "id"))
    zone = units[0].zone if units else clock.now().tzinfo
    shown = month_shown(request, clock.now().astimezone(zone).date())
    return render(
        request,
        "web/planning.html",
        {**shown, "membership": membership, "rows": planning_rows(units, shown["days"])},
    )
