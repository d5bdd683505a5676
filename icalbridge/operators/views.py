"""The operator's health page: staff only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from icalbridge import clock
from icalbridge.operators.health import hub_health


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send strangers to the login page and refuse signed-in people who are not staff."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@staff_only
def health(request: HttpRequest) -> HttpResponse:
    """Show what needs the operator's eye across every organization."""
    return render(request, "operators/health.html", {"health": hub_health(clock.now())})
