"""The channel form refuses a link that can never work and asks before saving a doubtful one."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from icalbridge.hub.models import Channel, Unit
from tests.support.feed_server import LOGIN_PAGE
from tests.web.test_host_journey import airbnb_feed

# Connecting imports the channel at once, through the worker's claim and its own connection.
pytestmark = pytest.mark.django_db(transaction=True)


def connect(client: Client, unit: Unit, url: str, **extra: str) -> Any:
    return client.post(
        reverse("channel_create", args=[unit.public_id, "airbnb"]),
        {
            "name": "Airbnb",
            "direction": "both",
            "import_url": url,
            "import_mode": "everything",
            "dtend": "checkout",
            **extra,
        },
    )


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_a_private_address_is_refused_on_save_even_when_confirmed(
    client: Client, unit: Unit
) -> None:
    answer = connect(client, unit, "http://192.168.1.20/calendar.ics", confirm_import_url="on")
    assert answer.status_code == 200
    assert "adresse de réseau privé" in page_text(answer)
    assert not Channel.objects.exists()


def test_a_mistyped_scheme_is_explained_in_french(client: Client, unit: Unit) -> None:
    answer = page_text(connect(client, unit, "htps://www.airbnb.fr/calendar/ical/1.ics"))
    assert "Un lien qui commence par htps:// ne peut pas être lu" in answer
    assert "https://, http:// ou webcal://" in answer
    assert not Channel.objects.exists()


def test_a_web_page_is_saved_only_once_the_host_confirms(
    client: Client, unit: Unit, feed_server: Any, allow_local_feeds: None
) -> None:
    feed_server.serve("/login", LOGIN_PAGE, content_type="text/html")
    url = feed_server.url("/login")
    first = page_text(connect(client, unit, url))
    assert "une page web" in first
    assert "Enregistrer quand même" in first
    assert not Channel.objects.exists()
    saved = connect(client, unit, url, confirm_import_url="on")
    assert saved.status_code == 302
    assert Channel.objects.get().import_url == url


def test_the_same_link_twice_on_one_unit_is_refused(
    client: Client, unit: Unit, feed_server: Any, allow_local_feeds: None
) -> None:
    feed_server.serve("/airbnb.ics", airbnb_feed(date.today()))
    url = feed_server.url("/airbnb.ics")
    assert connect(client, unit, url).status_code == 302
    again = page_text(connect(client, unit, url, confirm_import_url="on"))
    assert "Le canal « Airbnb » de ce logement lit déjà ce lien" in again
    assert Channel.objects.count() == 1
