"""Password and API token guessing: django-axes counts failures, this module words the refusal.

django-axes records each failed attempt in the database (so every web process and the
admin share one count) and refuses an attempt while the failures of the same account from
the same address within the cool-off reach the limit. Counting per account *and* address
keeps the lock from being a weapon: a stranger cannot lock a host out from elsewhere, and
every lock ends by itself after the cool-off (failures during a lock do not extend it).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from icalbridge.security import client_address

# Bearer tokens name no account: their failures are counted under this name, per address.
# Parentheses cannot appear in a username, so no account can share it.
API_TOKEN_ACCOUNT = "(api token)"


def address_of_request(request: HttpRequest) -> str:
    """Return the address django-axes counts failures for (the proxy's last hop if behind one)."""
    return client_address(request.META)


def attempted_account(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Return the account an attempt was for, so that "Claire@X" and "claire@x " count as one."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """Return how long a lock lasts (django-axes asks with the request; it is the same for all)."""
    return timedelta(minutes=settings.ICALBRIDGE_LOGIN_LOCKOUT_MINUTES)


def seconds_until_unlocked(request: HttpRequest, account: str) -> int:
    """Return how long the account stays locked for this address (at least one second)."""
    last_failure = (
        AccessAttempt.objects.filter(username=account, ip_address=address_of_request(request))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last_failure is None:
        return 1
    remaining = last_failure + cool_off() - timezone.now()
    return max(1, math.ceil(remaining.total_seconds()))


def is_locked_out(request: HttpRequest, account: str) -> bool:
    """Tell whether this account is locked for the request's address."""
    if not settings.AXES_ENABLED:
        return False
    return AxesProxyHandler.is_locked(request, {"username": account})


def count_failure(request: HttpRequest, account: str) -> bool:
    """Count one failed attempt on an account; tell whether it is now locked for this address."""
    if not settings.AXES_ENABLED:
        return False
    user_login_failed.send(sender=__name__, credentials={"username": account}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def locked_out_page(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """Answer a locked-out login (site or admin): 429, how long to wait, in the reader's language."""
    wait_s = seconds_until_unlocked(request, attempted_account(request, credentials))
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": max(1, math.ceil(wait_s / 60))},
        status=429,
    )
    response["Retry-After"] = str(wait_s)
    return response
