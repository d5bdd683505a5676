from __future__ import annotations

from pathlib import Path

import pytest

from icalbridge.core.fingerprint import feed_fingerprint

FEED = """BEGIN:VCALENDAR
PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN
CALSCALE:GREGORIAN
VERSION:2.0
BEGIN:VEVENT
DTSTAMP:20260425T181346Z
DTSTART;VALUE=DATE:20260502
DTEND;VALUE=DATE:20260530
SUMMARY:Reserved
UID:1418fb94e984-e5cba45d4906dd2d412e9e063db45d3c@airbnb.com
DESCRIPTION:Reservation URL: https://www.airbnb.example/hosting/reservations/de
 tails/HMXXXXXXX1\\nPhone Number (Last 4 Digits): 0000
END:VEVENT
BEGIN:VEVENT
DTSTAMP:20260425T181346Z
LAST-MODIFIED:20260420T101010Z
DTSTART;VALUE=DATE:20260803
DTEND;VALUE=DATE:20260807
SUMMARY:Airbnb (Not available)
UID:7f662ec65913-62494afd1a4895e2be1120874c058412@airbnb.com
END:VEVENT
END:VCALENDAR
"""


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


BASE = feed_fingerprint(crlf(FEED))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("DTSTAMP:20260425T181346Z", "DTSTAMP:20260426T070000Z"),
        ("LAST-MODIFIED:20260420T101010Z", "LAST-MODIFIED:20260426T070000Z"),
        (
            "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN",
            "PRODID:-//Airbnb Inc//Hosting Calendar 1.1//EN",
        ),
        ("LAST-MODIFIED:20260420T101010Z\n", ""),
        ("DTSTAMP:20260425T181346Z", "dtstamp;VALUE=DATE-TIME:20260501T000000Z"),
    ],
)
def test_lines_regenerated_on_every_download_do_not_change_the_fingerprint(
    old: str, new: str
) -> None:
    assert feed_fingerprint(crlf(FEED.replace(old, new))) == BASE


def test_line_endings_folding_and_blank_lines_do_not_change_the_fingerprint() -> None:
    unfolded = FEED.replace("/de\n tails/", "/details/")
    assert feed_fingerprint(FEED.encode()) == BASE  # LF instead of CRLF
    assert feed_fingerprint(crlf(unfolded)) == BASE
    assert (
        feed_fingerprint(b"\xef\xbb\xbf\n" + crlf(FEED.replace("END:VEVENT\n", "END:VEVENT\n\n")))
        == BASE
    )
    assert feed_fingerprint(FEED.replace("\n", "\r").encode()) == BASE


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("DTSTART;VALUE=DATE:20260502", "DTSTART;VALUE=DATE:20260503"),
        ("DTEND;VALUE=DATE:20260530", "DTEND;VALUE=DATE:20260531"),
        ("SUMMARY:Reserved", "SUMMARY:Airbnb (Not available)"),
        ("UID:7f662ec65913-62494afd", "UID:7f662ec65913-00000000"),
        ("HMXXXXXXX1", "HMXXXXXXX2"),
        (
            "BEGIN:VEVENT\nDTSTAMP:20260425T181346Z\nLAST-MODIFIED",
            "BEGIN:VEVENT\nSTATUS:CANCELLED\nLAST-MODIFIED",
        ),
    ],
)
def test_any_change_to_a_booking_changes_the_fingerprint(old: str, new: str) -> None:
    assert old in FEED
    assert feed_fingerprint(crlf(FEED.replace(old, new))) != BASE


def test_a_removed_event_changes_the_fingerprint() -> None:
    start = FEED.index("BEGIN:VEVENT\nDTSTAMP:20260425T181346Z\nLAST-MODIFIED")
    end = FEED.index("END:VEVENT", start) + len("END:VEVENT\n")
    assert feed_fingerprint(crlf(FEED[:start] + FEED[end:])) != BASE


def test_empty_feed_has_a_fingerprint_unlike_any_calendar() -> None:
    assert feed_fingerprint(b"") != BASE
    assert len(feed_fingerprint(b"")) == 64


def test_fingerprint_of_a_real_feed_ignores_a_new_download_stamp(corpus_dir: Path) -> None:
    data = (corpus_dir / "airbnb" / "casaskafidia_v1.0_crlf.ics").read_bytes()
    assert b"DTSTAMP:" in data
    restamped = data.replace(b"DTSTAMP:2", b"DTSTAMP:1")
    assert restamped != data
    assert feed_fingerprint(restamped) == feed_fingerprint(data)
    assert feed_fingerprint(data.replace(b"\r\n", b"\n")) == feed_fingerprint(data)
