"""A changed import re-renders the feeds its bookings show in, and only those."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from icalbridge.hub.models import Channel, PublishedFeed
from icalbridge.sync.imports_now import import_now
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, days_from_today, new_channel, new_unit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("allow_local_feeds")]

STAY = Stay("stay-1@airbnb.com", days_from_today(5), days_from_today(9))
# What no rendering writes: a feed still holding it was left alone by the import.
MARK = b"BEGIN:VCALENDAR\r\nX-LEFT-ALONE:1\r\nEND:VCALENDAR\r\n"


def _two_channels(feed_server: FeedServer) -> tuple[Channel, Channel]:
    unit = new_unit()
    feed_server.serve("/airbnb.ics", airbnb_feed([]))
    airbnb = new_channel(unit, "Airbnb", "airbnb", url=feed_server.url("/airbnb.ics"))
    booking = new_channel(unit, "Booking.com", "booking")
    assert import_now(airbnb.pk) is not None
    return airbnb, booking


def _mark(channel: Channel, **changes: object) -> None:
    PublishedFeed.objects.filter(channel=channel).update(body=MARK, etag='"left-alone"', **changes)


def test_the_importing_channel_s_own_feed_is_not_rendered_again(feed_server: FeedServer) -> None:
    airbnb, booking = _two_channels(feed_server)
    _mark(airbnb)
    feed_server.serve("/airbnb.ics", airbnb_feed([STAY]))

    run = import_now(airbnb.pk)

    assert run is not None and run.outcome == "applied" and run.added == 1
    # Airbnb's own stay never goes back to Airbnb: its feed could not change.
    assert bytes(PublishedFeed.objects.get(channel=airbnb).body) == MARK
    assert f"DTSTART;VALUE=DATE:{STAY.start:%Y%m%d}".encode() in bytes(
        PublishedFeed.objects.get(channel=booking).body
    )


def test_a_feed_rendered_in_an_earlier_rental_window_is_rendered_again(
    feed_server: FeedServer,
) -> None:
    airbnb, _ = _two_channels(feed_server)
    _mark(airbnb, rendered_at=timezone.now() - timedelta(days=70))
    feed_server.serve("/airbnb.ics", airbnb_feed([STAY]))

    import_now(airbnb.pk)

    body = bytes(PublishedFeed.objects.get(channel=airbnb).body)
    assert body != MARK and body.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0")
