"""A French host never reads English: every fetch error and reader problem, worded in French."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise

from icalbridge.api.validation_texts import VALIDATION_TEXTS, validation_text
from icalbridge.cli import main
from icalbridge.commands.run import start_banner
from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.read_problems import PROBLEM_CODES
from icalbridge.outbound.fetch import FetchPolicy, fetch_feed
from icalbridge.wording.doctor_texts import DOCTOR_TEXTS
from icalbridge.wording.fetch_texts import FETCH_TEXTS
from icalbridge.wording.message_texts import render_text
from icalbridge.wording.problem_texts import PROBLEM_TEXTS, read_problem_text
from tests.api.conftest import create_host
from tests.conftest import FIXTURE_FEEDS, REPO
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
    "days": "3",
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
            "platform",
            "first",
            "last",
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


@pytest.mark.parametrize("key", sorted(DOCTOR_TEXTS))
def test_every_sentence_of_the_feed_doctor_reads_in_french(key: str) -> None:
    english, french = both_languages(DOCTOR_TEXTS, key)
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


# pydantic's values for each type's sentence, as it gives them in ``ctx``.
VALIDATION_SAMPLE = {
    "max_length": 200,
    "min_length": 1,
    "ge": 900,
    "gt": 0,
    "le": 604800,
    "lt": 10,
    "expected": "'reserved', 'tentative' or 'unavailable'",
}


@pytest.mark.parametrize("kind", sorted(VALIDATION_TEXTS))
def test_every_validation_error_reads_in_french(kind: str) -> None:
    error = {"type": kind, "msg": "Field required", "ctx": VALIDATION_SAMPLE}
    with translation.override("en"):
        english = validation_text(error)
    with translation.override("fr"):
        french = validation_text(error)
    assert french != english
    assert english_left_in(french) == set(), french
    assert " or " not in french


def api_problem(client: Client, token: str, path: str, body: object, **headers: str) -> dict:
    answer = client.post(
        "/api/v1" + path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", **headers},
    )
    assert answer.status_code == 400, answer.content
    return dict(answer.json())


@pytest.mark.django_db
def test_the_api_tells_a_missing_field_and_a_bad_date_in_the_callers_language() -> None:
    token = create_host("claire@gites-du-moulin.fr")
    client = Client()
    unit = client.post(
        "/api/v1/units",
        json.dumps({"name": "Gîte des Tilleuls"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    ).json()["id"]
    missing = api_problem(client, token, "/units", {}, **{"Accept-Language": "fr"})
    assert missing["errors"] == [{"field": "name", "message": "Ce champ est obligatoire."}]
    assert english_left_in(missing["detail"] + missing["title"]) == set(), missing
    bad_range = client.get(
        f"/api/v1/units/{unit}/bookings",
        {"from": "2026-13-40"},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "fr"},
    ).json()
    assert bad_range["errors"][0]["field"] == "from", bad_range
    assert "AAAA-MM-JJ" in bad_range["detail"], bad_range
    bad_kind = api_problem(
        client,
        token,
        f"/units/{unit}/bookings",
        {"start": "2027-07-10", "end": "2027-07-12", "kind": "booked"},
        **{"Accept-Language": "fr"},
    )
    assert bad_kind["errors"][0]["field"] == "kind"
    assert "reserved, tentative, unavailable" in bad_kind["errors"][0]["message"]
    assert english_left_in(bad_kind["detail"]) == set(), bad_kind
    # Asked for nothing: the caller's own language (French, the hub's).
    blank = api_problem(client, token, "/units", {"name": "  "})
    assert blank["errors"] == [{"field": "name", "message": "Le nom ne peut pas être vide."}]
    english = api_problem(client, token, "/units", {}, **{"Accept-Language": "en"})
    assert english["errors"] == [{"field": "name", "message": "This field is required."}]


@pytest.mark.django_db
def test_the_command_line_speaks_the_language_of_lang(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert main(["createuser", "pas-une-adresse", "--password", "x"]) == 2
    assert main(["import-now"]) == 2
    assert main(["status"]) == 0
    with translation.override("fr"):
        banner = start_banner("http://127.0.0.1:8000", demo=True, demo_loaded=True)
    said = capsys.readouterr()
    texts = [*said.err.splitlines(), *said.out.splitlines(), *banner]
    assert "« pas-une-adresse » n’est pas une adresse e-mail." in texts
    assert said.out.split()[:3] == ["ID", "LOGEMENT", "CANAL"]
    assert any("127.0.0.1/32" in line for line in banner), banner
    for text in texts:
        assert english_left_in(text) == set(), text


def icalbridge(language: str, data_dir: Path, *args: str) -> str:
    """Run the real ``icalbridge`` command in a shell speaking ``language``; return its output."""
    environment = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "DATABASE_URL", "REDIS_URL")
        },
        "LANG": language,
        "ICALBRIDGE_DATA_DIR": str(data_dir),
        "ICALBRIDGE_ALLOW_PRIVATE_URLS": "127.0.0.1/32",
    }
    done = subprocess.run(
        [sys.executable, "-m", "icalbridge.cli", *args],
        env=environment,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 2), done.stderr
    return done.stdout


def a_short_airbnb_feed_without_a_uid() -> bytes:
    """An Airbnb feed whose only stay ends in two days, read with one repair (no UID)."""
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    start, end = today + timedelta(days=1), today + timedelta(days=3)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN\r\n"
        f"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:{start:%Y%m%d}\r\nDTEND;VALUE=DATE:{end:%Y%m%d}\r\n"
        "SUMMARY:Airbnb\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


GOOGLE_404 = "/calendar/ical/x%40group.calendar.google.com/private-abc/basic.ics"
# What each command must say, by the shell's language (LANG).
SAID = {
    "fr_FR.UTF-8": {
        "doctor_good": [
            "Flux utilisable.",
            "- Plateforme reconnue : Airbnb. 1 événement du ",
            "- Le flux s’arrête dans 2 jours : la plateforme n’exporte-t-elle que ses 2 prochains jours ?",
            "- 1 problème a été réparé ou ignoré à la lecture",
        ],
        "doctor_google": [
            "Ce lien ne peut pas être importé tel quel.",
            "- Cette adresse Google ne fonctionne que si l’agenda est public",
            "- Le serveur a répondu 404 : le lien est faux ou a été réinitialisé. Recopiez le lien",
        ],
        "inspect": [
            "Plateforme : non reconnue",
            "Nom de l’agenda : Gîte des Tilleuls",
            "Attention : le flux est tronqué",
            "15 événements :",
            "  du 2027-01-01 au 2027-01-03 (2 nuits) : réservé 'Réservé'",
            "2 problèmes :",
            "  [junk_line] 1 ligne étrangère au format iCalendar a été ignorée.",
        ],
    },
    "en_US.UTF-8": {
        "doctor_good": [
            "Usable feed.",
            "- Recognised platform: Airbnb. 1 event from ",
            "- The feed ends in 2 days: does the platform only export its next 2 days?",
            "- 1 problem was repaired or skipped while reading",
        ],
        "doctor_google": [
            "This link cannot be imported as it is.",
            "- This Google address only works when the calendar is public",
            "- The server answered 404: the link is wrong or was reset. Copy the link again",
        ],
        "inspect": [
            "Platform: not recognised",
            "Calendar name: Gîte des Tilleuls",
            "Warning: the feed is cut off",
            "15 events:",
            "  2027-01-01 to 2027-01-03 (2 nights): reserved 'Réservé'",
            "2 problems:",
            "  [junk_line] 1 line that is not iCalendar was skipped.",
        ],
    },
}


@pytest.mark.parametrize("language", sorted(SAID))
def test_the_feed_doctor_and_inspect_speak_the_language_of_lang(
    language: str, feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.serve("/airbnb.ics", a_short_airbnb_feed_without_a_uid())
    said = {
        "doctor_good": icalbridge(
            language, tmp_path / "hub", "inspect", feed_server.url("/airbnb.ics")
        ),
        "doctor_google": icalbridge(
            language, tmp_path / "hub", "inspect", feed_server.url(GOOGLE_404)
        ),
        # A file is read without the hub: no data directory is made for it.
        "inspect": icalbridge(
            language,
            tmp_path / "none",
            "inspect",
            str(FIXTURE_FEEDS / "other_mistyped_end_line.ics"),
        ),
    }
    assert not (tmp_path / "none").exists()
    for command, lines in SAID[language].items():
        for line in lines:
            assert line in said[command], (command, said[command])
        if language.startswith("fr"):
            for text in said[command].splitlines():
                # Codes in brackets and the feed's own quoted titles are not our sentences.
                ours = re.sub(r"\[\w+\]|'[^']*'", "", text)
                assert english_left_in(ours) == set(), text
