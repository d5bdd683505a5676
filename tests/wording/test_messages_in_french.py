"""A French host never reads English: every fetch error and reader problem, worded in French."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import translation
from django.utils.functional import Promise

from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.read_problems import PROBLEM_CODES
from icalbridge.outbound.fetch import FetchPolicy, fetch_feed
from icalbridge.wording.fetch_texts import FETCH_TEXTS
from icalbridge.wording.message_texts import render_text
from icalbridge.wording.problem_texts import PROBLEM_TEXTS, read_problem_text
from tests.support import fixtures
from tests.support.feed_server import FeedServer

feed_server = fixtures.feed_server

# Words of English sentences that no French sentence of ours uses.
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "was",
        "were",
        "could",
        "not",
        "server",
        "link",
        "event",
        "events",
        "feed",
        "with",
        "which",
        "would",
        "answered",
        "cannot",
        "found",
        "skipped",
        "kept",
        "time",
        "zone",
        "read",
        "been",
        "had",
        "its",
        "their",
        "from",
        "into",
        "only",
        "this",
        "that",
        "calendar",
        "calendars",
        "connect",
        "connection",
        "data",
        "empty",
        "limit",
    ]
)
# Every value a sentence may quote, chosen to carry no word of either language.
SAMPLE: dict[str, object] = {
    "status": "404",
    "count": "3",
    "cap": "20000",
    "wait": "120",
    "seconds": "30",
    "port": "99999",
    "size_bytes": "2097152",
    "limit_bytes": "10485760",
    **{
        name: "x-42"
        for name in [
            "host",
            "link",
            "scheme",
            "location",
            "shown",
            "encoding",
            "start",
            "component",
            "uid",
            "value",
            "end",
            "tzid",
            "fallback",
            "error",
        ]
    },
}


def english_left_in(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text) if w.lower() in ENGLISH_WORDS}


def both_languages(texts: dict[str, Promise], key: str) -> tuple[str, str]:
    code, _, variant = key.partition(":")
    params = {**SAMPLE, "variant": variant}
    with translation.override("en"):
        english = render_text(texts, code, params)
    with translation.override("fr"):
        french = render_text(texts, code, params)
    assert english is not None and french is not None, f"{key} lacks a value to quote"
    return english, french


@pytest.mark.parametrize("key", sorted(FETCH_TEXTS))
def test_every_fetch_error_reads_in_french(key: str) -> None:
    english, french = both_languages(FETCH_TEXTS, key)
    assert french != english
    assert english_left_in(french) == set(), french


@pytest.mark.parametrize("code", sorted(PROBLEM_CODES))
def test_every_reader_problem_reads_in_french(code: str) -> None:
    assert code in PROBLEM_TEXTS, f"the reader's code {code!r} has no sentence in problem_texts"
    english, french = both_languages(PROBLEM_TEXTS, code)
    assert french != english
    assert english_left_in(french) == set(), french


def test_the_words_check_catches_an_english_sentence() -> None:
    assert english_left_in("1 event(s) had no UID; stable ones were made") == {
        "event",
        "had",
        "were",
    }


ANY = FetchPolicy(allowed_networks=("127.0.0.1/32",), connect_timeout_s=1.0, total_timeout_s=1.5)
PUBLIC_ONLY = FetchPolicy(connect_timeout_s=1.0, total_timeout_s=1.5)


@pytest.mark.parametrize(
    ("fault", "policy", "french"),
    [
        ("html", ANY, "une page web"),
        ("status", ANY, "404 : le lien est faux"),
        ("html", PUBLIC_ONLY, "adresse de réseau privé"),
    ],
)
def test_a_real_failed_fetch_tells_a_french_host_in_french(
    feed_server: FeedServer, fault: str, policy: FetchPolicy, french: str
) -> None:
    feed_server.fault("/feed.ics", fault, **({"code": 404} if fault == "status" else {}))
    result = fetch_feed(feed_server.url("/feed.ics"), None, policy)
    with translation.override("fr"):
        text = result.error_text()
    assert french in text
    assert english_left_in(text) == set(), text
    assert result.error_message is not None and result.error_message != text


def test_an_unknown_host_is_told_in_french() -> None:
    result = fetch_feed("https://no-such-host.invalid/cal.ics", None, PUBLIC_ONLY)
    with translation.override("fr"):
        text = result.error_text()
    assert text.startswith("Le nom no-such-host.invalid est introuvable")


def test_a_mistyped_scheme_is_told_in_french_without_claiming_https_is_required() -> None:
    result = fetch_feed("htps://www.airbnb.fr/calendar/ical/1.ics", None, PUBLIC_ONLY)
    with translation.override("fr"):
        text = result.error_text()
    assert "htps://" in text and "http://" in text
    assert english_left_in(text) == set(), text


def test_reader_problems_of_a_messy_feed_read_in_french() -> None:
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        b"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270110\r\nDTEND;VALUE=DATE:20270112\r\n"
        b"SUMMARY:Reserved\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:b\r\nDTSTART;TZID=Mars/Olympus:20270110T100000\r\n"
        b"DTEND;TZID=Mars/Olympus:20270110T110000\r\nEND:VEVENT\r\n"
        b"this line is junk\r\nEND:VCALENDAR\r\n"
    )
    feed = read_feed(body, ReadOptions(today=date(2027, 1, 1), zone="Europe/Paris"))
    assert {"missing_uid", "unknown_timezone", "junk_line"} <= feed.problem_codes()
    with translation.override("fr"):
        texts = [read_problem_text(p) for p in feed.problems]
    assert (
        "1 événement n’avait pas d’UID ; un identifiant stable a été tiré de son contenu." in texts
    )
    for text in texts:
        assert english_left_in(text) == set(), text
