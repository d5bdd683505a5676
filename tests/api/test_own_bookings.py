"""The API refuses what the host's form refuses: dates over, too far ahead, over their own."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import Booking, BookingMove, Unit, UserPreference
from tests.api.conftest import ApiClient, problem

SOON = date.today() + timedelta(days=30)

# What the host reads, by language: the same sentences as on the form.
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


def post(api: ApiClient, path: str, body: Any, language: str | None) -> HttpResponse:
    headers = {"Authorization": f"Bearer {api.token}"}
    if language is not None:
        headers["Accept-Language"] = language
    return api.client.post(
        "/api/v1" + path, json.dumps(body), content_type="application/json", headers=headers
    )


def works(api: ApiClient, unit: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Enter the host's block "travaux" over SOON's first four nights."""
    body = {"start": SOON.isoformat(), "end": (SOON + timedelta(days=4)).isoformat()}
    answer = api.post(
        f"/units/{unit['id']}/bookings",
        body | {"kind": "unavailable", "category": "travaux"} | fields,
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def make_channel(api: ApiClient, unit: dict[str, Any], name: str) -> dict[str, Any]:
    answer = api.post(
        f"/units/{unit['id']}/channels", {"name": name, "platform": "other", "direction": "export"}
    )
    assert answer.status_code == 201
    return answer.json()


def refused_on_start(response: HttpResponse) -> str:
    """Return the sentence of a 400 that names ``start``, in the problem format of every 400."""
    body = problem(response, 400)
    assert body["type"].endswith("/invalid-input")
    assert body["errors"] == [{"field": "start", "message": body["detail"]}]
    return str(body["detail"])


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("case", ["past", "too_far", "over"])
def test_a_block_the_form_refuses_is_refused_through_the_api_and_nothing_is_written(
    api: ApiClient, unit: dict[str, Any], case: str, language: str
) -> None:
    works(api, unit)
    start, end = WRONG_DATES[case]
    answer = post(
        api,
        f"/units/{unit['id']}/bookings",
        {"start": start.isoformat(), "end": end.isoformat(), "kind": "unavailable"},
        language,
    )
    said = refused_on_start(answer)
    assert SAID[language][case] in said
    if case == "over":
        assert "travaux" in said
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_lesson_at_the_same_hour_as_another_is_refused(
    api: ApiClient, unit: dict[str, Any], language: str
) -> None:
    lesson = {
        "start": f"{SOON}T14:00:00+02:00",
        "end": f"{SOON}T15:00:00+02:00",
        "kind": "reserved",
        "summary": "Élève",
    }
    assert api.post(f"/units/{unit['id']}/bookings", lesson).status_code == 201
    later = lesson | {"start": f"{SOON}T14:30:00+02:00", "end": f"{SOON}T15:30:00+02:00"}
    said = refused_on_start(post(api, f"/units/{unit['id']}/bookings", later, language))
    assert SAID[language]["over"] in said and "Élève" in said
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("case", ["past", "too_far", "over"])
def test_a_move_the_form_refuses_is_refused_through_the_api_and_the_booking_stays(
    api: ApiClient, unit: dict[str, Any], case: str, language: str
) -> None:
    works(api, unit)
    later = SOON + timedelta(days=20)
    moving = api.post(
        f"/units/{unit['id']}/bookings",
        {
            "start": later.isoformat(),
            "end": (later + timedelta(days=2)).isoformat(),
            "kind": "unavailable",
        },
    ).json()
    start, end = WRONG_DATES[case]
    answer = api.patch(
        f"/bookings/{moving['id']}",
        {"start": start.isoformat(), "end": end.isoformat()},
        {"Accept-Language": language},
    )
    assert SAID[language][case] in refused_on_start(answer)
    assert api.get(f"/bookings/{moving['id']}").json() == moving
    assert Booking.objects.get(public_id=moving["id"]).sequence == 0
    assert not BookingMove.objects.exists()


def test_showing_a_block_on_a_channel_where_another_holds_its_nights_is_refused(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    airbnb, booking = make_channel(api, unit, "Airbnb"), make_channel(api, unit, "Booking.com")
    works(api, unit, channels=[booking["id"]])
    on_airbnb = api.post(
        f"/units/{unit['id']}/bookings",
        {
            "start": (SOON + timedelta(days=1)).isoformat(),
            "end": (SOON + timedelta(days=3)).isoformat(),
            "kind": "unavailable",
            "channels": [airbnb["id"]],
        },
    )
    # Blocks over the same nights on different platforms: how a week is closed on one only.
    assert on_airbnb.status_code == 201, on_airbnb.content
    widened = api.patch(
        f"/bookings/{on_airbnb.json()['id']}", {"channels": None}, {"Accept-Language": "en"}
    )
    assert SAID["en"]["over"] in refused_on_start(widened)
    assert api.get(f"/bookings/{on_airbnb.json()['id']}").json()["channels"] == [airbnb["id"]]


def test_a_past_block_kept_as_history_still_takes_a_note(
    api: ApiClient, unit: dict[str, Any]
) -> None:
    # A booking already stored is judged again only when its dates or channels change.
    last_month = date.today() - timedelta(days=30)
    old = create_local_booking(
        Unit.objects.get(),
        span=Nights(last_month, last_month + timedelta(days=3)),
        kind=Kind.UNAVAILABLE,
    )
    answer = api.patch(f"/bookings/{old.public_id}", {"note": "chaudière changée"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["note"] == "chaudière changée"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_without_accept_language_the_refusal_is_in_the_host_s_own_language(
    api: ApiClient, unit: dict[str, Any], language: str
) -> None:
    user = get_user_model().objects.get(username="host@example.test")
    UserPreference.objects.create(user=user, language=language)
    api.client = Client()
    answer = post(
        api,
        f"/units/{unit['id']}/bookings",
        {"start": "2099-07-01", "end": "2099-07-04", "kind": "unavailable"},
        None,
    )
    assert SAID[language]["too_far"] in refused_on_start(answer)
    assert not Booking.objects.exists()
