"""The operator's health page: staff only."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from icalbridge import clock
from icalbridge.operators.health import hub_health


# Strangers and signed-in hosts who are not staff alike are sent to the hub's own login
# page (not the admin's) to sign in as an operator.
@staff_member_required(login_url=settings.LOGIN_URL)
def health(request: HttpRequest) -> HttpResponse:
    """Show what needs the operator's eye across every organization."""
    return render(request, "operators/health.html", {"health": hub_health(clock.now())})
