"""Every way a platform's server misbehaves ends with a clear status and no booking lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from icalbridge.hub.models import Channel, ImportRun
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

pytestmark = pytest.mark.django_db(transaction=True)

STAYS = [
    Stay("1418fb94e984-aaaa@airbnb.com", days_from_today(3), days_from_today(7)),
    Stay("1418fb94e984-bbbb@airbnb.com", days_from_today(10), days_from_today(14)),
    Stay(
        "7f662ec65913-cccc@airbnb.com",
        days_from_today(20),
        days_from_today(22),
        "Airbnb (Not available)",
    ),
]


@pytest.fixture(autouse=True)
def _loopback_and_short_timeouts(settings):  # type: ignore[no-untyped-def]
    settings.ICALBRIDGE_ALLOW_PRIVATE_URLS_RAW = "127.0.0.1/32"
    settings.ICALBRIDGE_FETCH_TIMEOUT_S = 2
    settings.ICALBRIDGE_FETCH_MAX_BYTES = 2 * 1024 * 1024


@pytest.fixture
def imported(feed_server: FeedServer) -> Channel:
    """An Airbnb channel whose three future bookings were imported once."""
    feed_server.serve("/airbnb.ics", airbnb_feed(STAYS))
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/airbnb.ics"))
    run = import_now(channel.pk)
    assert run is not None and run.outcome == "applied" and run.added == 3
    return channel


def snapshot(channel: Channel) -> list[tuple[str, str, str]]:
    return [(b.remote_uid, str(b.start), str(b.end)) for b in active_bookings(channel)]


FAULTS = [
    pytest.param("status", {"code": 404}, "http_error", "404", id="404"),
    pytest.param("status", {"code": 403}, "http_error", "403", id="403"),
    pytest.param("status", {"code": 500}, "http_error", "500", id="500"),
    pytest.param("retry_after", {"code": 429, "seconds": 900}, "http_error", "429", id="429"),
    pytest.param("hang", {}, "timeout", "", id="time-out"),
    pytest.param("slow_body", {"interval_s": 0.5}, "timeout", "", id="slow-body"),
    pytest.param("html", {}, "not_calendar", "", id="html-login-page"),
    pytest.param("json", {}, "not_calendar", "", id="json"),
    pytest.param("empty", {}, "not_calendar", "", id="empty-body"),
    pytest.param("truncated", {}, "incomplete", "", id="truncated"),
    pytest.param("truncated", {"honest_length": True}, "truncated", "", id="truncated-honest"),
    pytest.param("huge", {"mb": 50}, "too_large", "", id="50-MB"),
    pytest.param("gzip_bomb", {}, "too_large", "", id="gzip-bomb"),
    pytest.param("redirect_loop", {}, "redirect_loop", "", id="redirect-loop"),
    pytest.param(
        "redirect_to", {"url": "http://10.0.0.1/feed.ics"}, "private_address", "", id="to-private"
    ),
]


@pytest.mark.parametrize(("kind", "options", "code", "words"), FAULTS)
def test_a_misbehaving_server_changes_no_booking_and_says_why(
    imported: Channel, feed_server: FeedServer, kind: str, options: dict, code: str, words: str
) -> None:
    before = snapshot(imported)
    feed_server.fault("/airbnb.ics", kind, **options)
    started = timezone.now()

    run = import_now(imported.pk)

    assert run is not None
    assert run.outcome == "failed"
    assert run.error_code == code
    assert words in run.message and len(run.message) > 20
    assert snapshot(imported) == before
    channel = Channel.objects.get(pk=imported.pk)
    assert channel.consecutive_failures == 1
    assert channel.state == "warning"
    assert channel.last_error_message == run.message
    assert channel.next_poll_at > started


def test_retry_after_is_honoured_for_the_next_poll(
    imported: Channel, feed_server: FeedServer
) -> None:
    feed_server.fault("/airbnb.ics", "retry_after", code=429, seconds=3 * 3600)
    started = timezone.now()
    import_now(imported.pk)
    channel = Channel.objects.get(pk=imported.pk)
    assert channel.next_poll_at >= started + timedelta(hours=3)


def test_three_failures_in_a_row_turn_the_channel_red_and_a_success_turns_it_green(
    imported: Channel, feed_server: FeedServer
) -> None:
    feed_server.fault("/airbnb.ics", "status", code=500)
    for _ in range(3):
        import_now(imported.pk)
    channel = Channel.objects.get(pk=imported.pk)
    assert channel.state == "error"
    assert channel.status_changes.filter(new_state="error").count() == 1

    feed_server.clear_fault("/airbnb.ics")
    feed_server.serve("/airbnb.ics", airbnb_feed(STAYS, stamp="20261122T060000Z"))
    import_now(imported.pk)
    channel.refresh_from_db()
    assert channel.state == "ok"
    assert channel.consecutive_failures == 0
    assert channel.status_changes.filter(old_state="error", new_state="ok").count() == 1


def test_a_calendar_served_with_the_wrong_content_type_is_still_read(
    feed_server: FeedServer,
) -> None:
    feed_server.fault("/f.ics", "wrong_content_type", body=airbnb_feed(STAYS))
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/f.ics"))
    run = import_now(channel.pk)
    assert run is not None and run.outcome == "applied" and run.added == 3


def test_an_unchanged_feed_is_revalidated_with_its_etag_and_costs_no_parse(
    feed_server: FeedServer,
) -> None:
    feed_server.serve("/f.ics", airbnb_feed(STAYS), etag='"v1"')
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/f.ics"))
    assert import_now(channel.pk).outcome == "applied"  # type: ignore[union-attr]

    run = import_now(channel.pk)

    assert run is not None and run.outcome == "unchanged" and run.http_status == 304
    assert feed_server.requests("/f.ics")[-1].header("If-None-Match") == '"v1"'
    assert len(active_bookings(channel)) == 3


def test_a_feed_that_only_changes_its_stamps_is_unchanged(feed_server: FeedServer) -> None:
    feed_server.serve("/f.ics", airbnb_feed(STAYS, stamp="20261121T060000Z"))
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/f.ics"))
    import_now(channel.pk)
    feed_server.serve("/f.ics", airbnb_feed(STAYS, stamp="20261121T090000Z"))

    run = import_now(channel.pk)

    assert run is not None and run.outcome == "unchanged" and run.http_status == 200
    assert ImportRun.objects.filter(channel=channel, outcome="applied").count() == 1


def test_a_user_agent_is_sent_so_airbnb_style_servers_answer(feed_server: FeedServer) -> None:
    feed_server.fault("/f.ics", "require_user_agent")
    feed_server.serve("/f.ics", airbnb_feed(STAYS))
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/f.ics"))
    run = import_now(channel.pk)
    assert run is not None and run.outcome == "applied"
    assert "icalbridge" in (feed_server.requests("/f.ics")[-1].header("User-Agent") or "")
