"""End to end on one machine: what one channel imports, the others' export feeds show."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone, translation

from icalbridge.bookings.local_bookings import cancel_booking, create_local_booking
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights
from icalbridge.hub.models import Booking, BookingMove, Channel, Conflict, PublishedFeed
from icalbridge.sync.imports_now import import_now
from icalbridge.sync.status import channel_status
from tests.support.feed_server import FeedServer
from tests.support.hub import (
    Stay,
    active_bookings,
    airbnb_feed,
    booking_com_feed,
    days_from_today,
    export_of,
    new_channel,
    new_unit,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("allow_local_feeds")]

STAY = Stay("1418fb94e984-stay1@airbnb.com", days_from_today(5), days_from_today(9))
OTHER = Stay("1418fb94e984-stay2@airbnb.com", days_from_today(15), days_from_today(18))


@pytest.fixture
def two_channels(feed_server: FeedServer) -> tuple[Channel, Channel]:
    unit = new_unit()
    feed_server.serve("/airbnb.ics", airbnb_feed([STAY, OTHER]))
    feed_server.serve("/booking.ics", booking_com_feed([]))
    airbnb = new_channel(unit, "Airbnb", "airbnb", url=feed_server.url("/airbnb.ics"))
    booking = new_channel(unit, "Booking.com", "booking", url=feed_server.url("/booking.ics"))
    return airbnb, booking


def test_a_stay_imported_from_airbnb_is_exported_to_booking_and_never_back_to_airbnb(
    two_channels: tuple[Channel, Channel],
) -> None:
    airbnb, booking = two_channels
    import_now(airbnb.pk)

    to_booking, to_airbnb = export_of(booking), export_of(airbnb)

    assert f"DTSTART;VALUE=DATE:{STAY.start:%Y%m%d}" in to_booking
    assert f"DTEND;VALUE=DATE:{STAY.end:%Y%m%d}" in to_booking
    assert "SUMMARY:Reserved" in to_booking
    assert "airbnb.com" not in to_booking  # our own UIDs, no trace of the guest's platform
    assert f"{STAY.start:%Y%m%d}" not in to_airbnb


def test_a_block_only_on_booking_appears_on_booking_only(
    two_channels: tuple[Channel, Channel],
) -> None:
    airbnb, booking = two_channels
    week = Nights(days_from_today(30), days_from_today(37))
    create_local_booking(
        airbnb.unit, span=week, kind=Kind.UNAVAILABLE, summary="Peak week", channel_ids=[booking.pk]
    )
    assert f"DTSTART;VALUE=DATE:{week.start:%Y%m%d}" in export_of(booking)
    assert f"{week.start:%Y%m%d}" not in export_of(airbnb)
    assert "Peak week" not in export_of(booking)  # no host words in exports by default


def test_cancelling_at_the_source_frees_the_other_channel_after_the_next_import(
    two_channels: tuple[Channel, Channel], feed_server: FeedServer
) -> None:
    airbnb, booking = two_channels
    import_now(airbnb.pk)
    feed_server.serve("/airbnb.ics", airbnb_feed([OTHER]))

    run = import_now(airbnb.pk)

    assert run is not None and run.outcome == "applied" and run.cancelled == 1
    assert f"{STAY.start:%Y%m%d}" not in export_of(booking)
    assert f"{OTHER.start:%Y%m%d}" in export_of(booking)


def test_a_moved_stay_moves_and_keeps_its_history(
    two_channels: tuple[Channel, Channel], feed_server: FeedServer
) -> None:
    airbnb, booking = two_channels
    import_now(airbnb.pk)
    before = Booking.objects.get(remote_uid=STAY.uid)
    moved = Stay(STAY.uid, days_from_today(6), days_from_today(11))
    feed_server.serve("/airbnb.ics", airbnb_feed([moved, OTHER]))

    run = import_now(airbnb.pk)

    after = Booking.objects.get(remote_uid=STAY.uid)
    assert run is not None and run.moved == 1 and run.added == 0 and run.cancelled == 0
    assert after.pk == before.pk and (after.start_date, after.end_date) == (moved.start, moved.end)
    assert after.sequence == before.sequence + 1
    history = BookingMove.objects.get(booking=after)
    assert history.old_start == STAY.start.isoformat() and history.new_end == moved.end.isoformat()
    exported = export_of(booking)
    assert f"DTSTART;VALUE=DATE:{moved.start:%Y%m%d}" in exported
    assert f"DTSTART;VALUE=DATE:{STAY.start:%Y%m%d}" not in exported


def test_a_reset_link_stops_working_at_once(two_channels: tuple[Channel, Channel]) -> None:
    _, booking = two_channels
    feed = PublishedFeed.objects.get(channel=booking)
    old = feed.token
    feed.reset_token()
    feed.save()
    assert Client().get(f"/ical/{old}.ics").status_code == 404
    assert Client().get(f"/ical/{feed.token}.ics").status_code == 200


def test_a_mass_removal_is_held_then_applied_when_the_next_fetch_says_the_same(
    feed_server: FeedServer,
) -> None:
    stays = [
        Stay(
            f"1418fb94e984-m{i}@airbnb.com", days_from_today(3 * i + 2), days_from_today(3 * i + 4)
        )
        for i in range(4)
    ]
    feed_server.serve("/a.ics", airbnb_feed(stays))
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/a.ics"))
    import_now(channel.pk)
    feed_server.serve("/a.ics", airbnb_feed(stays[:1]))

    held = import_now(channel.pk)

    assert held is not None and held.outcome == "held" and held.held == 3
    assert len(active_bookings(channel)) == 4
    channel.refresh_from_db()
    assert channel.state == "warning"
    with translation.override("en"):
        assert "3 bookings would be removed" in _status_message(channel)
    with translation.override("fr"):
        assert "3 réservations seraient supprimées" in _status_message(channel)

    confirmed = import_now(channel.pk)

    assert confirmed is not None and confirmed.outcome == "applied" and confirmed.cancelled == 3
    assert len(active_bookings(channel)) == 1
    channel.refresh_from_db()
    assert channel.state == "ok"


def test_an_emptied_calendar_is_held_until_the_host_confirms(feed_server: FeedServer) -> None:
    feed_server.serve("/b.ics", booking_com_feed([STAY]))
    channel = new_channel(new_unit(), "Booking.com", "booking", url=feed_server.url("/b.ics"))
    import_now(channel.pk)
    feed_server.serve("/b.ics", booking_com_feed([]))

    assert import_now(channel.pk).outcome == "held"  # type: ignore[union-attr]
    assert len(active_bookings(channel)) == 1

    feed_server.serve("/b.ics", booking_com_feed([STAY]))  # the feed recovered meanwhile
    confirmed = import_now(channel.pk, confirm=True)

    # The host confirmed what was held: the empty calendar, not whatever came since.
    assert confirmed is not None and confirmed.outcome == "applied" and confirmed.cancelled == 1
    assert active_bookings(channel) == []


def test_a_truncated_feed_is_never_applied_even_when_it_comes_twice(
    feed_server: FeedServer,
) -> None:
    feed_server.serve("/a.ics", airbnb_feed([STAY, OTHER]))
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/a.ics"))
    import_now(channel.pk)
    cut = airbnb_feed([STAY, OTHER]).split(b"BEGIN:VEVENT")
    feed_server.serve("/a.ics", cut[0] + b"BEGIN:VEVENT" + cut[1][:40])

    first, second = import_now(channel.pk), import_now(channel.pk)

    assert first is not None and second is not None
    assert (first.outcome, second.outcome) == ("failed", "failed")
    assert second.error_code == "truncated"
    assert len(active_bookings(channel)) == 2


def test_booking_com_echoing_our_block_is_an_echo_not_a_conflict_nor_an_export(
    two_channels: tuple[Channel, Channel], feed_server: FeedServer
) -> None:
    airbnb, booking = two_channels
    import_now(airbnb.pk)
    export_of(booking, "Booking.com iCal")  # Booking.com fetches our feed with the stay
    feed_server.serve(
        "/booking.ics", booking_com_feed([Stay("echo1@booking.com", STAY.start, STAY.end)])
    )

    import_now(booking.pk)

    echo = Booking.objects.get(origin=booking, remote_uid="echo1@booking.com")
    assert echo.is_echo
    assert Conflict.objects.filter(state="open").count() == 0
    assert f"UID:{echo.public_id}@icalbridge" not in export_of(airbnb)


def test_an_echo_whose_booking_is_gone_becomes_a_real_block_after_two_fetches(
    feed_server: FeedServer,
) -> None:
    unit = new_unit()
    feed_server.serve("/booking.ics", booking_com_feed([]))
    booking = new_channel(unit, "Booking.com", "booking", url=feed_server.url("/booking.ics"))
    airbnb = new_channel(unit, "Airbnb", "airbnb", direction="export")
    local = create_local_booking(unit, span=Nights(STAY.start, STAY.end), kind=Kind.RESERVED)
    export_of(booking, "Booking.com")
    feed_server.serve(
        "/booking.ics", booking_com_feed([Stay("e@booking.com", STAY.start, STAY.end)])
    )
    import_now(booking.pk)
    assert Booking.objects.get(remote_uid="e@booking.com").is_echo
    assert f"{STAY.start:%Y%m%d}" in export_of(airbnb)  # ours, not the echo

    cancel_booking(local)
    export_of(booking, "Booking.com")
    import_now(booking.pk)
    assert Booking.objects.get(remote_uid="e@booking.com").is_echo  # still within two fetches
    export_of(booking, "Booking.com")
    import_now(booking.pk)

    # Booking.com fetched twice without those nights and still closes them: its own block.
    assert not Booking.objects.get(remote_uid="e@booking.com").is_echo
    assert f"DTSTART;VALUE=DATE:{STAY.start:%Y%m%d}" in export_of(airbnb)


def test_a_booking_com_closure_over_an_airbnb_stay_is_a_double_booking_until_it_ends(
    two_channels: tuple[Channel, Channel], feed_server: FeedServer
) -> None:
    airbnb, booking = two_channels
    import_now(airbnb.pk)
    overlap = Stay("sold@booking.com", days_from_today(7), days_from_today(10))
    feed_server.serve("/booking.ics", booking_com_feed([overlap]))

    import_now(booking.pk)

    conflict = Conflict.objects.get(state="open")
    assert (conflict.start, conflict.end) == (days_from_today(7), days_from_today(9))
    feed_server.serve("/booking.ics", booking_com_feed([]))
    import_now(booking.pk, confirm=False)
    import_now(booking.pk)  # the emptied calendar, confirmed by a second identical fetch
    conflict.refresh_from_db()
    assert conflict.state == "resolved" and conflict.resolution == "cancelled"


def _status_message(channel: Channel) -> str:
    return channel_status(channel, timezone.now(), getattr(channel, "held", None)).message
