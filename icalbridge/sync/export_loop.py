"""Record the facts of the export loop and read them back for ``core.deliveries``.

Three facts, each written where it happens: a version served (when an export feed's
bytes change, ``sync.exporter``), a fetch of it (``feeds.fetch_records``, written in
batches about a second after the request), and the platform's own feed as an import read
it (``sync.importer``, after the import). Everything else is derived when read. Each new
fact makes its channel's export side due for the worker's next look
(``alerts.export_causes``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction

from icalbridge import clock
from icalbridge.core.deliveries import Fetch, LoopFacts, PlatformView, ServedVersion
from icalbridge.core.feed import FeedEvent
from icalbridge.core.platforms import platform_by_id
from icalbridge.core.spans import Nights, StayTimes, nights_of
from icalbridge.hub import models
from icalbridge.hub.models import Channel, ExportFetch, ExportVersion, PublishedFeed

MEASURED_PERIOD = timedelta(days=30)


def not_applied_grace() -> timedelta:
    """Return how long a platform has, after fetching nights, to show them blocked."""
    return timedelta(seconds=settings.ICALBRIDGE_NOT_APPLIED_GRACE_S)


def record_fetches(fetches: Iterable[tuple[int, str, datetime, str]]) -> None:
    """Record fetches of channels' exports by their platforms: (channel id, etag, at, by).

    The caller has made each channel's export side due, in the update that records the
    fetch on the channel (``feeds.fetch_records``): one statement less per fetch.
    """
    ExportFetch.objects.bulk_create(
        ExportFetch(channel_id=channel_id, etag=etag, at=at, by=by[:200])
        for channel_id, etag, at, by in fetches
    )


def record_served_versions(served: Sequence[tuple[Channel, PublishedFeed]]) -> None:
    """Record that new versions of channels' exports became current, in one statement."""
    # The hub's clock to the microsecond: ``rendered_at`` is cut to whole seconds for
    # Last-Modified, and two versions made in one second must keep their order.
    entered_at = clock.now()
    ExportVersion.objects.bulk_create(
        ExportVersion(channel=channel, etag=feed.etag, nights=feed.nights, entered_at=entered_at)
        for channel, feed in served
    )
    # After the commit, one row at a time: the exporter's transaction already holds the
    # unit's feed rows, and would otherwise also wait, holding them, for channel rows that
    # an import or the fetch writer holds.
    for channel, _feed in served:
        transaction.on_commit(partial(_make_export_side_due, channel.pk, entered_at))


def record_platform_view(
    channel: Channel, events: Iterable[FeedEvent], stay: StayTimes, at: datetime
) -> None:
    """Record the nights the platform's feed shows taken (blocked or booked), when they changed.

    A stay the platform sold on nights we also sent it closes them as surely as a block:
    counted as blocks only, a double booking would also read as "not applied".
    """
    runs = sorted({n for e in events if (n := nights_of(e.span, stay)) is not None})
    blocked = [[n.start.isoformat(), n.end.isoformat()] for n in runs]
    latest = (
        models.PlatformView.objects.filter(channel=channel)
        .order_by("-seen_at", "-id")
        .values_list("blocked", flat=True)
        .first()
    )
    if latest != blocked:
        models.PlatformView.objects.create(channel=channel, seen_at=at, blocked=blocked)
        _make_export_side_due(channel.pk, at)


def _make_export_side_due(channel_id: int, at: datetime) -> None:
    """Have the worker derive the channel's export side again: a new fact came at ``at``."""
    Channel.objects.filter(pk=channel_id).update(export_check_due_at=at)


def forget_old_facts(channel_id: int, now: datetime) -> None:
    """Delete facts older than the measured period, keeping what was current then."""
    since = now - MEASURED_PERIOD
    ExportFetch.objects.filter(channel_id=channel_id, at__lt=since).delete()
    for model, field in ((ExportVersion, "entered_at"), (models.PlatformView, "seen_at")):
        rows = model.objects.filter(channel_id=channel_id)  # type: ignore[attr-defined]
        kept = rows.filter(**{f"{field}__lt": since}).order_by(f"-{field}", "-id").first()
        if kept is not None:
            rows.filter(**{f"{field}__lt": since}).exclude(pk=kept.pk).delete()


def loop_facts(channel: Channel, now: datetime) -> LoopFacts:
    """Read the channel's export loop over the measured period, and what was current before it."""
    since = now - MEASURED_PERIOD
    versions = _with_one_before(
        ExportVersion.objects.filter(channel=channel), "entered_at", since, now
    )
    views = _with_one_before(
        models.PlatformView.objects.filter(channel=channel), "seen_at", since, now
    )
    fetches = ExportFetch.objects.filter(channel=channel, at__gte=since, at__lte=now).order_by(
        "at", "id"
    )
    return LoopFacts(
        versions=[ServedVersion(v.etag, v.entered_at, runs_of(v.nights)) for v in versions],
        fetches=[Fetch(at, etag) for at, etag in fetches.values_list("at", "etag")],
        views=[PlatformView(v.seen_at, runs_of(v.blocked)) for v in views],
        shows_imports_as_blocks=channel.imports and shows_imports_as_blocks(channel.platform),
        observed_until=channel.last_success_at if channel.imports else None,
    )


def shows_imports_as_blocks(platform_id: str) -> bool:
    """Tell whether a platform's own feed shows the dates it imported from us as blocks."""
    try:
        return platform_by_id(platform_id).shows_imports_as_blocks
    except KeyError:
        return False


def _with_one_before(rows, field: str, since: datetime, now: datetime) -> list:  # type: ignore[no-untyped-def]
    before = rows.filter(**{f"{field}__lt": since}).order_by(f"-{field}", "-id").first()
    within = list(
        rows.filter(**{f"{field}__gte": since, f"{field}__lte": now}).order_by(field, "id")
    )
    return ([before] if before is not None else []) + within


def runs_of(stored: Sequence[Sequence[str]]) -> tuple[Nights, ...]:
    """Return runs of nights stored as ``[[start, end], ...]`` ISO dates."""
    return tuple(Nights(date.fromisoformat(s), date.fromisoformat(e)) for s, e in stored)
