from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from icalbridge.core.bookings import Booking, Kind
from icalbridge.core.exports import (
    ExportFilter,
    ExportWording,
    bookings_for_channel,
    export_events_for_channel,
    rental_export_since,
    served_nights,
)
from icalbridge.core.ics_write import ExportEvent, render_feed
from icalbridge.core.spans import Nights, StayTimes, Timed

PARIS = ZoneInfo("Europe/Paris")
STAY = StayTimes(PARIS, check_in=time(16), check_out=time(10))
EVERYTHING = ExportFilter()
AIRBNB, BOOKING, ABRITEL = "ch-airbnb", "ch-booking", "ch-abritel"


def stay(day: int, nights: int = 3) -> Nights:
    return Nights(date(2026, 7, day), date(2026, 7, day + nights))


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 7, day, hour, minute, tzinfo=PARIS)


def ids(bookings: list[Booking]) -> list[str]:
    return [b.id for b in bookings]


def test_a_booking_imported_from_one_platform_goes_to_the_others_but_never_back():
    from_airbnb = Booking("b1", stay(1), Kind.RESERVED, origin=AIRBNB, remote_uid="x@airbnb.com")

    assert ids(bookings_for_channel([from_airbnb], BOOKING, EVERYTHING)) == ["b1"]
    assert ids(bookings_for_channel([from_airbnb], ABRITEL, EVERYTHING)) == ["b1"]
    assert bookings_for_channel([from_airbnb], AIRBNB, EVERYTHING) == []


def test_a_local_booking_goes_everywhere_unless_its_scope_says_otherwise():
    everywhere = Booking("all", stay(1), Kind.RESERVED)
    booking_only = Booking("one", stay(10), Kind.UNAVAILABLE, scope=frozenset({BOOKING}))
    bookings = [everywhere, booking_only]

    assert ids(bookings_for_channel(bookings, BOOKING, EVERYTHING)) == ["all", "one"]
    assert ids(bookings_for_channel(bookings, AIRBNB, EVERYTHING)) == ["all"]
    assert ids(bookings_for_channel(bookings, ABRITEL, EVERYTHING)) == ["all"]


def test_echoes_and_horizon_blocks_are_never_exported():
    echo = Booking("echo", stay(1), Kind.UNAVAILABLE, origin=BOOKING, is_echo=True)
    horizon = Booking(
        "far",
        Nights(date(2027, 7, 1), date(2028, 1, 1)),
        Kind.UNAVAILABLE,
        origin=AIRBNB,
        is_horizon=True,
    )
    real = Booking("real", stay(20), Kind.UNAVAILABLE, origin=BOOKING)

    for channel in (AIRBNB, ABRITEL):
        assert ids(bookings_for_channel([echo, horizon, real], channel, EVERYTHING)) == ["real"]


def test_a_channel_filter_keeps_only_its_kinds_and_categories():
    lesson = Booking("lesson", stay(1), Kind.RESERVED, category="cours")
    rehearsal = Booking("rehearsal", stay(2), Kind.TENTATIVE, category="répétition")
    plain = Booking("plain", stay(3), Kind.UNAVAILABLE)
    bookings = [lesson, rehearsal, plain]

    reservations = ExportFilter(kinds=frozenset({Kind.RESERVED, Kind.TENTATIVE}))
    lessons = ExportFilter(categories=frozenset({"cours"}))
    uncategorised = ExportFilter(categories=frozenset({""}))
    nothing_matches = ExportFilter(
        kinds=frozenset({Kind.UNAVAILABLE}), categories=frozenset({"cours"})
    )

    assert ids(bookings_for_channel(bookings, "agenda", reservations)) == ["lesson", "rehearsal"]
    assert ids(bookings_for_channel(bookings, "agenda", lessons)) == ["lesson"]
    assert ids(bookings_for_channel(bookings, "agenda", uncategorised)) == ["plain"]
    assert bookings_for_channel(bookings, "agenda", nothing_matches) == []


def test_exports_carry_no_guest_data_whatever_the_booking_holds():
    guest = Booking(
        "b1",
        stay(1),
        Kind.RESERVED,
        origin=AIRBNB,
        summary="Jean Dupont +33 6 12 34 56 78 jean@example.org",
        category="vip",
        extra={"description": "Reservation URL: https://www.airbnb.com/hosting/reservations/HM1"},
    )

    events = export_events_for_channel(
        [guest], BOOKING, EVERYTHING, ExportWording(), rental=True, stay=STAY
    )
    data = render_feed(events, "Gîte", stamp=datetime(2026, 6, 1, tzinfo=UTC))

    assert [(e.summary, e.description, e.categories) for e in events] == [("Reserved", "", ())]
    for private in (b"Dupont", b"+33", b"example.org", b"HM1", b"DESCRIPTION", b"vip"):
        assert private not in data


def test_each_kind_gets_its_neutral_word_or_the_hosts_own():
    bookings = [
        Booking("r", stay(1), Kind.RESERVED, summary="Mme Martin"),
        Booking("t", stay(5), Kind.TENTATIVE, summary="option M. Durand"),
        Booking("u", stay(9), Kind.UNAVAILABLE, summary="travaux"),
    ]
    french = ExportWording(reserved="Réservé", tentative="Pré-réservé", unavailable="Indisponible")

    neutral = export_events_for_channel(
        bookings, AIRBNB, EVERYTHING, ExportWording(), rental=True, stay=STAY
    )
    own = export_events_for_channel(bookings, AIRBNB, EVERYTHING, french, rental=True, stay=STAY)

    assert [e.summary for e in neutral] == ["Reserved", "Tentative", "Not available"]
    assert [e.summary for e in own] == ["Réservé", "Pré-réservé", "Indisponible"]


def test_tentative_is_marked_for_calendar_apps_but_rental_platforms_see_only_the_word():
    option = Booking("t", stay(5), Kind.TENTATIVE, category="cours")

    rental = export_events_for_channel(
        [option], AIRBNB, EVERYTHING, ExportWording(), rental=True, stay=STAY
    )
    agenda = export_events_for_channel(
        [option], "agenda", EVERYTHING, ExportWording(), rental=False, stay=STAY
    )

    assert (rental[0].status, rental[0].categories) == (None, ())
    assert (agenda[0].status, agenda[0].categories) == ("TENTATIVE", ("cours",))


def test_events_keep_the_bookings_identity_sequence_and_last_change():
    changed = datetime(2026, 5, 2, 9, 15, tzinfo=UTC)
    booking = Booking("8f14e45f", stay(1), Kind.RESERVED, sequence=4, updated_at=changed)

    [event] = export_events_for_channel(
        [booking], AIRBNB, EVERYTHING, ExportWording(), rental=True, stay=STAY
    )

    assert (event.uid, event.sequence, event.last_modified) == ("8f14e45f@icalbridge", 4, changed)


def test_rental_platforms_get_timed_bookings_as_the_nights_they_occupy():
    # Arriving at 9:00 on the 3rd, before the night of the 2nd has checked out, occupies that
    # night too; leaving at 11:00 on the 5th, before check-in, takes no night of the 5th.
    long_stay = Booking("long", Timed(paris(3, 9), paris(5, 11)), Kind.RESERVED)
    # Within a day, between check-out and check-in: no night is taken.
    day_use = Booking("day", Timed(paris(8, 10), paris(8, 16)), Kind.RESERVED)
    # Evening to morning: exactly the night of the 10th.
    one_night = Booking("night", Timed(paris(10, 16), paris(11, 10)), Kind.RESERVED)

    events = export_events_for_channel(
        [long_stay, day_use, one_night],
        AIRBNB,
        EVERYTHING,
        ExportWording(),
        rental=True,
        stay=STAY,
    )

    assert {e.uid: e.span for e in events} == {
        "long@icalbridge": Nights(date(2026, 7, 2), date(2026, 7, 5)),
        "night@icalbridge": Nights(date(2026, 7, 10), date(2026, 7, 11)),
    }


def test_agenda_feeds_keep_timed_bookings_timed():
    lesson = Timed(paris(8, 10), paris(8, 11, 30))
    booking = Booking("lesson", lesson, Kind.RESERVED, category="cours")

    [event] = export_events_for_channel(
        [booking], "agenda", EVERYTHING, ExportWording(), rental=False, stay=STAY
    )

    assert event.span == lesson


def test_overlapping_and_back_to_back_bookings_keep_their_own_events():
    bookings = [
        Booking("a", stay(1, 3), Kind.RESERVED),
        Booking("b", stay(4, 2), Kind.RESERVED),
        Booking("c", stay(5, 4), Kind.UNAVAILABLE),
    ]

    events = export_events_for_channel(
        bookings, AIRBNB, EVERYTHING, ExportWording(), rental=True, stay=STAY
    )

    assert [(e.uid, e.span) for e in events] == [
        ("a@icalbridge", stay(1, 3)),
        ("b@icalbridge", stay(4, 2)),
        ("c@icalbridge", stay(5, 4)),
    ]


def test_served_nights_merge_overlapping_and_back_to_back_stays_and_skip_timed_events():
    events = [
        ExportEvent("c", stay(20, 2), "R"),
        ExportEvent("a", stay(1, 3), "R"),
        ExportEvent("b", stay(4, 2), "R"),
        ExportEvent("d", stay(2, 1), "R"),
        ExportEvent("t", Timed(paris(12, 9), paris(12, 18)), "R"),
        ExportEvent("e", stay(21, 5), "R"),
    ]

    assert served_nights(events) == (
        Nights(date(2026, 7, 1), date(2026, 7, 6)),
        Nights(date(2026, 7, 20), date(2026, 7, 26)),
    )
    assert served_nights([]) == ()


def test_bookings_over_before_the_cutoff_are_left_out_and_the_rest_kept():
    over = Booking("over", stay(1), Kind.RESERVED)  # checks out on July 4
    checking_out = Booking("out", stay(2), Kind.RESERVED)  # checks out on July 5
    lesson = Booking("lesson", Timed(paris(4, 18), paris(4, 19)), Kind.RESERVED)
    events = export_events_for_channel(
        [over, checking_out, lesson],
        BOOKING,
        EVERYTHING,
        ExportWording(),
        rental=False,
        stay=STAY,
        since=date(2026, 7, 5),
    )

    assert [e.uid.split("@")[0] for e in events] == ["out"]


def test_a_rental_export_starts_on_the_first_of_last_month():
    assert rental_export_since(date(2027, 1, 15)) == date(2026, 12, 1)
    assert rental_export_since(date(2027, 3, 1)) == date(2027, 2, 1)
    assert rental_export_since(date(2027, 3, 31)) == date(2027, 2, 1)
