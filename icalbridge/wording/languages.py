"""The language a person reads: the one they chose, else the hub's."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from icalbridge.hub.models import Language, UserPreference


def hub_language() -> str:
    code = (settings.LANGUAGE_CODE or "fr")[:2]
    return code if code in Language.values else Language.FRENCH


def user_language(user: Any) -> str:
    """Return the language a user chose (Notifications page), else the hub's."""
    if user is None or not getattr(user, "pk", None):
        return hub_language()
    chosen = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or hub_language()
