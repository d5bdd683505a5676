"""API tokens: make one (its key is shown once), list them without keys, revoke one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field, field_validator

from icalbridge import clock
from icalbridge.api.auth import caller
from icalbridge.api.ids import parse_public_id
from icalbridge.api.pagination import Page, PageQuery, page_of_queryset
from icalbridge.api.problems import PROBLEMS, not_found
from icalbridge.hub.models import ApiToken, AuditAction
from icalbridge.organizations.audit import record_audit_everywhere
from icalbridge.security import client_address

router = Router(tags=["API tokens"])


class ApiTokenIn(Schema):
    name: str = Field("API", min_length=1, max_length=100, description="What the token is for.")

    @field_validator("name")
    @classmethod
    def name_is_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("The name cannot be blank.")
        return value.strip()


class ApiTokenOut(Schema):
    id: str
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None


class NewApiTokenOut(ApiTokenOut):
    key: str = Field(description="The secret key, shown this once: store it now.")


def token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": str(token.public_id),
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
    }


def _audit(request: HttpRequest, action: AuditAction, token: ApiToken) -> None:
    # A token acts for its user in every organization: each one's owners see the change.
    record_audit_everywhere(
        caller(request),
        action,
        target=f"{token.name} ({token.prefix}…)",
        ip=client_address(request.META),
    )


def _live_tokens(request: HttpRequest) -> Any:
    return ApiToken.objects.filter(user=caller(request), revoked_at__isnull=True)


@router.post("/api-tokens", response={201: NewApiTokenOut, **PROBLEMS})
def create_api_token(request: HttpRequest, payload: ApiTokenIn) -> Status[dict[str, Any]]:
    """Make a new token for yourself; the answer holds its key, which is never shown again."""
    token, key = ApiToken.issue(caller(request), payload.name)
    _audit(request, AuditAction.API_TOKEN_CREATED, token)
    return Status(201, {**token_out(token), "key": key})


@router.get("/api-tokens", response={200: Page[ApiTokenOut], **PROBLEMS})
def list_api_tokens(request: HttpRequest, page: PageQuery) -> dict[str, Any]:
    """List your tokens that still work, without their keys."""
    return page_of_queryset(_live_tokens(request), page, "api-tokens", token_out)


@router.delete("/api-tokens/{api_token}", response={204: None, **PROBLEMS})
def revoke_api_token(request: HttpRequest, api_token: str) -> Status[None]:
    """Revoke one of your tokens: requests with its key are refused at once."""
    token = _live_tokens(request).filter(public_id=parse_public_id(api_token)).first()
    if token is None:
        raise not_found()
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=clock.now())
    _audit(request, AuditAction.API_TOKEN_REVOKED, token)
    return Status(204, None)
