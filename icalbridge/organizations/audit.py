"""Record security-relevant changes of an organization as audit events."""

from __future__ import annotations

import ipaddress
from typing import Any

from icalbridge import clock
from icalbridge.hub.models import AuditAction, AuditEvent, Membership, Organization


def _valid_ip(ip: str | None) -> str | None:
    # PostgreSQL's inet column refuses what is not an address; a forged header must not
    # turn an audited change into a server error.
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return None


def record_audit(
    organization: Organization | int,
    action: AuditAction | str,
    *,
    actor: Any = None,
    target: str = "",
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Record one audit event of an organization; return it."""
    organization_id = organization if isinstance(organization, int) else organization.pk
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        organization_id=organization_id,
        actor=actor if is_user else None,
        actor_email=(getattr(actor, "email", "") or getattr(actor, "username", ""))
        if is_user
        else "",
        action=AuditAction(action),
        target=target[:300],
        details=details or {},
        at=clock.now(),
        ip=_valid_ip(ip),
    )


def record_audit_everywhere(
    user: Any,
    action: AuditAction | str,
    *,
    target: str = "",
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> int:
    """Record an event about a user's own account in each of their organizations; count them."""
    # API tokens and accounts belong to the user, not to one organization: every owner
    # who shares an organization with them must be able to see the change.
    organization_ids = Membership.objects.filter(user=user).values_list(
        "organization_id", flat=True
    )
    for organization_id in organization_ids:
        record_audit(organization_id, action, actor=user, target=target, details=details, ip=ip)
    return len(organization_ids)
