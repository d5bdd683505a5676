"""Security headers on every page, and the address a request came from.

The web interface loads its scripts and styles from its own static files only, so the
Content-Security-Policy forbids inline code: an injected <script> or style attribute in a
booking summary would not run. ``data:`` images are the favicon and the stylesheet's icons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"


def policy_with_forms_to(origin: str) -> str:
    """Return the policy with forms also let through to ``origin``.

    A form sent to the hub that redirects to a consent page elsewhere (Google's, to connect
    a calendar) is held to ``form-action`` all along the redirects: browsers stop it short.
    """
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


class SecurityHeadersMiddleware:
    """Add the Content-Security-Policy and Permissions-Policy to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A view that needs a different policy sets its own; it is never widened here.
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def client_address(meta: Mapping[str, Any]) -> str:
    """Return the address a request came from: the proxy's last hop when behind a proxy."""
    if settings.ICALBRIDGE_BEHIND_PROXY:
        # The proxy appends the address it saw; anything left of it the client could forge.
        forwarded = str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")[-1].strip()
        if forwarded:
            return forwarded
    return str(meta.get("REMOTE_ADDR", ""))
