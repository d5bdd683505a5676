"""The image's health check asks /healthz over plain HTTP, inside the container."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_over_http_while_pages_redirect_to_https(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True  # ICALBRIDGE_HTTPS=1, as deploy/compose.yaml sets it
    client = Client()

    assert client.get("/accounts/login/").status_code == 301
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
