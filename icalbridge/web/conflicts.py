"""A double booking, both sides shown so the host can decide."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from icalbridge.hub.models import Booking
from icalbridge.web.permissions import conflict_for


def _first_day(booking: Booking) -> date:
    if booking.start_date is not None:
        return booking.start_date
    assert booking.start_at is not None
    return timezone.localtime(booking.start_at, booking.unit.zone).date()


@login_required
def conflict_detail(request: HttpRequest, conflict_id: int) -> HttpResponse:
    """Show both bookings of a conflict side by side, with where to act on each."""
    conflict, membership = conflict_for(request, conflict_id)
    return render(
        request,
        "web/conflict_detail.html",
        {
            "conflict": conflict,
            "unit": conflict.unit,
            "membership": membership,
            "sides": sorted((conflict.first, conflict.second), key=_first_day),
        },
    )
