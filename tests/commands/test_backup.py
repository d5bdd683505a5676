"""`icalbridge backup` and `restore`: the hub comes back whole, and its links keep working."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from icalbridge.api.ids import derived_id
from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.cli import main
from icalbridge.commands.backup import backed_up_models
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import AgendaFeed, ApiToken, Booking, Channel, PublishedFeed, Unit
from icalbridge.sync.exporter import refresh_agenda_feed
from icalbridge.sync.imports_now import import_now
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, days_from_today, new_channel, new_unit

# Imports close the connection (claims), which a test transaction cannot survive.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setenv("ICALBRIDGE_ALLOW_PRIVATE_URLS", "127.0.0.1/32")
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"


@pytest.fixture
def hub(feed_server: FeedServer) -> str:
    """A unit with an imported Airbnb channel, an exported one, a local stay and an agenda feed."""
    unit = new_unit()
    stays = [
        Stay("a1@airbnb.test", days_from_today(10), days_from_today(14)),
        Stay("a2@airbnb.test", days_from_today(20), days_from_today(23)),
    ]
    feed_server.serve("/airbnb.ics", airbnb_feed(stays))
    airbnb = new_channel(unit, "Airbnb", "airbnb", url=feed_server.url("/airbnb.ics"))
    booking_com = new_channel(unit, "Booking.com", "booking", direction="export")
    assert import_now(airbnb.pk) is not None
    create_local_booking(
        unit,
        span=Nights(days_from_today(30), days_from_today(33)),
        kind=Kind.RESERVED,
        summary="Famille Martin",
        channel_ids=[booking_com.pk],
    )
    user = get_user_model().objects.get(username="host@example.test")
    agenda = AgendaFeed.objects.create(user=user, organization=unit.organization, name="Mine")
    agenda.units.set([unit])
    refresh_agenda_feed(agenda)
    _, key = ApiToken.issue(user, "script")
    return key


def snapshot() -> dict[str, Any]:
    return {
        "units": sorted((str(u.public_id), u.name, u.timezone) for u in Unit.objects.all()),
        "channels": sorted(
            (str(c.public_id), c.name, c.platform, c.import_url) for c in Channel.objects.all()
        ),
        "bookings": sorted(
            (
                str(b.public_id),
                str(b.start_date),
                str(b.end_date),
                b.kind,
                b.summary,
                b.cancelled_at is None,
                b.scope_all,
                tuple(sorted(c.name for c in b.scope.all())),
            )
            for b in Booking.objects.all()
        ),
        "feeds": sorted((f.token, bytes(f.body), f.etag) for f in PublishedFeed.objects.all()),
    }


def empty_the_database() -> None:
    for model in reversed(backed_up_models()):
        model._default_manager.all().delete()


@pytest.mark.parametrize("name", ["hub.jsonl", "hub.jsonl.gz"])
def test_a_backup_restored_into_an_empty_database_brings_back_the_hub_and_its_links(
    hub: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    before = snapshot()
    assert len(before["bookings"]) == 3 and len(before["feeds"]) == 3
    path = tmp_path / name
    assert main(["backup", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "Backed up" in out
    assert "backup [" in err and "ETA" in err
    empty_the_database()
    assert main(["restore", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "Restored" in out and "restore [" in err
    assert snapshot() == before
    for token, body, _etag in before["feeds"]:
        served = Client().get(f"/ical/{token}.ics")
        assert served.status_code == 200
        assert b"".join(served.streaming_content if served.streaming else [served.content]) == body
    answer = Client().get("/api/v1/units", headers={"Authorization": f"Bearer {hub}"})
    assert answer.status_code == 200 and len(answer.json()["items"]) == 1


def test_new_rows_after_a_restore_get_fresh_keys(hub: str, tmp_path: Path) -> None:
    path = tmp_path / "hub.jsonl"
    assert main(["backup", str(path)]) == 0
    empty_the_database()
    assert main(["restore", str(path)]) == 0
    unit = Unit.objects.get()
    fresh = Unit.objects.create(organization=unit.organization, name="Studio")
    assert fresh.pk > unit.pk


def test_a_backup_made_before_ids_were_stored_restores_the_ids_clients_hold(
    hub: str, tmp_path: Path
) -> None:
    path = tmp_path / "hub.jsonl"
    assert main(["backup", str(path)]) == 0
    header, *rows = (json.loads(line) for line in path.read_text().splitlines())
    for row in rows:  # as a hub before migration 0006 wrote them
        if row["model"] in {"hub.apitoken", "hub.agendafeed", "hub.membership"}:
            del row["fields"]["public_id"]
    path.write_text("".join(json.dumps(line) + "\n" for line in [header, *rows]))
    token = ApiToken.objects.get()
    agenda = AgendaFeed.objects.get()
    empty_the_database()

    assert main(["restore", str(path)]) == 0

    api = {"Authorization": f"Bearer {hub}"}
    tokens = Client().get("/api/v1/api-tokens", headers=api).json()["items"]
    assert [t["id"] for t in tokens] == [derived_id("api-token", token.pk)]
    agendas = Client().get("/api/v1/agenda-feeds", headers=api).json()["items"]
    assert [a["id"] for a in agendas] == [derived_id("agenda-feed", agenda.pk)]


def test_a_gzipped_backup_is_json_lines_with_a_header(hub: str, tmp_path: Path) -> None:
    path = tmp_path / "hub.jsonl.gz"
    assert main(["backup", str(path)]) == 0
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "icalbridge-backup"
    assert header["counts"]["hub.booking"] == 3
    assert len(lines) - 1 == sum(header["counts"].values())


def test_restore_refuses_a_database_that_is_not_empty(
    hub: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hub.jsonl"
    assert main(["backup", str(path)]) == 0
    capsys.readouterr()
    assert main(["restore", str(path)]) == 2
    err = capsys.readouterr().err
    assert "the database is not empty" in err
    assert Unit.objects.count() == 1


def test_restore_refuses_a_file_that_is_not_a_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    assert main(["restore", str(path)]) == 2
    assert "not an icalbridge backup" in capsys.readouterr().err
