"""Where to find each platform's calendar link and where to paste ours, step by step."""

from __future__ import annotations

from icalbridge.core.platforms import Platform
from icalbridge.web.platform_steps import STEPS, PlatformHelp

__all__ = ["PlatformHelp", "help_for"]


def help_for(platform: Platform) -> PlatformHelp:
    """Return the steps for a platform; the generic guide for one without its own."""
    return STEPS.get(platform.id, STEPS["other"])
