from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from icalbridge.hub.models import Channel, ImportRun
from tests.api.conftest import ApiClient, fields_of, problem


def export_path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_an_import_channel_keeps_the_link_as_https_and_is_due_at_once(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    before = timezone.now()
    response = api.post(
        f"/units/{unit['id']}/channels",
        {
            "name": "Outlook",
            "platform": "outlook",
            "direction": "import",
            "import_url": "webcal://outlook.example.test/owa/calendar.ics",
            # A made-up host: its check fails as "unknown host", which may pass.
            "confirm_import_url": True,
        },
    )
    assert response.status_code == 201
    body = response.json()
    channel = Channel.objects.get()
    assert body["id"] == str(channel.public_id)
    assert body["unit"] == unit["id"]
    assert body["import_url"] == "https://outlook.example.test/owa/calendar.ics"
    assert body["export_url"] is None
    assert body["status"] == {
        "state": "never",
        "reason": "never",
        "message": body["status"]["message"],
        "last_import_at": None,
        "last_attempt_at": None,
        "events_read": None,
        "last_error_code": None,
        "consecutive_failures": 0,
        "last_export_fetch_at": None,
        "last_export_fetch_by": None,
        "export": None,
    }
    assert channel.next_poll_at is not None and before <= channel.next_poll_at <= timezone.now()


def test_an_export_channel_serves_its_feed_at_an_absolute_url(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    body = api.post(
        f"/units/{unit['id']}/channels",
        {"name": "Booking.com", "platform": "booking", "direction": "export"},
    ).json()
    assert body["export_url"].startswith("http") and body["export_url"].endswith(".ics")
    assert body["export_webcal_url"].startswith("webcal://")
    assert body["import_url"] is None
    assert Channel.objects.get().next_poll_at is None
    feed = Client().get(export_path(body["export_url"]))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")


def test_import_options_default_from_the_platform_and_can_be_chosen(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    url = f"/units/{unit['id']}/channels"
    link = "https://www.airbnb.test/calendar/ical/1.ics"
    default = api.post(
        url,
        {
            "name": "Airbnb",
            "platform": "airbnb",
            "direction": "both",
            "import_url": link,
            "confirm_import_url": True,
        },
    ).json()
    assert default["dtend_is_checkout"] is True
    assert default["import_mode"] == "everything"
    assert default["ignore_phrases"] == []
    chosen = api.post(
        url,
        {
            "name": "Agenda",
            "platform": "other",
            "direction": "both",
            "import_url": link.replace("1.ics", "2.ics"),
            "confirm_import_url": True,
            "dtend_is_checkout": False,
            "import_mode": "all_as_blocks",
            "ignore_phrases": ["Blocked"],
            "floating_tz": "Europe/Madrid",
            "poll_interval_s": 1800,
            "export_kinds": ["reserved"],
            "export_categories": ["cours"],
        },
    ).json()
    assert {k: chosen[k] for k in ("dtend_is_checkout", "import_mode", "floating_tz")} == {
        "dtend_is_checkout": False,
        "import_mode": "all_as_blocks",
        "floating_tz": "Europe/Madrid",
    }
    assert chosen["ignore_phrases"] == ["Blocked"]
    assert chosen["poll_interval_s"] == 1800
    assert (chosen["export_kinds"], chosen["export_categories"]) == (["reserved"], ["cours"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"platform": "myspace", "direction": "export"}, "platform"),
        ({"platform": "outlook", "direction": "export"}, "direction"),
        ({"platform": "airbnb", "direction": "sideways"}, "direction"),
        ({"platform": "airbnb", "direction": "import"}, "import_url"),
        ({"platform": "airbnb", "direction": "both", "import_url": "ftp://x.test/a"}, "import_url"),
        ({"platform": "airbnb", "direction": "import", "import_url": "airbnb.com"}, "import_url"),
        ({"platform": "airbnb", "direction": "import", "import_url": 42}, "import_url"),
        ({"platform": "other", "import_url": "https://a.test/" + "x" * 2000}, "import_url"),
        ({"platform": "other", "import_url": "https://[::1/feed.ics"}, "import_url"),
        (
            {"platform": "other", "direction": "export", "floating_tz": "Nowhere/Town"},
            "floating_tz",
        ),
        ({"platform": "other", "direction": "export", "export_kinds": ["guest"]}, "export_kinds.0"),
        ({"platform": "other", "direction": "export", "poll_interval_s": 5}, "poll_interval_s"),
    ],
)
def test_a_channel_with_bad_input_is_refused_naming_the_field(
    api: ApiClient, unit: dict[str, Any], payload: dict[str, Any], field: str
) -> None:
    response = api.post(f"/units/{unit['id']}/channels", {"name": "C", **payload})
    assert field in fields_of(response)
    assert not Channel.objects.exists()


def test_a_channel_reads_back_with_its_status_and_lists_under_its_unit(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    created = api.post(
        f"/units/{unit['id']}/channels",
        {"name": "Abritel", "platform": "abritel", "direction": "export"},
    ).json()
    Channel.objects.update(
        last_export_fetch_at=timezone.now() - timedelta(minutes=5),
        last_export_fetch_by="Abritel",
    )
    body = api.get(f"/channels/{created['id']}").json()
    assert body["status"]["state"] == "ok"
    assert body["status"]["last_export_fetch_by"] == "Abritel"
    assert body["status"]["last_export_fetch_at"] is not None
    listed = api.get(f"/units/{unit['id']}/channels").json()
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    assert listed["next"] is None


def test_resetting_the_export_url_kills_the_old_link_at_once(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    created = api.post(
        f"/units/{unit['id']}/channels",
        {"name": "Gîtes de France", "platform": "gites-de-france", "direction": "export"},
    ).json()
    old = export_path(created["export_url"])
    assert Client().get(old).status_code == 200
    response = api.post(f"/channels/{created['id']}/reset-export-url")
    assert response.status_code == 200
    new_url = response.json()["export_url"]
    assert new_url != created["export_url"]
    assert Client().get(old).status_code == 404
    assert Client().get(export_path(new_url)).status_code == 200
    assert api.get(f"/channels/{created['id']}").json()["export_url"] == new_url


def test_confirming_when_nothing_is_held_is_a_conflict(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    created = api.post(
        f"/units/{unit['id']}/channels",
        {
            "name": "Airbnb",
            "platform": "airbnb",
            "import_url": "https://a.test/x.ics",
            "confirm_import_url": True,
        },
    ).json()
    problem(api.post(f"/channels/{created['id']}/confirm"), 409)


def test_importing_a_channel_another_worker_holds_is_a_conflict(
    api: ApiClient, unit: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("icalbridge.api.imports.BUSY_WAIT_S", 0.1)
    created = api.post(
        f"/units/{unit['id']}/channels",
        {
            "name": "Airbnb",
            "platform": "airbnb",
            "import_url": "https://a.test/x.ics",
            "confirm_import_url": True,
        },
    ).json()
    Channel.objects.update(
        claimed_until=timezone.now() + timedelta(minutes=5), claimed_by="worker-1"
    )
    body = problem(api.post(f"/channels/{created['id']}/import"), 409)
    assert body["type"].endswith("channel-busy")
    assert not ImportRun.objects.exists()


def test_importing_an_export_only_channel_is_a_conflict(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    created = api.post(
        f"/units/{unit['id']}/channels", {"name": "Site", "direction": "export"}
    ).json()
    problem(api.post(f"/channels/{created['id']}/import"), 409)
