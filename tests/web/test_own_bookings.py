"""The host's form refuses dates no platform can use and blocks over their own, in their language."""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import Booking, BookingMove, Unit

pytestmark = pytest.mark.django_db

SOON = date.today() + timedelta(days=30)
SAID = {
    "fr": {
        "past": "Ces dates sont passées",
        "too_far": "Aucune plateforme ne vend aussi loin",
        "over": "modifiez plutôt celui-là",
    },
    "en": {
        "past": "These dates are over",
        "too_far": "No platform sells that far ahead",
        "over": "change that one instead",
    },
}
WRONG_DATES = {
    "past": (date(2020, 7, 1), date(2020, 7, 4)),
    "too_far": (date(2099, 7, 1), date(2099, 7, 4)),
    "over": (SOON + timedelta(days=2), SOON + timedelta(days=5)),
}


def speaking(client: Client, language: str) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def works(unit: Unit, start: date = SOON) -> Booking:
    return create_local_booking(
        unit,
        span=Nights(start, start + timedelta(days=4)),
        kind=Kind.UNAVAILABLE,
        category="travaux",
    )


def form_fields(start: date, end: date) -> dict[str, Any]:
    return {
        "kind": "unavailable",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "scope_shown": "on",
    }


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("case", ["past", "too_far", "over"])
def test_a_block_no_platform_can_use_is_refused_on_the_form_and_nothing_is_written(
    client: Client, unit: Unit, case: str, language: str
) -> None:
    works(unit)
    answer = speaking(client, language).post(
        reverse("booking_create", args=[unit.public_id]), form_fields(*WRONG_DATES[case])
    )
    assert answer.status_code == 200
    assert SAID[language][case] in html.unescape(answer.content.decode())
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("case", ["past", "too_far", "over"])
def test_a_move_no_platform_can_use_is_refused_and_the_block_stays(
    client: Client, unit: Unit, case: str, language: str
) -> None:
    works(unit)
    moving = works(unit, SOON + timedelta(days=20))
    answer = speaking(client, language).post(
        reverse("booking_detail", args=[moving.public_id]), form_fields(*WRONG_DATES[case])
    )
    assert SAID[language][case] in html.unescape(answer.content.decode())
    moving.refresh_from_db()
    assert moving.span == Nights(SOON + timedelta(days=20), SOON + timedelta(days=24))
    assert moving.sequence == 0 and not BookingMove.objects.exists()


def test_a_past_block_kept_as_history_still_takes_a_note(client: Client, unit: Unit) -> None:
    last_month = date.today() - timedelta(days=30)
    old = create_local_booking(
        unit, span=Nights(last_month, last_month + timedelta(days=3)), kind=Kind.UNAVAILABLE
    )
    answer = client.post(
        reverse("booking_detail", args=[old.public_id]),
        form_fields(last_month, last_month + timedelta(days=3)) | {"note": "chaudière changée"},
    )
    assert answer.status_code == 302
    old.refresh_from_db()
    assert old.note == "chaudière changée"
