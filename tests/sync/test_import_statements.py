"""What an unchanged import costs the database, and the statements built once that it runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from icalbridge.hub.models import Channel, HeldChange, ImportRun
from icalbridge.hub.statements import RowById, insert_row, save_fields
from icalbridge.sync.claims import claim_channel
from icalbridge.sync.imports_now import import_claimed, import_now
from tests.support.feed_server import FeedServer
from tests.support.hub import Stay, airbnb_feed, days_from_today, new_channel, new_unit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("allow_local_feeds")]

FEED = airbnb_feed([Stay("stay-1@airbnb.com", days_from_today(5), days_from_today(9))])
WITH_HELD = RowById(lambda pk: Channel.objects.select_related("unit", "held").filter(pk=pk))


def _statements(queries: CaptureQueriesContext) -> list[str]:
    """Return the statements that reach the tables (not BEGIN, COMMIT, savepoints)."""
    verbs = ("SELECT", "INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(verbs)]


@pytest.mark.parametrize("etag", ['"v1"', None], ids=["304", "same-bytes"])
def test_an_unchanged_import_takes_four_statements_and_records_what_it_did(
    feed_server: FeedServer, etag: str | None
) -> None:
    feed_server.serve("/a.ics", FEED, etag=etag)
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/a.ics"))
    first = import_now(channel.pk)
    assert first is not None and first.outcome == "applied"

    assert claim_channel(channel.pk, timezone.now(), "worker-1")  # as the scheduler does
    with CaptureQueriesContext(connection) as queries:
        run = import_claimed(channel.pk, "worker-1")

    # Read the channel (and the claim, fresh: no renewal), lock it (with its echoes), record
    # the run, save its facts and give the claim back in one UPDATE: more shows here.
    statements = _statements(queries)
    assert [s.split()[0] for s in statements] == ["SELECT", "SELECT", "INSERT", "UPDATE"]
    assert run is not None and run.outcome == "unchanged"
    assert run.http_status == (304 if etag else 200)
    stored = ImportRun.objects.get(pk=run.pk)
    assert (stored.outcome, stored.channel_id, stored.events_read) == ("unchanged", channel.pk, 1)
    channel.refresh_from_db()
    assert channel.claimed_by == "" and channel.claimed_until is None
    assert channel.last_success_at == run.started_at and channel.consecutive_failures == 0
    assert channel.next_poll_at is not None and channel.next_poll_at > timezone.now()
    assert channel.state == "ok" and channel.events_read == 1


def test_an_import_whose_claim_ran_low_while_queued_renews_it_first(
    feed_server: FeedServer,
) -> None:
    feed_server.serve("/a.ics", FEED, etag='"v1"')
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/a.ics"))
    assert import_now(channel.pk) is not None
    assert claim_channel(channel.pk, timezone.now(), "worker-1")
    # Most of the lease went by in the queue: the import must not outlive what is left.
    Channel.objects.filter(pk=channel.pk).update(
        claimed_until=timezone.now() + timedelta(seconds=5)
    )
    with CaptureQueriesContext(connection) as queries:
        run = import_claimed(channel.pk, "worker-1")
    statements = _statements(queries)
    assert [s.split()[0] for s in statements[:2]] == ["SELECT", "UPDATE"]
    assert "claimed_until" in statements[1]
    assert run is not None and run.outcome == "unchanged"


@pytest.mark.parametrize(
    ("holder", "left"),
    [("worker-2", timedelta(minutes=1)), ("worker-1", -timedelta(seconds=1))],
    ids=["passed-to-another-worker", "expired-in-the-queue"],
)
def test_an_import_whose_claim_is_no_longer_its_own_does_nothing(
    feed_server: FeedServer, holder: str, left: timedelta
) -> None:
    feed_server.serve("/a.ics", FEED, etag='"v1"')
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/a.ics"))
    assert import_now(channel.pk) is not None
    fetched = len(feed_server.requests("/a.ics"))
    until = timezone.now() + left
    Channel.objects.filter(pk=channel.pk).update(claimed_by=holder, claimed_until=until)

    assert import_claimed(channel.pk, "worker-1") is None

    assert len(feed_server.requests("/a.ics")) == fetched  # not even fetched
    assert ImportRun.objects.filter(channel=channel).count() == 1
    channel.refresh_from_db()
    assert (channel.claimed_by, channel.claimed_until) == (holder, until)


def test_a_row_read_by_a_statement_built_once_is_the_row_the_orm_reads(
    feed_server: FeedServer,
) -> None:
    unit = new_unit()
    plain = new_channel(unit, "Airbnb", "airbnb", url=feed_server.url("/a.ics"))
    holding = new_channel(unit, "Vrbo", "vrbo", url=feed_server.url("/b.ics"))
    held = HeldChange.objects.create(
        channel=holding,
        reason="mass_cancel",
        params={"count": "3"},
        fingerprint="f",
        body=b"\x00ab",
    )

    for channel in (plain, holding, plain):  # the second read of a kind reuses the statement
        ours = WITH_HELD.get(channel.pk)
        orm = Channel.objects.select_related("unit", "held").get(pk=channel.pk)
        assert _fields(ours) == _fields(orm)
        assert _fields(ours.unit) == _fields(orm.unit)
    assert bytes(WITH_HELD.get(holding.pk).held.body) == b"\x00ab"
    assert WITH_HELD.get(holding.pk).held.pk == held.pk
    with pytest.raises(HeldChange.DoesNotExist):
        WITH_HELD.get(plain.pk).held  # noqa: B018
    with pytest.raises(Channel.DoesNotExist):
        WITH_HELD.get(holding.pk + 1000)


def test_rows_written_by_statements_built_once_read_back_as_written(
    feed_server: FeedServer,
) -> None:
    channel = new_channel(new_unit(), "Airbnb", "airbnb", url=feed_server.url("/a.ics"))
    run = ImportRun(
        channel=channel, started_at=timezone.now(), outcome="unchanged", problems=[{"code": "x"}]
    )
    insert_row(run)
    assert run.pk is not None and _fields(ImportRun.objects.get(pk=run.pk)) == _fields(run)

    channel.last_error_params = None
    channel.etag = '"v2"'
    channel.consecutive_failures = 3
    save_fields(channel, ["last_error_params", "etag", "consecutive_failures"])
    stored = Channel.objects.get(pk=channel.pk)
    assert (stored.last_error_params, stored.etag, stored.consecutive_failures) == (None, '"v2"', 3)

    Channel.objects.filter(pk=channel.pk).delete()
    with pytest.raises(DatabaseError):
        save_fields(channel, ["etag"])


def _fields(obj: object) -> dict[str, object]:
    values = {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    return {k: bytes(v) if isinstance(v, memoryview) else v for k, v in values.items()}
