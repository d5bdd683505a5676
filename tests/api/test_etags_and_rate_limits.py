"""Every GET carries an ETag (304 when unchanged); each token has a rate of requests a minute."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from icalbridge.api import rate_limits
from icalbridge.api.problems import ApiProblem
from tests.api.conftest import ApiClient, problem


def test_a_get_answers_an_etag_and_304_when_nothing_changed(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    first = api.get("/units")
    tag = first["ETag"]
    assert tag.startswith('"')
    headers = {"Authorization": f"Bearer {api.token}", "If-None-Match": tag}
    again = api.client.get("/api/v1/units", headers=headers)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    api.post("/units", {"name": "Studio"})
    changed = api.client.get("/api/v1/units", headers=headers)
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert len(changed.json()["items"]) == 2


def test_every_get_of_the_api_is_tagged(api: ApiClient, unit: dict[str, Any]) -> None:
    for path in (
        "/units",
        "/platforms",
        f"/units/{unit['id']}/channels",
        "/api-tokens",
        "/agenda-feeds",
        "/organizations",
    ):
        assert api.get(path).has_header("ETag"), path


def test_writes_and_problems_carry_no_etag(api: ApiClient) -> None:
    assert not api.post("/units", {"name": "Studio"}).has_header("ETag")
    assert not api.get("/units/nope/channels").has_header("ETag")


def test_a_token_over_its_rate_gets_429_with_retry_after(
    api: ApiClient, other_api: ApiClient, settings: Any
) -> None:
    cache.clear()
    settings.ICALBRIDGE_API_RATE_PER_MINUTE = 3
    assert [api.get("/units").status_code for _ in range(3)] == [200, 200, 200]
    over = api.get("/units")
    body = problem(over, 429)
    assert body["type"].endswith("rate-limited")
    assert 1 <= int(over["Retry-After"]) <= 60
    assert " 3 " in body["detail"] and f" {over['Retry-After']} " in body["detail"]
    assert other_api.get("/units").status_code == 200


def test_the_count_starts_again_in_the_next_minute(settings: Any) -> None:
    cache.clear()
    settings.ICALBRIDGE_API_RATE_PER_MINUTE = 1
    rate_limits.count_request("a" * 64, now=120.0)
    with pytest.raises(ApiProblem) as refused:
        rate_limits.count_request("a" * 64, now=150.0)
    assert refused.value.retry_after_s == 30
    rate_limits.count_request("a" * 64, now=180.0)


def test_a_limit_of_zero_turns_the_limit_off(api: ApiClient, settings: Any) -> None:
    settings.ICALBRIDGE_API_RATE_PER_MINUTE = 0
    assert {api.get("/units").status_code for _ in range(5)} == {200}
