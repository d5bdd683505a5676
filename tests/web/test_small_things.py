"""The small things a host notices: words, links, a green badge that could not know, slips."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import Booking, Unit
from tests.web.conftest import imported, new_channel

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_names_starting_with_a_vowel_are_elided_in_french(client: Client, unit: Unit) -> None:
    airbnb = new_channel(unit, "Airbnb", "airbnb")
    start = date.today() + timedelta(days=9)
    stay = imported(unit, airbnb, start, 2)
    pages = [
        _text(client.get(reverse("channel_detail", args=[airbnb.public_id]))),
        _text(client.get(reverse("channel_edit", args=[airbnb.public_id]))),
        _text(client.get(reverse("booking_detail", args=[stay.public_id]))),
    ]
    assert "Données récupérées d'Airbnb" in pages[0]
    assert "Réglages d'Airbnb" in pages[1]
    assert "Cette réservation vient d'Airbnb" in pages[2]
    for page in pages:
        assert not re.search(r"\b(de|que) Airbnb", page), re.findall(r".{30}de Airbnb", page)


def test_the_unit_in_a_channel_forms_breadcrumb_opens_its_calendar(
    client: Client, unit: Unit
) -> None:
    page = _text(client.get(reverse("channel_create", args=[unit.public_id, "airbnb"])))
    crumbs = page[page.index('aria-label="breadcrumb"') :].split("</nav>")[0]
    calendar = reverse("unit_calendar", args=[unit.public_id])
    assert f'<a href="{calendar}">Gîte des Tilleuls</a>' in crumbs


def test_the_grid_explains_its_lighter_grey_in_the_legend_and_the_tooltip(
    client: Client, unit: Unit
) -> None:
    airbnb = new_channel(unit, "Airbnb", "airbnb")
    start = date.today().replace(day=1) + timedelta(days=20)
    imported(unit, airbnb, start, 400, kind="unavailable", is_horizon=True)
    page = _text(client.get(reverse("unit_calendar", args=[unit.public_id])))
    legend = page[page.index('class="legend"') :]
    assert "is-horizon" in legend
    assert "au-delà des dates que la plateforme vend, pas transmis" in legend
    bar = re.search(r'<a class="bar [^"]*is-horizon[^"]*"[^>]*title="([^"]*)"', page)
    assert bar, "no horizon bar on the grid"
    assert "au-delà des dates que la plateforme vend, pas transmis" in bar.group(1)


def test_a_unit_whose_calendars_all_fail_does_not_say_it_has_no_double_booking(
    client: Client, unit: Unit
) -> None:
    failing = {"consecutive_failures": 3, "last_error_code": "http_error"}
    new_channel(unit, "Airbnb", "airbnb", **failing)
    new_channel(unit, "Booking.com", "booking", **failing)
    Unit.objects.create(organization=unit.organization, name="La Grange")
    page = _text(client.get("/"))
    card = page[page.index("Gîte des Tilleuls") :].split("</article>")[0]
    assert "Aucune double réservation" not in card
    assert "Impossible de savoir" in card
    other = page[page.index("La Grange") :].split("</article>")[0]
    assert "Aucune double réservation" in other


def test_a_unit_with_one_calendar_read_still_tells_its_double_bookings(
    client: Client, unit: Unit
) -> None:
    new_channel(unit, "Airbnb", "airbnb", consecutive_failures=3, last_error_code="http_error")
    new_channel(unit, "Booking.com", "booking", last_success_at=timezone.now(), events_read=2)
    page = _text(client.get("/"))
    assert "Aucune double réservation" in page


def _add(client: Client, unit: Unit, start: date, nights: int, **fields: Any) -> Any:
    return client.post(
        reverse("booking_create", args=[unit.public_id]),
        {
            "kind": "unavailable",
            "start": start.isoformat(),
            "end": (start + timedelta(days=nights)).isoformat(),
            "scope_shown": "on",
            **fields,
        },
    )


@pytest.mark.parametrize(
    ("start", "said"),
    [
        (date(2020, 7, 1), "Ces dates sont passées"),
        (date(2099, 7, 1), "Aucune plateforme ne vend aussi loin"),
    ],
)
def test_a_block_in_the_past_or_far_beyond_what_platforms_sell_is_refused(
    client: Client, unit: Unit, start: date, said: str
) -> None:
    page = _text(_add(client, unit, start, 3))
    assert said in page and "Vérifiez l'année" in page
    assert not Booking.objects.exists()


def test_a_block_over_one_already_in_the_calendar_is_refused_naming_it(
    client: Client, unit: Unit
) -> None:
    start = date.today() + timedelta(days=20)
    create_local_booking(
        unit,
        span=Nights(start, start + timedelta(days=4)),
        kind=Kind.UNAVAILABLE,
        category="travaux",
    )
    page = _text(_add(client, unit, start + timedelta(days=2), 3))
    assert "« travaux »" in page or "“travaux”" in page
    assert "modifiez plutôt celui-là" in page
    assert Booking.objects.count() == 1


def test_a_block_goes_on_the_channels_left_ticked_and_two_platforms_may_share_nights(
    client: Client, unit: Unit
) -> None:
    airbnb = new_channel(unit, "Airbnb", "airbnb")
    booking = new_channel(unit, "Booking.com", "booking")
    start = date.today() + timedelta(days=20)
    # Every box left ticked: every channel, those added later too.
    assert _add(client, unit, start, 2, channels=[airbnb.pk, booking.pk]).status_code == 302
    # Each next block unticks the other platform: both are kept, each open where it should be.
    later = start + timedelta(days=10)
    assert _add(client, unit, later, 4, channels=[booking.pk]).status_code == 302
    assert _add(client, unit, later + timedelta(days=2), 4, channels=[airbnb.pk]).status_code == 302
    blocks = list(Booking.objects.order_by("start_date"))
    assert blocks[0].scope_all
    assert [{c.name for c in b.scope.all()} for b in blocks[1:]] == [{"Booking.com"}, {"Airbnb"}]


def test_a_name_longer_than_200_characters_is_refused_with_a_word(
    client: Client, unit: Unit
) -> None:
    form = _text(client.get(reverse("unit_create")))
    assert 'maxlength="200"' not in form  # the browser would cut a pasted name without a word
    long_name = "Gîte " + "des Tilleuls " * 20
    page = _text(
        client.post(
            reverse("unit_create"),
            {
                "name": long_name,
                "timezone": "Europe/Paris",
                "check_in": "16:00",
                "check_out": "10:00",
            },
        )
    )
    assert "200 caractères" in page
    assert not Unit.objects.filter(name__startswith="Gîte des Tilleuls des").exists()
