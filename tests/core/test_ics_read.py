from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from icalbridge.core.bookings import ImportMode, ImportOptions, Kind
from icalbridge.core.feed import Feed
from icalbridge.core.ics_read import PROBLEM_CODES, ReadOptions, read_feed
from icalbridge.core.spans import Nights, Timed

TODAY = date(2026, 11, 21)


def calendar(*events: str, header: str = "VERSION:2.0\nPRODID:-//Test//EN\n") -> bytes:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    return f"BEGIN:VCALENDAR\n{header}{body}END:VCALENDAR\n".replace("\n", "\r\n").encode()


def stay(uid: str, start: str, end: str, summary: str = "Reserved", extra: str = "") -> str:
    lines = [f"UID:{uid}", f"DTSTART;VALUE=DATE:{start}", f"DTEND;VALUE=DATE:{end}"]
    lines += [f"SUMMARY:{summary}", extra]
    return "\n".join(line for line in lines if line)


def read(data: bytes, **options: object) -> Feed:
    return read_feed(data, ReadOptions(today=TODAY, **options))


def nights(feed: Feed) -> list[tuple[str, date, date]]:
    return [(e.uid, e.span.start, e.span.end) for e in feed.events]  # type: ignore[misc]


TWO_STAYS = calendar(stay("a@x", "20261201", "20261205"), stay("b@x", "20261210", "20261212"))
EXPECTED = [
    ("a@x", date(2026, 12, 1), date(2026, 12, 5)),
    ("b@x", date(2026, 12, 10), date(2026, 12, 12)),
]


@pytest.mark.parametrize(
    "transform",
    [
        lambda d: d,
        lambda d: d.replace(b"\r\n", b"\n"),
        lambda d: d.replace(b"\r\n", b"\r"),
        lambda d: d.replace(b"\r\n", b"\n", 5),
        lambda d: b"\xef\xbb\xbf" + d,
        lambda d: b"\r\n\r\n" + d.replace(b"END:VEVENT\r\n", b"END:VEVENT\r\n\r\n") + b"\n\n",
        lambda d: d.replace(b"DTSTART", b"dtstart").replace(b"UID", b"uid"),
    ],
    ids=["crlf", "lf", "cr", "mixed", "bom", "blank-lines", "lower-case-names"],
)
def test_line_endings_bom_blank_lines_and_case_do_not_change_the_stays(transform) -> None:
    feed = read(transform(TWO_STAYS))
    assert nights(feed) == EXPECTED
    assert feed.problems == ()


def test_fold_that_splits_a_utf8_character_is_joined_before_decoding() -> None:
    summary = "Réservée - Gîte".encode()
    cut = summary.index("î".encode()) + 1
    folded = b"SUMMARY:" + summary[:cut] + b"\r\n " + summary[cut:]
    data = calendar(stay("a@x", "20261201", "20261205", summary="X")).replace(b"SUMMARY:X", folded)
    feed = read(data)
    assert feed.events[0].summary == "Réservée - Gîte"
    assert "not_utf8" not in feed.problem_codes()


def test_cp1252_bytes_are_read_with_their_accents_and_reported() -> None:
    data = calendar(stay("a@x", "20261201", "20261205", summary="X")).replace(
        b"SUMMARY:X", "SUMMARY:Réservée – été".encode("cp1252")
    )
    feed = read(data)
    assert feed.events[0].summary == "Réservée – été"
    assert "not_utf8" in feed.problem_codes()


def test_git_conflict_markers_and_junk_lines_are_skipped_and_counted() -> None:
    data = b"<<<<<<< HEAD\r\n" + TWO_STAYS.replace(b"END:VEVENT\r\n", b"END:VEVENT\r\nX\r\n", 1)
    data += b">>>>>>> 1234abc\r\n"
    feed = read(data)
    assert nights(feed) == EXPECTED
    (junk,) = [p for p in feed.problems if p.code == "junk_line"]
    assert ("count", "3") in junk.params


def test_several_calendars_in_one_body_are_merged() -> None:
    data = calendar(stay("a@x", "20261201", "20261205")) + calendar(
        stay("b@x", "20261210", "20261212")
    )
    feed = read(data)
    assert nights(feed) == EXPECTED
    assert "multiple_calendars" in feed.problem_codes()


def test_a_bare_vevent_without_vcalendar_is_read() -> None:
    data = b"BEGIN:VEVENT\r\nUID:a@x\r\nDTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261205\r\nEND:VEVENT\r\n"
    feed = read(data)
    assert nights(feed) == EXPECTED[:1]
    assert feed.is_calendar and not feed.is_truncated


@pytest.mark.parametrize(
    "body",
    [b"<!DOCTYPE html><html><body>Error 500</body></html>", b'{"error": "bad token"}', b"hello"],
    ids=["html", "json", "text"],
)
def test_something_that_is_not_a_calendar_says_so(body: bytes) -> None:
    feed = read(body)
    assert not feed.is_calendar
    assert feed.problem_codes() == {"not_calendar"}
    assert not feed.can_be_applied


@pytest.mark.parametrize("body", [b"", b"  \r\n\r\n"])
def test_an_empty_body_is_not_a_calendar(body: bytes) -> None:
    feed = read(body)
    assert not feed.is_calendar
    assert feed.problem_codes() == {"empty_body"}


def test_an_empty_vcalendar_is_a_calendar_with_no_events() -> None:
    feed = read(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    assert feed.is_calendar and feed.events == () and feed.problems == ()


def test_a_calendar_cut_off_keeps_its_complete_events_but_says_truncated() -> None:
    cut = TWO_STAYS[: TWO_STAYS.index(b"DTEND;VALUE=DATE:20261212")]
    feed = read(cut)
    assert feed.is_truncated and not feed.can_be_applied
    assert "truncated" in feed.problem_codes()
    assert nights(feed) == EXPECTED[:1]


def test_a_calendar_without_its_end_line_is_truncated() -> None:
    feed = read(TWO_STAYS.replace(b"END:VCALENDAR\r\n", b""))
    assert feed.is_truncated
    assert nights(feed) == EXPECTED


def test_missing_uid_gets_a_stable_synthetic_one() -> None:
    event = "DTSTART;VALUE=DATE:20261201\nDTEND;VALUE=DATE:20261205\nSUMMARY:Reserved"
    first, again = read(calendar(event)), read(calendar(event))
    assert first.events[0].uid == again.events[0].uid
    assert first.events[0].uid_is_synthetic
    assert "missing_uid" in first.problem_codes()
    other = read(calendar(event.replace("20261205", "20261206")))
    assert other.events[0].uid != first.events[0].uid


def test_repeated_uid_keeps_the_highest_sequence() -> None:
    feed = read(
        calendar(
            stay("a@x", "20261201", "20261205", extra="SEQUENCE:1"),
            stay("a@x", "20261202", "20261206", extra="SEQUENCE:3"),
            stay("a@x", "20261203", "20261207", extra="SEQUENCE:2"),
        )
    )
    assert nights(feed) == [("a@x", date(2026, 12, 2), date(2026, 12, 6))]
    assert "duplicate_uid" in feed.problem_codes()


def test_repeated_uid_without_sequence_keeps_both_stays() -> None:
    feed = read(calendar(stay("a@x", "20261210", "20261212"), stay("a@x", "20261201", "20261205")))
    assert nights(feed) == [
        ("a@x", date(2026, 12, 1), date(2026, 12, 5)),
        ("a@x", date(2026, 12, 10), date(2026, 12, 12)),
    ]
    assert [e.key for e in feed.events] == ["a@x", "a@x#20261210"]
    assert "duplicate_uid_kept" in feed.problem_codes()


def test_repeated_uid_with_the_same_dates_is_one_stay() -> None:
    feed = read(calendar(stay("a@x", "20261201", "20261205"), stay("a@x", "20261201", "20261205")))
    assert nights(feed) == [("a@x", date(2026, 12, 1), date(2026, 12, 5))]
    assert "duplicate_uid" in feed.problem_codes()


def test_a_repeated_dtstart_keeps_the_first_value() -> None:
    feed = read(calendar(stay("a@x", "20261201", "20261205", extra="DTSTART;VALUE=DATE:20270101")))
    assert nights(feed) == [("a@x", date(2026, 12, 1), date(2026, 12, 5))]
    assert "duplicate_property" in feed.problem_codes()


def test_date_start_with_a_datetime_end_frees_the_day_after_the_last_night() -> None:
    feed = read(calendar("UID:a@x\nDTSTART;VALUE=DATE:20261201\nDTEND:20261203T100000Z"))
    assert feed.events[0].span == Nights(date(2026, 12, 1), date(2026, 12, 4))


def test_missing_end_means_one_day_or_a_point_in_time() -> None:
    feed = read(
        calendar("UID:a@x\nDTSTART;VALUE=DATE:20261201", "UID:b@x\nDTSTART:20261201T100000Z")
    )
    by_uid = {e.uid: e.span for e in feed.events}
    assert by_uid["a@x"] == Nights(date(2026, 12, 1), date(2026, 12, 2))
    moment = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert by_uid["b@x"] == Timed(moment, moment)


def test_duration_replaces_a_missing_end() -> None:
    feed = read(
        calendar(
            "UID:a@x\nDTSTART;VALUE=DATE:20261201\nDURATION:P4D",
            "UID:b@x\nDTSTART:20261201T100000Z\nDURATION:PT90M",
            "UID:c@x\nDTSTART:20261201\nDURATION:PT1W",
        )
    )
    by_uid = {e.uid: e.span for e in feed.events}
    assert by_uid["a@x"] == Nights(date(2026, 12, 1), date(2026, 12, 5))
    assert by_uid["b@x"].end - by_uid["b@x"].start == timedelta(minutes=90)
    assert by_uid["c@x"] == Nights(date(2026, 12, 1), date(2026, 12, 8))


def test_empty_or_absurd_duration_is_ignored_and_reported() -> None:
    feed = read(
        calendar(
            "UID:a@x\nDTSTART;VALUE=DATE:20261201\nDURATION:",
            "UID:b@x\nDTSTART;VALUE=DATE:20261201\nDURATION:P99999D",
        )
    )
    assert [e.span for e in feed.events] == [Nights(date(2026, 12, 1), date(2026, 12, 2))] * 2
    assert "bad_duration" in feed.problem_codes()


def test_end_before_start_is_swapped_for_that_event_only() -> None:
    feed = read(calendar(stay("a@x", "20261205", "20261201"), stay("b@x", "20261210", "20261212")))
    assert nights(feed) == EXPECTED
    (problem,) = [p for p in feed.problems if p.code == "inverted_span"]
    assert problem.uid == "a@x"


def test_unreadable_start_skips_that_event_and_keeps_the_others() -> None:
    feed = read(
        calendar(
            "UID:bad@x\nDTSTART:INVALID-DATE\nSUMMARY:Broken",
            *[stay("a@x", "20261201", "20261205")],
        )
    )
    assert nights(feed) == EXPECTED[:1]
    (problem,) = [p for p in feed.problems if p.code == "bad_date"]
    assert problem.uid == "bad@x"


def test_absurd_span_is_cut_to_the_window_and_reported() -> None:
    feed = read(calendar(stay("a@x", "20200101", "99991231", summary="Blocked")))
    (event,) = feed.events
    assert event.span == Nights(TODAY - timedelta(days=365), TODAY + timedelta(days=3 * 365))
    assert "absurd_span" in feed.problem_codes()


def test_cancelled_events_are_dropped_without_a_problem() -> None:
    feed = read(calendar(stay("a@x", "20261201", "20261205", extra="STATUS:CANCELLED")))
    assert feed.events == () and feed.problems == ()


def test_tentative_status_makes_a_tentative_booking() -> None:
    feed = read(
        calendar(stay("a@x", "20261201", "20261205", summary="Dupont", extra="STATUS:TENTATIVE"))
    )
    assert feed.events[0].kind is Kind.TENTATIVE


def test_timed_free_time_is_skipped_but_all_day_free_time_is_kept() -> None:
    feed = read(
        calendar(
            "UID:t@x\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nTRANSP:TRANSPARENT",
            stay("a@x", "20261201", "20261205", extra="TRANSP:TRANSPARENT"),
        )
    )
    assert [e.uid for e in feed.events] == ["a@x"]
    assert "transparent_skipped" in feed.problem_codes()


def test_todos_journals_and_free_busy_are_ignored() -> None:
    data = TWO_STAYS.replace(
        b"END:VCALENDAR",
        b"BEGIN:VTODO\r\nUID:t\r\nDTSTART:20261201T100000Z\r\nEND:VTODO\r\n"
        b"BEGIN:VFREEBUSY\r\nUID:f\r\nEND:VFREEBUSY\r\nEND:VCALENDAR",
    )
    assert nights(read(data)) == EXPECTED


def test_timezone_defined_after_the_events_is_used() -> None:
    data = calendar(
        "UID:a@x\nDTSTART;TZID=My Zone:20261201T100000\nDTEND;TZID=My Zone:20261201T110000",
        header="VERSION:2.0\n",
    ).replace(
        b"END:VCALENDAR",
        b"BEGIN:VTIMEZONE\r\nTZID:My Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        b"TZOFFSETFROM:+0500\r\nTZOFFSETTO:+0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR",
    )
    feed = read(data)
    assert feed.events[0].span.start.astimezone(UTC) == datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert "unknown_timezone" not in feed.problem_codes()


def test_a_component_that_breaks_the_calendar_does_not_lose_the_events() -> None:
    data = TWO_STAYS.replace(b"BEGIN:VEVENT", b"BEGIN:\r\nEND:\r\nBEGIN:VEVENT", 1)
    assert nights(read(data)) == EXPECTED


def test_calendar_name_comes_from_x_wr_calname() -> None:
    feed = read(calendar(header="VERSION:2.0\nX-WR-CALNAME:Gîte des Lilas\n"))
    assert feed.name == "Gîte des Lilas"


def test_events_are_sorted_by_start_whatever_the_feed_order() -> None:
    feed = read(calendar(stay("b@x", "20261210", "20261212"), stay("a@x", "20261201", "20261205")))
    assert nights(feed) == EXPECTED


def test_dtend_as_last_night_adds_one_day() -> None:
    feed = read(TWO_STAYS, import_options=ImportOptions(dtend_is_checkout=False))
    assert [e.span.end for e in feed.events] == [date(2026, 12, 6), date(2026, 12, 13)]


def test_reservations_only_drops_blocks() -> None:
    data = calendar(
        stay("a@x", "20261201", "20261205"), stay("b@x", "20261210", "20261212", "Not available")
    )
    feed = read(data, import_options=ImportOptions(mode=ImportMode.RESERVATIONS_ONLY))
    assert [e.uid for e in feed.events] == ["a@x"]


def test_all_as_blocks_makes_every_event_unavailable() -> None:
    feed = read(TWO_STAYS, import_options=ImportOptions(mode=ImportMode.ALL_AS_BLOCKS))
    assert {(e.kind, e.is_block) for e in feed.events} == {(Kind.UNAVAILABLE, True)}


def test_ignore_phrases_drop_matching_summaries_whatever_their_case() -> None:
    data = calendar(
        stay("a@x", "20261201", "20261205"), stay("b@x", "20261210", "20261212", "Blocked by owner")
    )
    feed = read(data, import_options=ImportOptions(ignore_phrases=("BLOCKED BY",)))
    assert [e.uid for e in feed.events] == ["a@x"]


def test_the_channels_platform_decides_the_classification() -> None:
    data = calendar(stay("a@x", "20261201", "20261205", summary="Provisoire - Léa"))
    assert read(data, platform="abritel").events[0].kind is Kind.TENTATIVE
    assert read(data, platform="abritel").platform == "abritel"


def test_every_problem_code_the_reader_emits_is_documented() -> None:
    data = (
        calendar(
            "UID:bad@x\nDTSTART:INVALID",
            stay("a@x", "20261205", "20261201"),
            "DTSTART;VALUE=DATE:20261201",
        )
        + b"junk\r\n"
    )
    feed = read(data.replace(b"END:VCALENDAR\r\n", b"", 1))
    assert feed.problem_codes() <= set(PROBLEM_CODES)
    assert len(feed.problem_codes()) >= 4
    for problem in feed.problems:
        assert all(value in problem.message for _, value in problem.params), problem


def test_an_absurdly_long_title_is_cut_to_a_readable_length() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:long@x\r\n"
        b"DTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270103\r\nSUMMARY:"
        + b"x" * 100_000
        + b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    feed = read_feed(data, ReadOptions(today=date(2026, 11, 21)))
    assert len(feed.events) == 1 and len(feed.events[0].summary) == 500
