"""An event keeps its SEQUENCE and LAST-MODIFIED while what the feed shows of it is unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from icalbridge.core.ics_write import ExportEvent, render_feed, with_revisions_kept
from icalbridge.core.spans import Nights

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


def rendered(*events: ExportEvent) -> bytes:
    return render_feed(events, "Gîte", stamp=STAMP)


def test_an_event_that_shows_the_same_keeps_its_revision_and_the_feed_its_bytes() -> None:
    previous = rendered(FIRST, OTHER)
    edited = replace(FIRST, sequence=4, last_modified=datetime(2027, 4, 2, tzinfo=UTC))

    kept = with_revisions_kept([edited, OTHER], previous)

    assert kept == [FIRST, OTHER]
    assert rendered(*kept) == previous


def test_an_event_that_shows_something_new_gets_a_higher_sequence() -> None:
    previous = rendered(FIRST)
    moved = replace(FIRST, span=Nights(date(2027, 5, 3), date(2027, 5, 6)), sequence=0)

    (kept,) = with_revisions_kept([moved], previous)

    assert kept.sequence == 2 and kept.span == moved.span
    assert kept.last_modified == moved.last_modified


def test_a_new_event_and_a_first_rendering_keep_their_own_revision() -> None:
    assert with_revisions_kept([FIRST], b"") == [FIRST]
    assert with_revisions_kept([OTHER], rendered(FIRST)) == [OTHER]
