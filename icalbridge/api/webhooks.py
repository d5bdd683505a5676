"""The organization's webhook targets: members read the list, only owners change it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from icalbridge.alerts.webhook_targets import (
    WebhookUrlRefused,
    add_webhook,
    checked_webhook_url,
    enable_webhook,
    remove_webhook,
    webhooks_of,
)
from icalbridge.api.auth import caller, memberships_of, organization_public_id
from icalbridge.api.ids import parse_public_id
from icalbridge.api.pagination import Page, PageQuery, page_of_queryset
from icalbridge.api.problems import PROBLEMS, ApiProblem, invalid, not_found
from icalbridge.hub.models import Membership, WebhookTarget
from icalbridge.security import client_address

router = Router(tags=["webhooks"])


class WebhookIn(Schema):
    url: str = Field(
        min_length=1, max_length=2000, description="A public http(s) URL that receives alerts."
    )


class WebhookOut(Schema):
    id: str
    url: str
    is_active: bool = Field(description="False once switched off after failing for a day.")
    consecutive_failures: int
    disabled_at: datetime | None
    last_delivery_at: datetime | None
    created_at: datetime


class NewWebhookOut(WebhookOut):
    secret: str = Field(
        description="The signing secret, shown this once: store it now (see docs/alerts.md)."
    )


def webhook_out(target: WebhookTarget) -> dict[str, Any]:
    return {
        "id": str(target.public_id),
        "url": target.url,
        "is_active": target.is_active,
        "consecutive_failures": target.consecutive_failures,
        "disabled_at": target.disabled_at,
        "last_delivery_at": getattr(target, "last_delivery_at", None),
        "created_at": target.created_at,
    }


def _only_owners() -> ApiProblem:
    return ApiProblem(
        403,
        "forbidden",
        _("Forbidden."),
        _("Only an owner of the organization can change its webhooks."),
    )


def _membership_in(request: HttpRequest, organization: str) -> Membership:
    mine = next(
        (
            m
            for m in memberships_of(request)
            if organization_public_id(m.organization) == organization
        ),
        None,
    )
    if mine is None:
        raise not_found()
    return mine


def _owned_webhook(request: HttpRequest, webhook: str) -> WebhookTarget:
    """Return a target of the caller's organizations; 404 otherwise, 403 to non-owners."""
    memberships = {m.organization_id: m for m in memberships_of(request)}
    found = (
        WebhookTarget.objects.filter(
            organization_id__in=memberships, public_id=parse_public_id(webhook)
        )
        .select_related("organization")
        .first()
    )
    if found is None:
        raise not_found()
    if not memberships[found.organization_id].is_owner:
        raise _only_owners()
    return found


@router.get("/organizations/{organization}/webhooks", response={200: Page[WebhookOut], **PROBLEMS})
def list_webhooks(request: HttpRequest, organization: str, page: PageQuery) -> dict[str, Any]:
    """List the organization's webhook targets, without their secrets."""
    mine = _membership_in(request, organization)
    rows = webhooks_of(mine.organization)
    return page_of_queryset(rows, page, f"webhooks:{mine.organization_id}", webhook_out)


@router.post("/organizations/{organization}/webhooks", response={201: NewWebhookOut, **PROBLEMS})
def create_webhook(
    request: HttpRequest, organization: str, payload: WebhookIn
) -> Status[dict[str, Any]]:
    """Add a webhook target (owners only); the answer holds its secret, never shown again."""
    mine = _membership_in(request, organization)
    if not mine.is_owner:
        raise _only_owners()
    try:
        url = checked_webhook_url(payload.url)
    except WebhookUrlRefused as exc:
        raise invalid("url", str(exc)) from None
    target = add_webhook(
        mine.organization, url, actor=caller(request), ip=client_address(request.META)
    )
    return Status(201, {**webhook_out(target), "secret": target.secret})


@router.delete("/webhooks/{webhook}", response={204: None, **PROBLEMS})
def delete_webhook(request: HttpRequest, webhook: str) -> Status[None]:
    """Remove a webhook target (owners only): it receives nothing more."""
    target = _owned_webhook(request, webhook)
    remove_webhook(target, actor=caller(request), ip=client_address(request.META))
    return Status(204, None)


@router.post("/webhooks/{webhook}/enable", response={200: WebhookOut, **PROBLEMS})
def switch_on_webhook(request: HttpRequest, webhook: str) -> dict[str, Any]:
    """Switch a switched-off target on again with a fresh failure count (owners only)."""
    target = _owned_webhook(request, webhook)
    enable_webhook(target)
    return webhook_out(webhooks_of(target.organization).get(pk=target.pk))
