"""Feeds that reuse a UID or lost an END line, imported through a real feed server."""

from __future__ import annotations

import pytest

from icalbridge.hub.models import Channel
from icalbridge.sync.imports_now import import_now
from tests.support.feed_server import FeedServer
from tests.support.hub import (
    Stay,
    active_bookings,
    airbnb_feed,
    days_from_today,
    new_channel,
    new_unit,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("allow_local_feeds")]

FIRST = Stay("reused@airbnb.com", days_from_today(5), days_from_today(9))
SECOND = Stay("reused@airbnb.com", days_from_today(15), days_from_today(18))
THIRD = Stay("third@airbnb.com", days_from_today(25), days_from_today(27))
FOURTH = Stay("fourth@airbnb.com", days_from_today(30), days_from_today(33))


def nights(channel: Channel) -> list[tuple[str, object, object]]:
    return [
        (b.remote_uid.split("#")[0], b.start_date, b.end_date) for b in active_bookings(channel)
    ]


def test_a_uid_reused_for_two_stays_blocks_both_and_does_not_churn(feed_server: FeedServer) -> None:
    feed_server.serve("/a.ics", airbnb_feed([SECOND, FIRST]))
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/a.ics"))

    first = import_now(channel.pk)
    ids = [b.pk for b in active_bookings(channel)]
    feed_server.serve("/a.ics", airbnb_feed([FIRST, THIRD, SECOND]))
    second = import_now(channel.pk)

    assert first is not None and first.outcome == "applied" and first.added == 2
    assert any(p["code"] == "duplicate_uid_kept" for p in first.problems)
    assert second is not None and second.outcome == "applied"
    assert (second.added, second.moved, second.updated, second.cancelled) == (1, 0, 0, 0)
    assert nights(channel) == [
        ("reused@airbnb.com", FIRST.start, FIRST.end),
        ("reused@airbnb.com", SECOND.start, SECOND.end),
        ("third@airbnb.com", THIRD.start, THIRD.end),
    ]
    assert [b.pk for b in active_bookings(channel)][:2] == ids


def test_a_mistyped_end_line_frees_nothing_but_the_stays_after_it_block_their_nights(
    feed_server: FeedServer,
) -> None:
    feed_server.serve("/a.ics", airbnb_feed([THIRD, FIRST]))
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/a.ics"))
    import_now(channel.pk)
    # FIRST is gone from the new feed, THIRD lost its END line, FOURTH is new.
    damaged = airbnb_feed([THIRD, FOURTH]).replace(b"END:VEVENT", b"END:VTOOD", 1)
    feed_server.serve("/a.ics", damaged)

    run = import_now(channel.pk)

    assert run is not None and run.outcome == "failed" and run.error_code == "truncated"
    assert run.added == 1
    assert "unclosed_component" in {p["code"] for p in run.problems}
    assert nights(channel) == [
        ("reused@airbnb.com", FIRST.start, FIRST.end),
        ("third@airbnb.com", THIRD.start, THIRD.end),
        ("fourth@airbnb.com", FOURTH.start, FOURTH.end),
    ]
