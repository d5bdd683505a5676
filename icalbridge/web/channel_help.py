"""Where to find each platform's calendar link and where to paste ours, step by step."""

from __future__ import annotations

from django.utils.translation import get_language

from icalbridge.core.platforms import Platform
from icalbridge.web.platform_steps import STEPS, PlatformHelp

__all__ = ["PlatformHelp", "help_for", "platform_name"]


def help_for(platform: Platform) -> PlatformHelp:
    """Return the steps for a platform; the generic guide for one without its own."""
    return STEPS.get(platform.id, STEPS["other"])


def platform_name(platform: Platform) -> str:
    """Return the platform's name in the active language."""
    return platform.name_en if (get_language() or "fr").startswith("en") else platform.name_fr
