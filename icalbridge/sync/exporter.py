"""Re-render the feeds a change touches and store their bytes and ETag (render on change)."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext

from icalbridge import clock
from icalbridge.core import bookings as core
from icalbridge.core.exports import (
    AGENDA_REFRESH,
    ExportFilter,
    ExportWording,
    export_events_for_channel,
    rental_export_since,
    served_nights,
)
from icalbridge.core.ics_write import (
    ExportEvent,
    RenderedEvents,
    RevisedFeed,
    Revision,
    render_revised_feed,
    revisions_in,
)
from icalbridge.core.spans import Nights
from icalbridge.hub.active_bookings import active_core_bookings
from icalbridge.hub.models import AgendaFeed, Channel, PublishedFeed, Unit
from icalbridge.hub.statements import save_fields
from icalbridge.sync.caldav_push import request_push
from icalbridge.sync.export_loop import record_served_versions
from icalbridge.wording.languages import user_language

# A fixed stamp keeps the bytes identical for identical bookings (docs/domain.md rule 4);
# every event carries its own LAST-MODIFIED, which is what clients read, and keeps it (with
# its SEQUENCE) while what the feed shows of it does not change (render_revised_feed).
_STAMP = datetime(2000, 1, 1, tzinfo=UTC)
_AGENDA_PLATFORMS = frozenset({"google", "outlook", "apple"})


_RENDERED_FROM = (
    "unit_id",
    "name",
    "platform",
    "direction",
    "is_active",
    "export_kinds",
    "export_categories",
)


def is_rental_platform(platform_id: str) -> bool:
    """Tell whether a platform wants all-day nights (rentals) rather than timed events."""
    return platform_id not in _AGENDA_PLATFORMS


def refresh_unit_feeds(unit: Unit, *, touched: Sequence[core.Booking] | None = None) -> list[int]:
    """Re-render the export feeds of a unit; return the ids of the channels whose bytes changed.

    Given the bookings a change ``touched`` (as they were and as they are now), a feed that
    shows none of them is left as it is: the rest of its bookings did not change, so its
    bytes cannot, unless the rental window moved since it was rendered. An import changes
    its own channel's bookings, which its channel's feed never shows.
    """
    # What a feed is rendered from, not the channel's whole row (its served history alone
    # is kilobytes of JSON).
    active = unit.channels.filter(is_active=True).only(*_RENDERED_FROM).order_by("id")
    exporting = [c for c in active if c.exports]
    rental_since = rental_export_since(clock.now().astimezone(unit.zone).date())
    # Agenda feeds keep the whole past; rental feeds need only the last weeks of it.
    keeps_all = any(not is_rental_platform(c.platform) for c in exporting)
    bookings = active_core_bookings(unit, ending_from=None if keeps_all else rental_since)
    # One read for all the unit's feeds rather than a get_or_create per channel.
    # Without their bytes: each keeps its revisions beside them (see ``revisions_of``).
    stored = PublishedFeed.objects.filter(channel__in=exporting).defer("body", "body_gzip")
    feeds = {f.channel_id: f for f in stored}
    served: list[tuple[Channel, PublishedFeed]] = []
    shared: RenderedEvents = {}  # the feeds show mostly the same bookings: each rendered once
    # One commit for the unit's feeds rather than two or three per feed.
    with transaction.atomic():
        for channel in exporting:
            rental = is_rental_platform(channel.platform)
            since = rental_since if rental else None
            render = partial(
                export_events_for_channel,
                channel_id=channel.key,
                flt=channel.export_filter,
                wording=ExportWording(),
                rental=rental,
                stay=unit.stay_times,
                since=since,
            )
            feed = feeds.get(channel.pk)
            if not _may_show_a_change(feed, touched, render, unit, since):
                continue
            feed = _rendered_channel_feed(unit, channel, feed, render(bookings), shared)
            if feed is not None:
                served.append((channel, feed))
        if served:
            record_served_versions(served)
    return [channel.pk for channel, _feed in served]


def _may_show_a_change(
    feed: PublishedFeed | None,
    touched: Sequence[core.Booking] | None,
    render: Callable[[Sequence[core.Booking]], list[ExportEvent]],
    unit: Unit,
    since: date | None,
) -> bool:
    """Tell whether a feed may change after a change that ``touched`` these bookings.

    One that shows none of them changes only if it is a rental feed whose window (``since``)
    moved since it was rendered. Unknown bookings or a feed never rendered: it may.
    """
    if touched is None or feed is None or feed.rendered_at is None or render(touched):
        return True
    return since is not None and since != rental_export_since(
        feed.rendered_at.astimezone(unit.zone).date()
    )


def _rendered_channel_feed(
    unit: Unit,
    channel: Channel,
    feed: PublishedFeed | None,
    events: list[ExportEvent],
    shared: RenderedEvents,
) -> PublishedFeed | None:
    """Render one channel's feed and store it; return it if its bytes changed."""
    feed = feed or PublishedFeed.objects.get_or_create(channel=channel)[0]
    refresh = None if is_rental_platform(channel.platform) else AGENDA_REFRESH
    rendered = render_revised_feed(
        events,
        f"{unit.name} · {channel.name}",
        revisions_of(feed),
        stamp=_STAMP,
        refresh=refresh,
        shared=shared,
    )
    return feed if _store(feed, rendered, served_nights(events), len(events)) else None


def refresh_unit_feeds_on_commit(
    unit: Unit, *, touched: Sequence[core.Booking] | None = None
) -> None:
    """Re-render the unit's feeds once the current transaction has committed.

    ``touched``: the bookings the transaction changed, if known (see ``refresh_unit_feeds``).
    """
    unit_id = unit.pk

    def refresh() -> None:
        fresh = Unit.objects.get(pk=unit_id)
        refresh_unit_feeds(fresh, touched=touched)
        for agenda in agendas_covering(fresh):
            refresh_agenda_feed(agenda)

    transaction.on_commit(refresh)


def agendas_covering(unit: Unit) -> QuerySet[AgendaFeed]:
    """Return the live agenda feeds that show a unit: those naming it, and those of all units."""
    return (
        AgendaFeed.objects.filter(revoked_at__isnull=True, organization_id=unit.organization_id)
        .filter(Q(units=unit) | Q(units=None))
        .distinct()
    )


def refresh_agenda_feed(agenda: AgendaFeed) -> bool:
    """Re-render a personal agenda feed; return whether its bytes changed."""
    units = list(agenda.units.all()) or list(agenda.organization.units.all())
    stays = {str(u.pk): u for u in units}
    flt = ExportFilter(
        kinds=frozenset(core.Kind(k) for k in agenda.kinds) if agenda.kinds else None,
        categories=frozenset(agenda.categories) if agenda.categories else None,
    )
    with translation.override(user_language(agenda.user)):
        # The titles are read by one person in their own calendar: their language.
        wording = ExportWording(
            reserved=gettext("Reserved"),
            tentative=gettext("Tentative"),
            unavailable=gettext("Unavailable"),
        )
    events = []
    for unit in stays.values():
        bookings = active_core_bookings(unit)
        for event in export_events_for_channel(
            bookings,
            f"agenda:{agenda.pk}",
            flt,
            wording,
            rental=False,
            stay=unit.stay_times,
        ):
            events.append(_with_unit_name(event, unit.name))
    feed, _ = PublishedFeed.objects.get_or_create(agenda=agenda)
    rendered = render_revised_feed(
        events, agenda.name, revisions_of(feed), stamp=_STAMP, refresh=AGENDA_REFRESH
    )
    changed = _store(feed, rendered, served_nights(events), len(events))
    if changed:
        # A calendar it is pushed into gets the change within seconds, not at its next poll.
        request_push(agenda)
    return changed


def _with_unit_name(event: ExportEvent, unit_name: str) -> ExportEvent:
    return replace(event, summary=f"{event.summary} · {unit_name}")


def revisions_of(feed: PublishedFeed) -> dict[str, Revision]:
    """Return what a stored feed's last rendering said of each of its events."""
    if feed.revisions or not feed.event_count:
        return {uid: Revision(*revision) for uid, revision in feed.revisions.items()}
    # Rendered before each feed kept its revisions beside its bytes.
    return revisions_in(bytes(feed.body))


_RENDERED_FIELDS = (
    "body",
    "body_gzip",
    "etag",
    "rendered_at",
    "nights",
    "event_count",
    "revisions",
)


def _store(
    feed: PublishedFeed, rendered: RevisedFeed, nights: tuple[Nights, ...], count: int
) -> bool:
    body = rendered.body
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag == feed.etag:
        return False
    feed.body = body
    feed.revisions = rendered.revisions
    # mtime=0 keeps the compressed bytes as stable as the plain ones.
    feed.body_gzip = gzip.compress(body, compresslevel=6, mtime=0)
    feed.etag = etag
    feed.rendered_at = clock.now().replace(microsecond=0)
    feed.nights = [[n.start.isoformat(), n.end.isoformat()] for n in nights]
    feed.event_count = count
    save_fields(feed, _RENDERED_FIELDS)
    return True
