"""Agenda feeds written into a real CalDAV server (Radicale on loopback) as bookings change."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from icalbridge import clock
from icalbridge.bookings.local_bookings import (
    cancel_booking,
    create_local_booking,
    update_local_booking,
)
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Timed
from icalbridge.hub.models import AgendaFeed, Booking, CaldavEvent, CaldavPush, Membership, Role
from icalbridge.organizations.memberships import remove_member
from icalbridge.sync.caldav_push import configure_push, enqueue_due_pushes
from icalbridge.sync.caldav_secrets import Credentials
from icalbridge.sync.caldav_status import push_status
from icalbridge.sync.exporter import refresh_agenda_feed
from tests.support.hub import new_unit
from tests.support.radicale import PASSWORD, USER, Radicale
from tests.support.workers import start_worker, stop_worker, wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("allow_local_feeds"),
]


def lesson(unit: Any, day: int, hour: int, category: str = "piano") -> Booking:
    start = datetime(2027, 1, day, hour, tzinfo=UTC)
    return create_local_booking(
        unit,
        span=Timed(start, start + timedelta(hours=1)),
        kind=Kind.RESERVED,
        summary="Élève",
        category=category,
    )


def teachers_agenda() -> tuple[Any, AgendaFeed, Membership]:
    unit = new_unit()
    teacher = get_user_model().objects.create_user("teacher@example.test", "teacher@example.test")
    membership = Membership.objects.create(
        user=teacher, organization=unit.organization, role=Role.VIEWER
    )
    agenda = AgendaFeed.objects.create(user=teacher, organization=unit.organization, name="Cours")
    refresh_agenda_feed(agenda)
    return unit, agenda, membership


def starts(radicale: Radicale, calendar: str) -> dict[str, datetime]:
    return {uid: e.decoded("DTSTART") for uid, e in radicale.events(calendar).items()}


def uid_of(booking: Booking) -> str:
    return f"{booking.public_id}@icalbridge"


@pytest.mark.usefixtures("immediate_queue")
def test_lessons_added_moved_and_cancelled_reach_the_calendar_under_the_feeds_uids(
    radicale: Radicale,
) -> None:
    unit, agenda, _ = teachers_agenda()
    first, second = lesson(unit, 4, 9), lesson(unit, 5, 14)
    calendar = radicale.new_calendar()
    push = configure_push(agenda, calendar, Credentials(USER, PASSWORD))

    assert set(starts(radicale, calendar)) == {uid_of(first), uid_of(second)}
    assert push_status(CaldavPush.objects.get(pk=push.pk)).state == "ok"

    third = lesson(unit, 6, 10, "violon")
    moved_to = datetime(2027, 1, 7, 16, tzinfo=UTC)
    update_local_booking(first, span=Timed(moved_to, moved_to + timedelta(hours=1)))
    cancel_booking(second)

    held = radicale.events(calendar)
    assert set(held) == {uid_of(first), uid_of(third)}
    assert held[uid_of(first)].decoded("DTSTART") == moved_to
    assert b"CATEGORIES:violon" in held[uid_of(third)].to_ical()
    assert len(radicale.hrefs(calendar)) == 2


@pytest.mark.usefixtures("immediate_queue")
def test_an_event_the_hub_did_not_write_is_never_touched(radicale: Radicale) -> None:
    unit, agenda, _ = teachers_agenda()
    booking = lesson(unit, 4, 9)
    calendar = radicale.new_calendar()
    radicale.add_own_event(calendar, "dentist@phone", "Dentiste")
    configure_push(agenda, calendar, Credentials(USER, PASSWORD))
    cancel_booking(booking)
    enqueue_due_pushes(clock.now() + timedelta(days=1))  # a full reconciliation

    assert set(radicale.events(calendar)) == {"dentist@phone"}
    assert str(radicale.events(calendar)["dentist@phone"]["SUMMARY"]) == "Dentiste"


@pytest.mark.usefixtures("immediate_queue")
def test_a_server_down_then_back_is_reconciled_with_nothing_lost_or_doubled(
    radicale: Radicale,
) -> None:
    unit, agenda, _ = teachers_agenda()
    kept, gone = lesson(unit, 4, 9), lesson(unit, 5, 9)
    calendar = radicale.new_calendar()
    push = configure_push(agenda, calendar, Credentials(USER, PASSWORD))
    radicale.stop()
    try:
        added = lesson(unit, 6, 9)
        cancel_booking(gone)
        moved_to = datetime(2027, 1, 8, 11, tzinfo=UTC)
        update_local_booking(kept, span=Timed(moved_to, moved_to + timedelta(hours=1)))
        with translation.override("en"):
            down = push_status(CaldavPush.objects.get(pk=push.pk))
        assert down.state == "warning"
        assert "cannot be reached" in down.message
    finally:
        radicale.start()
    # A worker stopped between a write and its record: the next pass must not double it.
    CaldavEvent.objects.filter(push=push, uid=uid_of(kept)).delete()

    enqueue_due_pushes(clock.now() + timedelta(minutes=5))

    assert starts(radicale, calendar) == {uid_of(kept): moved_to, uid_of(added): added.start_at}
    assert len(radicale.hrefs(calendar)) == 2
    assert push_status(CaldavPush.objects.get(pk=push.pk)).state == "ok"


@pytest.mark.usefixtures("immediate_queue")
def test_a_wrong_password_is_told_in_plain_words(radicale: Radicale) -> None:
    _, agenda, _ = teachers_agenda()
    push = configure_push(agenda, radicale.new_calendar(), Credentials(USER, "not-it"))
    with translation.override("en"):
        status = push_status(push)
    with translation.override("fr"):
        french = push_status(push).message
    assert status.state == "error"
    assert "refused the user name or password" in status.message
    assert "app password" in status.message
    assert "a refusé le nom d'utilisateur ou le mot de passe" in french


@pytest.mark.usefixtures("immediate_queue")
def test_a_removed_member_s_push_stops_at_once_and_leaves_their_calendar(
    radicale: Radicale,
) -> None:
    unit, agenda, membership = teachers_agenda()
    lesson(unit, 4, 9)
    calendar = radicale.new_calendar()
    radicale.add_own_event(calendar, "dentist@phone", "Dentiste")
    configure_push(agenda, calendar, Credentials(USER, PASSWORD))
    assert len(radicale.events(calendar)) == 2

    remove_member(membership)
    lesson(unit, 5, 9)

    assert set(radicale.events(calendar)) == {"dentist@phone"}
    assert not CaldavPush.objects.exists(), "the former member's credentials are forgotten"


def test_a_change_reaches_the_calendar_through_the_worker_within_seconds(
    radicale: Radicale,
) -> None:
    unit, agenda, _ = teachers_agenda()
    calendar = radicale.new_calendar()
    worker = start_worker(settings.DATA_DIR)
    try:
        configure_push(agenda, calendar, Credentials(USER, PASSWORD))
        booking = lesson(unit, 4, 9)
        assert wait_until(lambda: uid_of(booking) in radicale.events(calendar), 20)
        cancel_booking(booking)
        assert wait_until(lambda: not radicale.events(calendar), 20)
    finally:
        output = stop_worker(worker)
    assert "Traceback" not in output, output


@pytest.mark.usefixtures("immediate_queue")
def test_each_uid_is_written_once_whatever_the_passes(radicale: Radicale) -> None:
    """Passes asked for together (two changes, two workers' threads) never double an event."""
    from icalbridge.sync.caldav_pass import run_push

    unit, agenda, _ = teachers_agenda()
    for day in range(4, 9):
        lesson(unit, day, 9)
    calendar = radicale.new_calendar()
    push = configure_push(agenda, calendar, Credentials(USER, PASSWORD))
    run_push(push.pk, True, "one")
    CaldavEvent.objects.filter(push=push).delete()  # as if every record were lost
    run_push(push.pk, True, "two")
    names = radicale.hrefs(calendar)
    assert len(names) == 5 and not [n for n, c in Counter(names).items() if c > 1]
    assert CaldavEvent.objects.filter(push=push).count() == 5
