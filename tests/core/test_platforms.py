from __future__ import annotations

import pytest

from icalbridge.core.bookings import Direction, Kind
from icalbridge.core.platforms import (
    all_platforms,
    classify_event,
    platform_by_id,
    recognise_platform,
)

PRESET_IDS = [
    "airbnb", "booking", "abritel", "gites-de-france", "gites-de-france-loiret", "feratel",
    "cybevasion", "amivac", "seloger-vacances", "google", "expedia", "tripadvisor", "ingenie",
    "reservit", "ke-booking", "manava", "amenitiz", "eviivo", "thais-soft", "open-pro", "other",
]  # fmt: skip


def test_every_preset_exists_and_other_comes_last() -> None:
    ids = [p.id for p in all_platforms()]
    assert set(PRESET_IDS) <= set(ids)
    assert ids[-1] == "other"
    assert len(ids) == len(set(ids))


def test_unknown_preset_id_raises_key_error() -> None:
    with pytest.raises(KeyError):
        platform_by_id("myspace")


def test_presets_carry_their_platforms_habits() -> None:
    assert platform_by_id("airbnb").poll_interval_s == 3 * 3600
    assert platform_by_id("booking").poll_interval_s == 2 * 3600
    assert platform_by_id("abritel").poll_interval_s == 3600
    assert platform_by_id("google").poll_interval_s == 12 * 3600
    assert platform_by_id("booking").blocks_may_be_reservations
    assert not platform_by_id("airbnb").blocks_may_be_reservations
    assert platform_by_id("airbnb").re_exports_foreign_blocks
    assert platform_by_id("abritel").re_exports_foreign_blocks
    assert all(p.help_key and p.name_fr and p.name_en for p in all_platforms())
    assert Direction.BOTH in platform_by_id("airbnb").directions


@pytest.mark.parametrize(
    ("prodid", "expected"),
    [
        ("-//Airbnb Inc//Hosting Calendar 1.0//EN", "airbnb"),
        ("-//Airbnb Inc//Hosting Calendar 0.8.8//EN", "airbnb"),
        ("-//admin.booking.com\\\\\\, b.v.//NONSGML v1.0//EN", "booking"),
        ("-//HomeAway.com, Inc.//EN", "abritel"),
        ("-//Google Inc//Google Calendar 70.9054//EN", "google"),
        ("Microsoft Exchange Server 2010", "outlook"),
        ("-//Microsoft Corporation//Outlook 12.0 MIMEDIR//EN", "outlook"),
        ("-//Apple Inc.//macOS 11.6.7//EN", "apple"),
        ("-//caldav.icloud.com//CALDAVJ 2540B48//EN", "apple"),
        ("-//Some Tool//EN", None),
    ],
)
def test_platform_is_recognised_by_its_prodid(prodid: str, expected: str | None) -> None:
    assert recognise_platform(prodid, [], []) == expected


def test_platform_is_recognised_by_uid_domain_when_prodid_is_missing() -> None:
    assert (
        recognise_platform(None, ["e927afc01f6b8d7001fbd73485479170@booking.com"], []) == "booking"
    )
    assert recognise_platform("", ["x@airbnb.com"], ["Reserved"]) == "airbnb"


def test_platform_is_recognised_by_abritel_labels() -> None:
    assert recognise_platform(None, ["u1"], ["Réservée - Jean", "Indisponible"]) == "abritel"


@pytest.mark.parametrize(
    ("platform", "summary", "status", "expected"),
    [
        ("airbnb", "Reserved", None, (Kind.RESERVED, False)),
        ("airbnb", "Airbnb (Not available)", None, (Kind.UNAVAILABLE, True)),
        ("airbnb", "Not available", None, (Kind.UNAVAILABLE, True)),
        ("airbnb", "Blocked", None, (Kind.UNAVAILABLE, True)),
        ("booking", "CLOSED - Not available", None, (Kind.UNAVAILABLE, True)),
        ("booking", "CLOSED – Not available", None, (Kind.UNAVAILABLE, True)),
        ("abritel", "Réservée - Guest1", None, (Kind.RESERVED, False)),
        ("abritel", "Reserved - Ann", None, (Kind.RESERVED, False)),
        ("abritel", "Indisponible", None, (Kind.UNAVAILABLE, True)),
        ("abritel", "Blocked", None, (Kind.UNAVAILABLE, True)),
        ("abritel", "Provisoire - Guest5", None, (Kind.TENTATIVE, False)),
        ("abritel", "Tentative", None, (Kind.TENTATIVE, False)),
        ("google", "Famille Martin", None, (Kind.RESERVED, False)),
        ("google", "Famille Martin", "TENTATIVE", (Kind.TENTATIVE, False)),
        ("google", "Busy", None, (Kind.UNAVAILABLE, True)),
        ("outlook", "Occupé", None, (Kind.UNAVAILABLE, True)),
        ("apple", "Fermé", None, (Kind.UNAVAILABLE, True)),
        ("other", "Closed", None, (Kind.UNAVAILABLE, True)),
        ("other", "Indisponible", "CONFIRMED", (Kind.UNAVAILABLE, True)),
        (None, "Cours de yoga", "confirmed", (Kind.RESERVED, False)),
    ],
)
def test_events_are_classified_by_their_platforms_words(
    platform: str | None, summary: str, status: str | None, expected: tuple[Kind, bool]
) -> None:
    assert classify_event(platform, summary, status) == expected
