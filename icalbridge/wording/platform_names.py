"""A platform's name in the reader's language: the preset's French or English name."""

from __future__ import annotations

from django.utils.translation import get_language

from icalbridge.core.platforms import Platform


def platform_name(platform: Platform) -> str:
    """Return the platform's name in the active language."""
    return platform.name_en if (get_language() or "fr").startswith("en") else platform.name_fr
