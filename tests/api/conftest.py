"""A host with an API token, and a client that speaks to /api/v1/ with it."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from icalbridge.cli import main
from icalbridge.hub.models import Membership, Organization, Role
from tests.support.fixtures import feed_server  # noqa: F401  (a fixture, used by name)

PASSWORD = "a-long-enough-pass-phrase-42"


@dataclass
class ApiClient:
    """Django's test client with a bearer token; answers carry their parsed JSON."""

    token: str | None
    client: Client

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> HttpResponse:
        query = {k.rstrip("_"): v for k, v in params.items() if v is not None}
        return self.client.get("/api/v1" + path, query, headers=self._headers() | (headers or {}))

    def put(self, path: str, body: Any, headers: dict[str, str] | None = None) -> HttpResponse:
        return self.client.put(
            "/api/v1" + path,
            json.dumps(body),
            content_type="application/json",
            headers=self._headers() | (headers or {}),
        )

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> HttpResponse:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            "/api/v1" + path, data, content_type="application/json", headers=self._headers()
        )

    def patch(
        self, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> HttpResponse:
        return self.client.patch(
            "/api/v1" + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self._headers() | (headers or {}),
        )

    def delete(self, path: str) -> HttpResponse:
        return self.client.delete("/api/v1" + path, headers=self._headers())


def create_host(email: str) -> str:
    """Create a user with `icalbridge createuser --api-token` and return the printed token."""
    # Not capsys: the command sets Django up again, and logging handlers made while capsys
    # holds stderr would write to its closed stream in later tests.
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["createuser", email, "--password", PASSWORD, "--api-token"]) == 0
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture(autouse=True)
def quick_password_hashing(settings: Any) -> None:
    # Each test creates users through the real command; the default hasher costs ~1 s each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(db: None) -> ApiClient:
    return ApiClient(create_host("host@example.test"), Client())


@pytest.fixture
def other_api(db: None) -> ApiClient:
    return ApiClient(create_host("neighbour@example.test"), Client())


@pytest.fixture
def organization(api: ApiClient) -> Organization:
    return Organization.objects.get(memberships__user__username="host@example.test")


def add_member(organization: Organization, email: str, role: Role) -> ApiClient:
    """Make a new user a member of an organization with a role; return their client."""
    token = create_host(email)
    membership = Membership.objects.get(user__username=email)
    Membership.objects.create(user=membership.user, organization=organization, role=role)
    return ApiClient(token, Client())


def problem(response: HttpResponse, status: int) -> dict[str, Any]:
    """Return a problem document after checking its status and media type."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"] and body["title"]
    return body


def fields_of(response: HttpResponse) -> list[str]:
    """Return the fields a 400 problem names."""
    return [e["field"] for e in problem(response, 400)["errors"]]


@pytest.fixture
def unit(api: ApiClient) -> dict[str, Any]:
    response = api.post("/units", {"name": "Gîte des Lilas", "timezone": "Europe/Paris"})
    assert response.status_code == 201
    return response.json()
