"""A double booking, both sides shown so the host can decide."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from icalbridge.web.permissions import conflict_for


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
            "sides": [conflict.first, conflict.second],
        },
    )
