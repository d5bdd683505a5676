"""The closed loop through the API, moving the hub's clock: does the platform read and apply?

The hub serves its export over real HTTP (``live_server``); a platform, played by this
test, fetches our link over HTTP and re-exports what it imported as its own blocks (or
not) from a real feed server on 127.0.0.1, which the hub imports back.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.utils import timezone

from icalbridge import clock
from icalbridge.feeds import serving
from icalbridge.feeds.fetch_records import fetch_recorder
from tests.api.conftest import ApiClient
from tests.support.feed_server import FeedServer

pytestmark = pytest.mark.django_db(transaction=True)

PLATFORM_PATH = "/airbnb/calendar.ics"
H = timedelta(hours=1)


class Platform:
    """A platform that fetches our export link and shows what it imported as its blocks."""

    def __init__(self, hub_url: str, server: FeedServer) -> None:
        self.hub_url = hub_url
        self.server = server
        self.imported: set[tuple[date, date]] = set()
        self.show([])

    def fetch(self, export_url: str) -> None:
        path = "/" + export_url.split("://", 1)[1].split("/", 1)[1]
        response = httpx.get(self.hub_url + path, headers={"User-Agent": "Airbnb/1.0"})
        assert response.status_code == 200
        fetch_recorder.flush()  # recorded, as the hub's writer does within a second
        text = response.text
        starts = re.findall(r"DTSTART;VALUE=DATE:(\d{8})", text)
        ends = re.findall(r"DTEND;VALUE=DATE:(\d{8})", text)
        self.imported = {(_day(s), _day(e)) for s, e in zip(starts, ends, strict=True)}

    def apply(self) -> None:
        self.show(sorted(self.imported))

    def show(self, blocks: list[tuple[date, date]]) -> None:
        lines = ["BEGIN:VCALENDAR", "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN", "VERSION:2.0"]
        for start, end in blocks:
            lines += [
                "BEGIN:VEVENT",
                f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
                f"DTEND;VALUE=DATE:{end:%Y%m%d}",
                f"UID:block-{start:%Y%m%d}@airbnb.com",
                "SUMMARY:Airbnb (Not available)",
                "END:VEVENT",
            ]
        lines.append("END:VCALENDAR")
        self.server.serve(PLATFORM_PATH, ("\r\n".join(lines) + "\r\n").encode())


def _day(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


@pytest.fixture
def virtual_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    serving._recorded.clear()
    path = tmp_path / "clock"
    clock.set_virtual_now(path, timezone.now())
    monkeypatch.setenv(clock.CLOCK_FILE_VARIABLE, str(path))
    return path


def later(path: Path, by: timedelta) -> None:
    clock.set_virtual_now(path, clock.now() + by)


@pytest.fixture
def loop(
    api: ApiClient,
    unit: dict[str, Any],
    feed_server: FeedServer,
    live_server: Any,
    settings: Any,
    virtual_clock: Path,
) -> dict[str, Any]:
    """An Airbnb channel both ways, the hub on a public https address, and its platform."""
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    settings.PUBLIC_URL = "https://hub.example.org"
    platform = Platform(live_server.url, feed_server)
    channel = api.post(
        f"/units/{unit['id']}/channels",
        {
            "name": "Airbnb",
            "platform": "airbnb",
            "direction": "both",
            "import_url": feed_server.url(PLATFORM_PATH),
        },
    ).json()
    assert api.post(f"/channels/{channel['id']}/import").status_code == 200
    stay = api.post(
        f"/units/{unit['id']}/bookings",
        {"start": _in_days(10), "end": _in_days(14), "kind": "reserved", "summary": "Martin"},
    ).json()
    return {"channel": channel, "stay": stay, "platform": platform, "clock": virtual_clock}


def _in_days(days: int) -> str:
    return (clock.now().date() + timedelta(days=days)).isoformat()


def export_status(api: ApiClient, loop: dict[str, Any]) -> dict[str, Any]:
    return api.get(f"/channels/{loop['channel']['id']}").json()["status"]


def delivery(api: ApiClient, loop: dict[str, Any]) -> dict[str, Any]:
    single = api.get(f"/bookings/{loop['stay']['id']}").json()["delivery"]
    listed = api.get(f"/units/{loop['stay']['unit']}/bookings").json()["items"]
    [same] = [b["delivery"] for b in listed if b["id"] == loop["stay"]["id"]]
    assert single == same
    [entry] = single
    assert entry["channel"] == loop["channel"]["id"]
    return entry


def import_platform(api: ApiClient, loop: dict[str, Any]) -> None:
    assert api.post(f"/channels/{loop['channel']['id']}/import").status_code == 200


def test_a_platform_that_reads_and_blocks_our_dates_confirms_the_stay(
    api: ApiClient, loop: dict[str, Any]
) -> None:
    assert delivery(api, loop)["state"] == "waiting"
    status = export_status(api, loop)
    assert (status["export"]["state"], status["export"]["reason"]) == (
        "never",
        "export_never_fetched",
    )
    assert status["state"] == "ok"  # the import side works; the platform is within its window

    later(loop["clock"], H)
    loop["platform"].fetch(loop["channel"]["export_url"])
    fetched = delivery(api, loop)
    assert fetched["state"] == "fetched" and fetched["fetched_at"] and not fetched["confirmed_at"]
    export = export_status(api, loop)["export"]
    assert (export["state"], export["reason"]) == ("ok", "ok")
    assert export["last_fetch_at"] and "Airbnb" in export["last_fetch_by"]

    later(loop["clock"], 2 * H)
    loop["platform"].apply()
    import_platform(api, loop)
    confirmed = delivery(api, loop)
    assert confirmed["state"] == "confirmed" and confirmed["confirmed_at"]
    # The stay entered our feed 3 h ago and the platform's feed showed it blocked now.
    assert export_status(api, loop)["export"]["applied_delay_p50_s"] == 3 * 3600


def test_a_platform_that_reads_twice_and_does_not_block_is_not_applied_after_the_grace(
    api: ApiClient, loop: dict[str, Any]
) -> None:
    later(loop["clock"], H)
    loop["platform"].fetch(loop["channel"]["export_url"])
    later(loop["clock"], 3 * H)
    loop["platform"].fetch(loop["channel"]["export_url"])
    import_platform(api, loop)
    assert delivery(api, loop)["state"] == "fetched"  # within the 6 h grace
    later(loop["clock"], 3 * H)
    import_platform(api, loop)
    assert delivery(api, loop)["state"] == "not_applied"
    status = export_status(api, loop)
    assert (status["state"], status["reason"]) == ("warning", "export_not_applied")
    # The stay's own dates: seven hours on, "in ten days" may be another day.
    stay = loop["stay"]
    assert status["export"]["not_applied"] == [{"start": stay["start"], "end": stay["end"]}]
    # Applied late: the next import that sees the block confirms it, and the warning goes.
    loop["platform"].apply()
    later(loop["clock"], H)
    import_platform(api, loop)
    assert delivery(api, loop)["state"] == "confirmed"
    assert export_status(api, loop)["export"]["reason"] == "ok"


def test_a_platform_that_stops_reading_is_a_warning_after_a_day_then_an_error(
    api: ApiClient, loop: dict[str, Any]
) -> None:
    for _ in range(3):
        later(loop["clock"], 3 * H)
        loop["platform"].fetch(loop["channel"]["export_url"])
    loop["platform"].apply()
    import_platform(api, loop)
    export = export_status(api, loop)["export"]
    assert export["usual_fetch_interval_s"] == 3 * 3600 and export["reason"] == "ok"
    later(loop["clock"], 24 * H)
    import_platform(api, loop)
    assert export_status(api, loop)["export"]["reason"] == "ok"  # 24 h is still allowed
    later(loop["clock"], 2 * H)
    import_platform(api, loop)
    status = export_status(api, loop)
    assert (status["state"], status["reason"]) == ("warning", "export_not_fetched")
    later(loop["clock"], 48 * H)
    import_platform(api, loop)
    status = export_status(api, loop)
    assert (status["state"], status["reason"]) == ("error", "export_not_fetched")
    # It reads again: back to normal.
    loop["platform"].fetch(loop["channel"]["export_url"])
    assert export_status(api, loop)["export"]["reason"] == "ok"


def test_a_link_never_read_turns_orange_after_the_platforms_first_fetch_window(
    api: ApiClient, loop: dict[str, Any]
) -> None:
    later(loop["clock"], 5 * H)
    import_platform(api, loop)
    assert export_status(api, loop)["export"]["state"] == "never"
    later(loop["clock"], 2 * H)
    import_platform(api, loop)
    status = export_status(api, loop)
    assert (status["state"], status["reason"]) == ("warning", "export_never_fetched")


def test_a_link_on_a_local_address_is_unreachable_at_once(
    api: ApiClient, loop: dict[str, Any], settings: Any
) -> None:
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    status = export_status(api, loop)
    assert (status["state"], status["reason"]) == ("warning", "export_unreachable_address")
    assert "ICALBRIDGE_PUBLIC_URL" in status["export"]["message"]
    settings.PUBLIC_URL = "http://hub.example.org"
    assert "https" in export_status(api, loop)["export"]["message"]
