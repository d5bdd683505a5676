"""The fetch policy, read from the settings."""

from __future__ import annotations

from django.conf import settings

from icalbridge import __version__
from icalbridge.outbound.fetch import FetchPolicy


def fetch_policy() -> FetchPolicy:
    """Return the policy every fetch of an import URL follows.

    ``ICALBRIDGE_ALLOW_PRIVATE_URLS`` is ``1`` to lift the private-address guard (tests,
    intranets), or a comma-separated list of networks to allow, e.g. ``127.0.0.1/32``.
    """
    raw = str(getattr(settings, "ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW", "") or "")
    allow_all = raw.strip().lower() in {"1", "true", "yes", "on"}
    networks = () if allow_all else tuple(n.strip() for n in raw.split(",") if "/" in n)
    return FetchPolicy(
        max_bytes=settings.ICALBRIDGE_FETCH_MAX_BYTES,
        total_timeout_s=float(settings.ICALBRIDGE_FETCH_TIMEOUT_S),
        connect_timeout_s=min(10.0, float(settings.ICALBRIDGE_FETCH_TIMEOUT_S)),
        allow_private=allow_all,
        allowed_networks=networks,
        user_agent=f"icalbridge/{__version__} (calendar sync)",
    )
