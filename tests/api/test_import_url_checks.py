"""A link that cannot work is refused when it is given; one that may pass needs a confirmation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from icalbridge.hub.models import Channel, Conflict, UserPreference
from tests.api.conftest import ApiClient, problem
from tests.api.test_sync_through_the_api import airbnb_feed
from tests.support.feed_server import FeedServer

pytestmark = pytest.mark.django_db(transaction=True)

FEED = "/calendar/ical/4242.ics"


@pytest.fixture(autouse=True)
def in_english(api: ApiClient) -> None:
    api.client = Client(headers={"Accept-Language": "en"})


@pytest.fixture(autouse=True)
def loopback_feeds_allowed(settings: Any) -> None:
    # The feed server of these tests listens on 127.0.0.1; every other private range stays refused.
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"


def add_channel(api: ApiClient, unit: dict[str, Any], url: str, **extra: Any) -> Any:
    body = {"name": "Airbnb", "platform": "airbnb", "direction": "both", "import_url": url}
    return api.post(f"/units/{unit['id']}/channels", body | extra)


def refusal(response: Any, kind: str) -> dict[str, Any]:
    body = problem(response, 400)
    assert body["type"].endswith(kind)
    assert [e["field"] for e in body["errors"]] == ["import_url"]
    assert not Channel.objects.exists()
    return body


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.7/calendar.ics",
        "http://192.168.1.20:8080/calendar.ics",
        "http://[::1]/calendar.ics",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_a_private_address_is_refused_at_creation_even_when_confirmed(
    api: ApiClient, unit: dict[str, Any], url: str
) -> None:
    body = refusal(add_channel(api, unit, url, confirm_import_url=True), "invalid-input")
    assert "private" in body["errors"][0]["message"]


def test_loopback_is_accepted_when_the_settings_allow_it(
    api: ApiClient, unit: dict[str, Any], feed_server: FeedServer
) -> None:
    feed_server.serve(FEED, airbnb_feed([]))
    assert add_channel(api, unit, feed_server.url(FEED)).status_code == 201


@pytest.mark.parametrize("url", ["ftp://calendar.example/a.ics", "htps://www.airbnb.fr/a.ics"])
def test_a_scheme_other_than_http_https_or_webcal_is_refused(
    api: ApiClient, unit: dict[str, Any], url: str
) -> None:
    body = refusal(add_channel(api, unit, url, confirm_import_url=True), "invalid-input")
    assert "http://" in body["detail"]


@pytest.mark.parametrize(
    ("serve", "words"),
    [
        ("status", "404: the link is wrong"),
        ("html", "a web page"),
    ],
)
def test_a_link_that_may_pass_needs_a_confirmation(
    api: ApiClient, unit: dict[str, Any], feed_server: FeedServer, serve: str, words: str
) -> None:
    feed_server.fault(FEED, serve, **({"code": 404} if serve == "status" else {}))
    url = feed_server.url(FEED)
    body = refusal(add_channel(api, unit, url), "import-url-unconfirmed")
    assert words in body["errors"][0]["message"]
    confirmed = add_channel(api, unit, url, confirm_import_url=True)
    assert confirmed.status_code == 201
    assert confirmed.json()["import_url"] == url


def test_a_server_that_does_not_answer_in_time_needs_a_confirmation(
    api: ApiClient, unit: dict[str, Any], feed_server: FeedServer, monkeypatch: Any
) -> None:
    monkeypatch.setattr("icalbridge.sync.import_links.CHECK_TIMEOUT_S", 1.0)
    feed_server.fault(FEED, "hang")
    body = refusal(add_channel(api, unit, feed_server.url(FEED)), "import-url-unconfirmed")
    assert "did not send the whole calendar within 1 seconds" in body["detail"]


def test_the_refusal_speaks_the_language_asked_for(
    api: ApiClient, unit: dict[str, Any], feed_server: FeedServer
) -> None:
    feed_server.fault(FEED, "html")
    response = api.client.post(
        f"/api/v1/units/{unit['id']}/channels",
        {"name": "Airbnb", "platform": "airbnb", "import_url": feed_server.url(FEED)},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}", "Accept-Language": "fr"},
    )
    body = problem(response, 400)
    assert body["errors"][0]["message"].startswith("Le serveur a envoyé une page web")
    assert response["Content-Language"] == "fr"


def test_the_same_airbnb_link_twice_is_refused_and_raises_no_double_booking(
    api: ApiClient, unit: dict[str, Any], feed_server: FeedServer
) -> None:
    start = date.today() + timedelta(days=20)
    stays = [
        (f"stay{i}", start + timedelta(days=7 * i), start + timedelta(days=7 * i + 3))
        for i in range(3)
    ]
    feed_server.serve(FEED, airbnb_feed(stays))
    first = add_channel(api, unit, feed_server.url(FEED)).json()
    assert api.post(f"/channels/{first['id']}/import").status_code == 200
    link = feed_server.url(FEED)
    for twin in (link, f"  {link.replace('http://', 'HTTP://')} ", link.replace("http", "webcal")):
        body = problem(add_channel(api, unit, twin, confirm_import_url=True), 400)
        assert [e["field"] for e in body["errors"]] == ["import_url"]
        assert "Airbnb" in body["detail"] and "already" in body["detail"]
    assert Channel.objects.count() == 1
    assert not Conflict.objects.exists()


def test_the_same_link_on_another_unit_is_accepted(
    api: ApiClient, unit: dict[str, Any], feed_server: FeedServer
) -> None:
    feed_server.serve(FEED, airbnb_feed([]))
    assert add_channel(api, unit, feed_server.url(FEED)).status_code == 201
    other = api.post("/units", {"name": "Gîte des Roses", "timezone": "Europe/Paris"}).json()
    assert add_channel(api, other, feed_server.url(FEED)).status_code == 201


def test_the_confirmation_field_is_documented_in_the_schema(api: ApiClient) -> None:
    schema = api.client.get("/api/v1/openapi.json").json()
    channel_in = schema["components"]["schemas"]["ChannelIn"]["properties"]
    assert channel_in["confirm_import_url"]["type"] == "boolean"
    assert "import-url-unconfirmed" in channel_in["confirm_import_url"]["description"]


@pytest.mark.parametrize(("chosen", "words"), [("en", "a web page"), ("fr", "une page web")])
def test_without_accept_language_the_api_answers_in_the_caller_s_own_language(
    api: ApiClient, unit: dict[str, Any], feed_server: FeedServer, chosen: str, words: str
) -> None:
    user = Channel._meta.apps.get_model("auth", "User").objects.get(username="host@example.test")
    UserPreference.objects.create(user=user, language=chosen)
    feed_server.fault(FEED, "html")
    api.client = Client()
    body = problem(add_channel(api, unit, feed_server.url(FEED)), 400)
    assert words in body["detail"]
