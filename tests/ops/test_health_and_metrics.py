"""What an operator's load balancer and Prometheus read from /healthz and /metrics."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from icalbridge.feeds import serving
from icalbridge.hub.models import Channel, PublishedFeed
from icalbridge.ops import health
from icalbridge.sync.importer import import_channel
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, days_from_today, new_channel, new_unit

pytestmark = pytest.mark.django_db(transaction=True)

# name{labels} value, as the Prometheus text format 0.0.4 spells a sample.
_SAMPLE = re.compile(r'^([a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+-]+$')


@pytest.fixture(autouse=True)
def _fresh_fetch_records() -> None:
    serving._recorded.clear()


def scrape(client: Client | None = None, **headers: str) -> dict[str, float]:
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200
    samples = {}
    for line in response.content.decode().splitlines():
        if not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[re.sub(r',?process="[0-9]+"', "", name).replace("{}", "")] = float(value)
    return samples


def test_healthz_says_the_database_and_queue_answer_and_how_late_the_schedule_is() -> None:
    unit = new_unit()
    Channel.objects.create(
        unit=unit,
        name="Airbnb",
        platform="airbnb",
        direction="import",
        import_url="https://example.test/a.ics",
        next_poll_at=timezone.now() - timedelta(seconds=120),
    )
    response = Client().get("/healthz")
    assert response.status_code == 200
    facts = response.json()
    assert facts["status"] == "ok"
    assert facts["database"] == "ok" and facts["queue"] == "ok"
    assert 119 <= facts["oldest_due_lag_s"] < 180
    assert facts["queue_length"] == 0


def test_healthz_is_503_when_the_queue_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> int:
        raise ConnectionError("Connection refused")

    monkeypatch.setattr(health, "queue_length", refuse)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["queue"] == "down" and response.json()["database"] == "ok"


def test_healthz_is_503_when_the_database_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class DownConnection:
        def cursor(self) -> None:
            raise OperationalError("could not connect to server")

    monkeypatch.setattr(health, "connection", DownConnection())
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["oldest_due_lag_s"] is None


def test_metrics_speak_the_prometheus_text_format() -> None:
    response = Client().get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    lines = response.content.decode().splitlines()
    declared = {line.split()[2] for line in lines if line.startswith("# TYPE")}
    assert {
        "icalbridge_imports_last_minute",
        "icalbridge_queue_lag_seconds",
        "icalbridge_queue_length",
        "icalbridge_export_requests_total",
        "icalbridge_export_not_modified_ratio",
    } <= declared
    samples = [line for line in lines if not line.startswith("#")]
    assert samples and all(_SAMPLE.match(line) for line in samples), samples
    assert all(line.split("{")[0].split(" ")[0] in declared for line in samples)


def test_an_import_and_export_fetches_move_the_counters(feed_server: FeedServer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    feed_server.serve(
        "/airbnb.ics", airbnb_feed([Stay("s1@airbnb.com", days_from_today(3), days_from_today(6))])
    )
    unit = new_unit()
    airbnb = new_channel(unit, "Airbnb", "airbnb", url=feed_server.url("/airbnb.ics"))
    booking = new_channel(unit, "Booking.com", "booking", direction="export")
    before = scrape()

    import_channel(airbnb.pk)
    path = PublishedFeed.objects.get(channel=booking).path
    etag = Client().get(path)["ETag"]
    assert Client().get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    after = scrape()

    applied = 'icalbridge_imports_last_minute{outcome="applied"}'
    assert after[applied] == before[applied] + 1
    assert (
        after["icalbridge_export_requests_total"] == before["icalbridge_export_requests_total"] + 2
    )
    not_modified = "icalbridge_export_not_modified_total"
    assert after[not_modified] == before[not_modified] + 1


def test_metrics_want_the_bearer_token_when_one_is_set(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ICALBRIDGE_METRICS_TOKEN = "s3cret-token"
    assert Client().get("/metrics").status_code == 401
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert scrape(HTTP_AUTHORIZATION="Bearer s3cret-token")["icalbridge_queue_length"] == 0
