"""French elision before the names a sentence quotes, in one rule."""

from __future__ import annotations

import pytest

from icalbridge.elision import elided


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Données récupérées de Airbnb", "Données récupérées d'Airbnb"),
        ("Réglages de Abritel / Vrbo", "Réglages d'Abritel / Vrbo"),
        (
            "Notre lien, que Expedia ne peut pas joindre",
            "Notre lien, qu'Expedia ne peut pas joindre",
        ),
        ("Calendrier de août 2026", "Calendrier d'août 2026"),
        ("De Outlook", "D'Outlook"),
        ("Réglages de eviivo", "Réglages d'eviivo"),
        ("Réglages de Hôtel du Lac", "Réglages d'Hôtel du Lac"),
        ("Réglages de Booking.com", "Réglages de Booking.com"),
        ("Réglages de Gîtes de France", "Réglages de Gîtes de France"),
        ("la limite de 11 caractères", "la limite de 11 caractères"),
        ("de haut en bas, de onze heures", "de haut en bas, de onze heures"),
    ],
)
def test_a_name_starting_with_a_vowel_sound_takes_the_apostrophe(written: str, read: str) -> None:
    assert elided(written, "fr") == read


def test_english_is_left_as_it_is() -> None:
    assert elided("a feed de Airbnb", "en") == "a feed de Airbnb"
