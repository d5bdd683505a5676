"""Export links: found by the hash of their token, compared in constant time, probes slowed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from icalbridge.feeds import probe_limits, serving
from icalbridge.feeds.probe_limits import ProbeLimiter
from icalbridge.hub.models import Channel, PublishedFeed, Unit
from icalbridge.hub.models.published_feed import hash_of_token
from icalbridge.wsgi import application
from tests.support.hub import new_channel, new_export_with_a_stay
from tests.web.conftest import make_org

pytestmark = pytest.mark.django_db(transaction=True)


class FakeSeconds:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seconds(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSeconds]:
    """Give the feed endpoints a fresh limiter on a hand-moved clock: 20 misses, 300 s."""
    clock = FakeSeconds()
    limiter = ProbeLimiter(max_failures=20, block_s=300, seconds=clock)
    monkeypatch.setattr(probe_limits, "_limiter", limiter)
    serving._recorded.clear()
    yield clock


@pytest.fixture
def channel() -> Channel:
    return new_export_with_a_stay()


def lean_get(path: str, client_ip: str = "203.0.113.7") -> tuple[str, dict[str, str]]:
    """GET through the lean WSGI path, as the web server would call it."""
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "REMOTE_ADDR": client_ip}
    b"".join(application(environ, start_response))
    return seen["status"], seen["headers"]


def unknown_path(n: int) -> str:
    return f"/ical/unknown-token-{n:08d}-abcdefghij.ics"


def test_a_feed_row_stores_the_hash_of_its_token_and_keeps_it_on_reset(
    channel: Channel, seconds: FakeSeconds
) -> None:
    feed = PublishedFeed.objects.get(channel=channel)
    assert feed.token_hash == hash_of_token(feed.token)
    feed.reset_token()
    feed.save(update_fields=["token"])
    feed.refresh_from_db()
    assert feed.token_hash == hash_of_token(feed.token)


def test_a_reset_link_serves_the_feed_and_the_old_one_answers_404(seconds: FakeSeconds) -> None:
    home = make_org("owner@tokens.test", "Tokens")
    unit = Unit.objects.create(organization=home.organization, name="Gîte")
    channel = new_channel(unit, "Booking.com", "booking", direction="export")
    old = PublishedFeed.objects.get(channel=channel).path
    assert lean_get(old)[0] == "200 OK"
    client = Client()
    client.force_login(home.owner)
    client.post(reverse("channel_reset_link", kwargs={"channel_id": channel.public_id}))
    new = PublishedFeed.objects.get(channel=channel).path
    assert new != old
    assert lean_get(old)[0] == "404 Not Found"
    assert Client().get(old).status_code == 404
    assert lean_get(new)[0] == "200 OK"
    assert Client().get(new).status_code == 200


def test_a_token_that_shares_the_hash_lookup_but_not_the_bytes_is_refused(
    channel: Channel, seconds: FakeSeconds
) -> None:
    # A row whose stored hash matches but whose token differs (a corrupted or forged row)
    # must not be served: the constant-time comparison is the final word.
    feed = PublishedFeed.objects.get(channel=channel)
    PublishedFeed.objects.filter(pk=feed.pk).update(token="x" * 32)
    assert lean_get(feed.path)[0] == "404 Not Found"


def test_twenty_unknown_tokens_in_a_minute_get_429_with_retry_after(
    channel: Channel, seconds: FakeSeconds
) -> None:
    good = PublishedFeed.objects.get(channel=channel).path
    statuses = [lean_get(unknown_path(n))[0] for n in range(20)]
    assert statuses == ["404 Not Found"] * 20
    status, headers = lean_get(unknown_path(99))
    assert status == "429 Too Many Requests"
    assert headers["Retry-After"] == "300"
    # Blocked means blocked: a guess that happens to be right is not confirmed either.
    assert lean_get(good)[0] == "429 Too Many Requests"
    response = Client(REMOTE_ADDR="203.0.113.7").get(unknown_path(100))
    assert response.status_code == 429 and response["Retry-After"] == "300"


def test_a_blocked_client_does_not_block_other_clients(
    channel: Channel, seconds: FakeSeconds
) -> None:
    good = PublishedFeed.objects.get(channel=channel).path
    for n in range(25):
        lean_get(unknown_path(n), client_ip="198.51.100.66")
    assert lean_get(unknown_path(1), client_ip="198.51.100.66")[0] == "429 Too Many Requests"
    assert lean_get(good, client_ip="203.0.113.7")[0] == "200 OK"


def test_the_block_lifts_after_retry_after_and_the_count_starts_again(
    channel: Channel, seconds: FakeSeconds
) -> None:
    good = PublishedFeed.objects.get(channel=channel).path
    for n in range(20):
        lean_get(unknown_path(n))
    seconds.now += 120
    assert lean_get(good)[1]["Retry-After"] == "180"
    seconds.now += 181
    assert lean_get(good)[0] == "200 OK"
    assert lean_get(unknown_path(1))[0] == "404 Not Found"


def test_misses_spread_over_more_than_a_minute_never_block(
    channel: Channel, seconds: FakeSeconds
) -> None:
    # A platform still polling a link the host reset misses every few minutes, for days.
    for n in range(200):
        assert lean_get(unknown_path(n))[0] == "404 Not Found"
        seconds.now += 4
    assert lean_get(PublishedFeed.objects.get(channel=channel).path)[0] == "200 OK"


def test_the_limiter_forgets_the_oldest_clients_beyond_its_size() -> None:
    clock = FakeSeconds()
    limiter = ProbeLimiter(max_failures=2, block_s=60, max_clients=100, seconds=clock)
    for n in range(1000):
        limiter.record_unknown_token(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._clients) == 100
    assert limiter.retry_after_s("10.0.0.0") is None


def test_behind_a_proxy_the_last_forwarded_address_is_the_client(
    channel: Channel, seconds: FakeSeconds, settings: Any
) -> None:
    settings.ICALBRIDGE_BEHIND_PROXY = True
    for n in range(20):
        Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 192.0.2.1").get(
            unknown_path(n)
        )
    blocked = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert blocked.get(unknown_path(50)).status_code == 429
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.2")
    assert other.get(PublishedFeed.objects.get(channel=channel).path).status_code == 200


def test_the_migration_fills_the_hash_of_every_existing_feed(
    channel: Channel, seconds: FakeSeconds
) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("icalbridge.hub.migrations.0003_publishedfeed_token_hash")
    PublishedFeed.objects.update(token_hash="")
    migration.fill_token_hashes(apps, None)
    feed = PublishedFeed.objects.get(channel=channel)
    assert feed.token_hash == hash_of_token(feed.token)
    assert lean_get(feed.path)[0] == "200 OK"
