from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.inspect import describe_feed_text, feed_as_json, inspect_main
from tests.conftest import FIXTURE_FEEDS

OPTIONS = ReadOptions(today=date(2026, 11, 21))
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Read the report in English (tests/wording reads it in French)."""
    with translation.override("en"):
        yield


def test_json_follows_the_contract_for_all_day_and_timed_events() -> None:
    abritel = feed_as_json(
        read_feed((FIXTURE_FEEDS / "abritel_localised_labels.ics").read_bytes(), OPTIONS)
    )
    assert abritel["platform"] == "abritel"
    first = abritel["events"][0]
    assert {"uid", "start", "end", "all_day", "kind", "summary"} <= set(first)
    assert (first["start"], first["end"], first["all_day"], first["kind"]) == (
        "2026-12-12",
        "2026-12-19",
        True,
        "reserved",
    )
    zones = feed_as_json(
        read_feed((FIXTURE_FEEDS / "outlook_windows_zone_names.ics").read_bytes(), OPTIONS)
    )
    timed = zones["events"][0]
    assert timed["all_day"] is False
    assert ISO_WITH_OFFSET.match(timed["start"]) and ISO_WITH_OFFSET.match(timed["end"])
    assert {"code", "message"} <= set(zones["problems"][0])
    json.dumps(zones)


def test_text_report_names_platform_events_and_problems() -> None:
    feed = read_feed((FIXTURE_FEEDS / "google_tzid_other_zone.ics").read_bytes(), OPTIONS)
    text = describe_feed_text(feed)
    assert "Platform: Google Calendar" in text
    assert "Calendar name: Planning New York" in text
    assert "2 events:" in text
    assert "'Independence brunch'" in text
    assert "No problems found." in text


def test_text_report_of_a_non_calendar_says_so() -> None:
    feed = read_feed(b"<html>Service unavailable</html>", OPTIONS)
    text = describe_feed_text(feed)
    assert text.startswith("This is not a calendar feed.")
    assert "[not_calendar]" in text


def test_inspect_prints_json_and_exits_zero_for_a_calendar(capsys) -> None:
    status = inspect_main([str(FIXTURE_FEEDS / "abritel_localised_labels.ics"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    assert [e["kind"] for e in out["events"]] == ["reserved", "tentative", "unavailable"]


def test_inspect_reads_in_the_zone_it_is_given(capsys) -> None:
    inspect_main([str(FIXTURE_FEEDS / "google_tzid_other_zone.ics"), "--tz", "Asia/Tokyo"])
    assert "2 events:" in capsys.readouterr().out


def test_inspect_exits_two_for_something_that_is_not_a_calendar(tmp_path: Path, capsys) -> None:
    page = tmp_path / "error.ics"
    page.write_bytes(b"<!DOCTYPE html><html></html>")
    assert inspect_main([str(page)]) == 2
    assert "not a calendar" in capsys.readouterr().out


def test_inspect_exits_one_for_a_missing_file(tmp_path: Path, capsys) -> None:
    assert inspect_main([str(tmp_path / "absent.ics")]) == 1
    assert "absent.ics does not exist." in capsys.readouterr().err
