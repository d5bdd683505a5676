"""Your own alert preferences: the language of your e-mails and the daily digest."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from icalbridge.alerts.mail import preference_of
from icalbridge.api.auth import caller
from icalbridge.api.problems import PROBLEMS
from icalbridge.hub.models import Language, UserPreference

router = Router(tags=["preferences"])


class PreferencesIn(Schema):
    language: Language = Field(description="The language of your alert e-mails.")
    digest: bool = Field(
        description="One daily digest instead of immediate e-mails (double bookings stay "
        "immediate)."
    )


class PreferencesOut(Schema):
    language: Language
    digest: bool


def _preferences_out(preference: UserPreference) -> dict[str, Any]:
    return {"language": preference.language, "digest": preference.digest}


@router.get("/me/preferences", response={200: PreferencesOut, **PROBLEMS})
def read_preferences(request: HttpRequest) -> dict[str, Any]:
    """Read how you hear about alerts (the defaults until you change them)."""
    return _preferences_out(preference_of(caller(request)))


@router.put("/me/preferences", response={200: PreferencesOut, **PROBLEMS})
def change_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    """Change the language of your alert e-mails and whether they come as a daily digest."""
    preference, _created = UserPreference.objects.update_or_create(
        user=caller(request),
        defaults={"language": payload.language, "digest": payload.digest},
    )
    return _preferences_out(preference)
