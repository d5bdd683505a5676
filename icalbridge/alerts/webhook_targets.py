"""The organization's webhook targets as its owners manage them: add, switch on, remove."""

from __future__ import annotations

from typing import Any

import httpx
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from icalbridge.hub.models import AuditAction, Organization, WebhookTarget
from icalbridge.organizations.audit import record_audit
from icalbridge.outbound.addresses import AddressRefused, ResolutionFailed, pinned_address
from icalbridge.outbound.fetch import normalise_feed_url
from icalbridge.outbound.policy import fetch_policy


class WebhookUrlRefused(ValueError):
    """The URL cannot receive webhooks; the message says why, for the host."""


def checked_webhook_url(url: str) -> str:
    """Return the normalised http(s) URL, or raise WebhookUrlRefused when it may not be used."""
    text = url.strip()
    if text.partition("://")[0].lower() not in ("http", "https"):
        raise WebhookUrlRefused(_("A webhook URL starts with https:// or http://."))
    try:
        normalised = normalise_feed_url(text)
    except ValueError as exc:
        raise WebhookUrlRefused(str(exc)) from exc
    parsed = httpx.URL(normalised)
    policy = fetch_policy()
    try:
        pinned_address(
            parsed.raw_host.decode("ascii"),
            parsed.port or (443 if parsed.scheme == "https" else 80),
            allow_private=policy.allow_private,
            allowed_networks=policy.allowed_networks,
        )
    except AddressRefused as exc:
        raise WebhookUrlRefused(
            _(
                "This URL points to %(address)s, a private or reserved network address; "
                "webhooks only go to public addresses unless the administrator allows it."
            )
            % {"address": exc.address}
        ) from exc
    except ResolutionFailed:
        # A receiver whose name is not published yet is accepted: every delivery resolves
        # the name again and refuses a private address then.
        pass
    return normalised


def webhooks_of(organization: Organization) -> QuerySet[WebhookTarget]:
    """Return the organization's targets, each with ``last_delivery_at`` (or None)."""
    return WebhookTarget.objects.filter(organization=organization).annotate(
        last_delivery_at=Max("deliveries__created_at")
    )


def add_webhook(
    organization: Organization, url: str, *, actor: Any, ip: str | None
) -> WebhookTarget:
    """Create a target for an already checked URL (its secret is generated) and audit it."""
    target = WebhookTarget.objects.create(organization=organization, url=url)
    record_audit(organization, AuditAction.WEBHOOK_ADDED, actor=actor, target=url, ip=ip)
    return target


def remove_webhook(target: WebhookTarget, *, actor: Any, ip: str | None) -> None:
    """Delete a target and its delivery history, and audit it."""
    record_audit(
        target.organization_id, AuditAction.WEBHOOK_REMOVED, actor=actor, target=target.url, ip=ip
    )
    target.delete()


def enable_webhook(target: WebhookTarget) -> None:
    """Switch a target on again with a fresh failure count."""
    WebhookTarget.objects.filter(pk=target.pk).update(
        is_active=True, consecutive_failures=0, failing_since=None, disabled_at=None
    )
    target.refresh_from_db()
