"""An event keeps its SEQUENCE and LAST-MODIFIED while what the feed shows of it is unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from icalbridge.core.ics_write import (
    ExportEvent,
    RenderedEvents,
    RevisedFeed,
    Revision,
    render_feed,
    render_revised_feed,
    revisions_in,
)
from icalbridge.core.spans import Nights, Timed

STAMP = datetime(2000, 1, 1, tzinfo=UTC)
FIRST = ExportEvent(
    uid="b-1@icalbridge",
    span=Nights(date(2027, 5, 2), date(2027, 5, 5)),
    summary="Reserved, famille; \\ Martin",
    sequence=1,
    last_modified=datetime(2027, 3, 30, 12, 0, 5, tzinfo=UTC),
)
OTHER = ExportEvent(
    uid="b-2@icalbridge", span=Nights(date(2027, 6, 1), date(2027, 6, 3)), summary="x"
)


def rendered(*events: ExportEvent, previous: dict[str, Revision] | None = None) -> RevisedFeed:
    return render_revised_feed(events, "Gîte", previous or {}, stamp=STAMP)


def test_an_event_that_shows_the_same_keeps_its_revision_and_the_feed_its_bytes() -> None:
    previous = rendered(FIRST, OTHER)
    edited = replace(FIRST, sequence=4, last_modified=datetime(2027, 4, 2, tzinfo=UTC))

    again = rendered(edited, OTHER, previous=previous.revisions)

    assert again.body == previous.body == render_feed([FIRST, OTHER], "Gîte", stamp=STAMP)
    assert again.revisions == previous.revisions


def test_an_event_that_shows_something_new_gets_a_higher_sequence() -> None:
    previous = rendered(FIRST)
    moved = replace(FIRST, span=Nights(date(2027, 5, 3), date(2027, 5, 6)), sequence=0)

    again = rendered(moved, previous=previous.revisions)

    assert again.revisions[FIRST.uid].sequence == 2
    assert again.body == render_feed([replace(moved, sequence=2)], "Gîte", stamp=STAMP)
    assert b"LAST-MODIFIED:20270330T120005Z" in again.body


def test_a_new_event_and_a_first_rendering_keep_their_own_revision() -> None:
    assert rendered(FIRST).body == render_feed([FIRST], "Gîte", stamp=STAMP)
    first = rendered(FIRST)
    assert rendered(OTHER, previous=first.revisions).body == render_feed(
        [OTHER], "Gîte", stamp=STAMP
    )
    assert rendered(OTHER, previous=first.revisions).revisions[OTHER.uid].sequence == 0


def test_a_feed_rendered_before_its_revisions_were_stored_reads_back_the_same_ones() -> None:
    long_text = "Séjour de la famille Dupont-Étretat, chambre « Les Tilleuls », 3 nuits; " * 3
    events = [
        FIRST,
        OTHER,
        ExportEvent(
            uid="b-3;x,y@icalbridge",
            span=Timed(datetime(2027, 7, 1, 9, tzinfo=UTC), datetime(2027, 7, 1, 10, tzinfo=UTC)),
            summary=long_text,
            description="ligne 1\nligne 2",
            status="TENTATIVE",
            categories=("Cours", "Salle 1"),
        ),
    ]
    feed = rendered(*events)

    assert revisions_in(feed.body) == feed.revisions
    moved = replace(events[2], span=Timed(events[2].span.start, events[2].span.start))
    assert (
        rendered(events[0], events[1], moved, previous=revisions_in(feed.body)).body
        == rendered(events[0], events[1], moved, previous=feed.revisions).body
    )


def test_feeds_rendered_in_one_pass_are_each_what_it_would_be_alone() -> None:
    # A unit's feeds share their events' renderings; a feed whose last rendering said
    # something else of an event (another revision) must not take the other's.
    moved = replace(FIRST, span=Nights(date(2027, 5, 3), date(2027, 5, 6)))
    behind = rendered(FIRST, OTHER).revisions  # this feed has not shown the move yet
    shown = rendered(moved).revisions[FIRST.uid]
    ahead = {FIRST.uid: shown._replace(sequence=7)}  # this one has, at its own SEQUENCE
    feeds = [
        ("Airbnb", (moved, OTHER), behind),
        ("Vrbo", (moved,), ahead),
        ("Abritel", (OTHER,), {}),
    ]
    shared: RenderedEvents = {}

    together = [
        render_revised_feed(events, name, previous, stamp=STAMP, shared=shared)
        for name, events, previous in feeds
    ]

    alone = [render_revised_feed(e, n, p, stamp=STAMP) for n, e, p in feeds]
    assert together == alone
    assert together[0].revisions[FIRST.uid].sequence == 2
    assert together[1].revisions[FIRST.uid].sequence == 7
