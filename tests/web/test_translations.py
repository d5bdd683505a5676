"""French is the default language: every message of the catalog has its French words."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation

from icalbridge.core.platforms import all_platforms, platform_by_id
from icalbridge.web.channel_help import help_for

LOCALE = Path(__file__).resolve().parents[2] / "icalbridge" / "locale"


def test_every_message_of_the_french_catalog_is_translated() -> None:
    with (LOCALE / "fr" / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalog = read_po(po)
    untranslated = [
        m.id
        for m in catalog
        if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    assert untranslated == []


@pytest.mark.parametrize("platform", all_platforms(), ids=lambda p: p.id)
def test_every_platform_has_steps_in_french_and_in_english(platform: object) -> None:
    guide = help_for(platform)  # type: ignore[arg-type]
    steps = (*guide.find_theirs, *guide.paste_ours)
    with translation.override("en"):
        english = [str(step) for step in steps]
    with translation.override("fr"):
        french = [str(step) for step in steps]
    assert len(steps) >= 4
    assert all(e != f for e, f in zip(english, french, strict=True))


@pytest.mark.parametrize(
    "platform", [p for p in all_platforms() if p.id != "other"], ids=lambda p: p.id
)
def test_every_platform_has_its_own_steps_for_the_directions_it_offers(platform: object) -> None:
    guide = help_for(platform)  # type: ignore[arg-type]
    assert guide is not help_for(platform_by_id("other"))
    directions = platform.directions  # type: ignore[attr-defined]
    assert bool(guide.find_theirs) == any(d.imports for d in directions)
    assert bool(guide.paste_ours) == any(d.exports for d in directions)
    if len(directions) == 1:
        assert guide.note is not None  # says which way, and what stays by hand
