"""French elision before a name: "d'Airbnb", "qu'Abritel", "d'août", never "de Airbnb".

Names and months reach French sentences as values ("Données récupérées de %(p)s"), so
the catalogue cannot elide them: this one rule does, on the sentence once formatted.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language

# The words that lose their vowel before one ("jusqu'au", "lorsqu'Airbnb").
_ELIDING = ("de", "que", "jusque", "lorsque", "puisque")
# An h may be silent ("l'hôtel") or not ("le haricot"); the spelling does not say which,
# so only these words count as starting with a vowel sound.
_SILENT_H = ("hôte", "hôtel", "hébergement", "heure", "hiver", "habitation", "histoire")
# Vowels that are not said as one at the start of these words: "de onze", "de oui".
_NOT_ELIDED = ("onze", "onzième", "oui")
_VOWELS = "aeiouàâäéèêëîïôöùûüœæ"
_BEFORE_WORD = re.compile(
    r"\b(" + "|".join(_ELIDING) + r") (?=(\w+))",
    re.IGNORECASE,
)


def _starts_with_vowel_sound(word: str) -> bool:
    lowered = word.lower()
    if lowered in _NOT_ELIDED:
        return False
    if lowered[:1] in _VOWELS:
        return True
    return lowered.startswith(_SILENT_H)


def _elide(match: re.Match[str]) -> str:
    word, following = match.group(1), match.group(2)
    if not _starts_with_vowel_sound(following):
        return match.group(0)
    return word[:-1] + "'"


def elided(text: str, language: str | None = None) -> str:
    """Return ``text`` with "de Airbnb" made "d'Airbnb" when it is French, else as it is."""
    code = language if language is not None else (get_language() or "")
    if not code.startswith("fr"):
        return text
    return _BEFORE_WORD.sub(_elide, text)
