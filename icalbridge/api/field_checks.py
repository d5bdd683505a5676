"""Checks several API schemas make of their fields, with messages in the reader's language.

pydantic runs them while it reads a request, after the caller is known, so ``gettext`` here
speaks the language of ``Accept-Language``, else the caller's own (``api/auth.py``).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext as _


def stripped_name(value: str) -> str:
    """Return a name without its outer spaces; a blank one is refused."""
    if not value.strip():
        raise ValueError(_("The name cannot be blank."))
    return value.strip()


def existing_zone(value: str) -> str:
    """Return a time zone name the hub knows; another is refused with an example."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            _("Unknown time zone %(zone)r; use one like Europe/Paris.") % {"zone": value}
        ) from None
    return value
