"""Compare the reader's recurring occurrences with recurring-ical-events over icalendar.

The oracle reads the same bytes with plain icalendar and recurring-ical-events (which applies
the feed's own X-WR-TIMEZONE, as we do), and both sides are compared in UTC, series by series.
Where the two differ only because of one of the reader's documented rules (docs/domain.md,
"The reader's rules"), the oracle's side is adjusted by that rule and named; any other
difference is a disagreement.

Run ``python -m tests.core.reader_oracle [--zone UNIT_ZONE] [paths...]`` to print the verdict
per file and the totals (default: the fixture feeds and the shared corpus, a unit in Paris).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar, Event

from icalbridge.core.ics_read import FUTURE_DAYS, PAST_DAYS, ReadOptions, read_feed
from icalbridge.core.recurrence import MAX_INSTANCES, RECURRENCE_PROPERTIES
from icalbridge.core.timezones import zone_named

TODAY = date(2026, 11, 21)
UNIT_ZONE = "Europe/Paris"
_SUB_DAILY = ("SECONDLY", "MINUTELY", "HOURLY")

# An occurrence as both sides see it: its UID and its start and end, in UTC or as dates.
Occurrence = tuple[str, date | datetime, date | datetime]


@dataclass
class Verdict:
    """How one feed's recurring occurrences compare with the oracle's."""

    path: Path
    outcome: str  # "agree", "rules", "differ", "oracle_failed", "no_recurrence"
    rules: list[str] = field(default_factory=list)
    only_ours: list[Occurrence] = field(default_factory=list)
    only_oracle: list[Occurrence] = field(default_factory=list)


def compare_file(path: Path, zone: str = UNIT_ZONE, today: date = TODAY) -> Verdict:
    """Compare our recurring occurrences of one feed with the oracle's."""
    data = path.read_bytes()
    try:
        calendar = Calendar.from_ical(data)
    except Exception:  # the oracle cannot read what we repair
        return Verdict(path, "oracle_failed")
    recurring = {
        str(e.get("UID", "")).strip()
        for e in calendar.walk("VEVENT")
        if any(n in e for n in RECURRENCE_PROPERTIES)
    }
    if not recurring:
        return Verdict(path, "no_recurrence")
    feed = read_feed(data, ReadOptions(today=today, zone=zone))
    floating = _floating_zone(calendar, zone)
    # A series without a UID gets a synthetic one from us and none from the oracle; and
    # single events are kept whatever their date, where the oracle looks inside the window.
    ours = {
        ("" if e.uid_is_synthetic else e.uid, *_ends(e.span.start, e.span.end, floating))
        for e in feed.events
        if ("" if e.uid_is_synthetic else e.uid) in recurring
        and _starts_within(e.span.start, today, floating)
    }
    try:
        oracle, rules = _oracle_occurrences(calendar, recurring, floating, today)
    except Exception:
        return Verdict(path, "oracle_failed")
    if ours == oracle:
        return Verdict(path, "rules" if rules else "agree", rules)
    return Verdict(
        path,
        "differ",
        rules,
        only_ours=sorted(ours - oracle, key=str),
        only_oracle=sorted(oracle - ours, key=str),
    )


def _oracle_occurrences(
    calendar: Calendar, recurring: set[str], floating: tzinfo, today: date
) -> tuple[set[Occurrence], list[str]]:
    """Return the oracle's occurrences of recurring UIDs, with the reader's rules applied."""
    rules: set[str] = set()
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    start, stop = today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)
    found = list(islice(query.between(start, stop), MAX_INSTANCES + 1))
    if len(found) > MAX_INSTANCES:
        rules.add("recurrence_truncated")
    masters = {
        str(e.get("UID", "")).strip(): e
        for e in calendar.walk("VEVENT")
        if "RRULE" in e and "RECURRENCE-ID" not in e
    }
    occurrences: set[Occurrence] = set()
    for event in found[:MAX_INSTANCES]:
        uid = str(event.get("UID", "")).strip()
        if uid not in recurring:
            continue
        rule = _rule_dropping(event, masters.get(uid))
        if rule is not None:
            rules.add(rule)
            continue
        start_value = event.decoded("DTSTART")
        end_value = event.decoded("DTEND") if "DTEND" in event else start_value
        occurrences.add((uid, *_ends(start_value, end_value, floating)))
    # A series whose rule we read as its first date only (sub-daily, before 1900) keeps
    # exactly that first date on our side.
    for uid, master in masters.items():
        if _is_sub_daily(master) or _starts_before_1900(master):
            rules.add("first_date_only")
            occurrences = {o for o in occurrences if o[0] != uid}
            occurrences |= _first_date(master, floating, today)
    return occurrences, sorted(rules)


def _rule_dropping(event: Event, master: Event | None) -> str | None:
    """Name the documented rule by which the reader leaves an occurrence out, if any."""
    if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
        return "cancelled_skipped"
    timed = isinstance(event.decoded("DTSTART"), datetime)
    if timed and str(event.get("TRANSP", "")).strip().upper() == "TRANSPARENT":
        return "transparent_skipped"
    return None


def _starts_within(start: date | datetime, today: date, floating: tzinfo) -> bool:
    day = start.astimezone(floating).date() if isinstance(start, datetime) else start
    return today - timedelta(days=PAST_DAYS) <= day < today + timedelta(days=FUTURE_DAYS)


def _first_date(master: Event, floating: tzinfo, today: date) -> set[Occurrence]:
    start = master.decoded("DTSTART")
    end = master.decoded("DTEND") if "DTEND" in master else start
    low = today - timedelta(days=PAST_DAYS)
    first_day = start.date() if isinstance(start, datetime) else start
    if first_day < low:
        return set()
    return {(str(master["UID"]).strip(), *_ends(start, end, floating))}


def _is_sub_daily(event: Event) -> bool:
    rule = event.get("RRULE")
    rules = rule if isinstance(rule, list) else [rule]
    return any(str(f).upper() in _SUB_DAILY for r in rules for f in r.get("FREQ", []))


def _starts_before_1900(event: Event) -> bool:
    start = event.decoded("DTSTART")
    return isinstance(start, date) and start.year < 1900


def _floating_zone(calendar: Calendar, unit_zone: str) -> tzinfo:
    named = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    return (zone_named(named) if named else None) or ZoneInfo(unit_zone)


def _ends(
    start: date | datetime, end: date | datetime, floating: tzinfo
) -> tuple[date | datetime, date | datetime]:
    if not isinstance(start, datetime):
        if isinstance(end, datetime):
            end = end.date()
        return start, end if end > start else start + timedelta(days=1)
    if not isinstance(end, datetime):
        end = datetime.combine(end, time(0))
    return _utc(start, floating), _utc(end, floating)


def _utc(moment: datetime, floating: tzinfo) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=floating)
    return moment.astimezone(UTC)


def default_paths() -> list[Path]:
    """The repository's fixture feeds and, when present, the shared corpus."""
    from tests.conftest import FIXTURE_FEEDS, corpus_files

    return sorted(FIXTURE_FEEDS.glob("*.ics")) + corpus_files()


def main(arguments: list[str]) -> None:
    zone = UNIT_ZONE
    if arguments[:1] == ["--zone"]:
        zone, arguments = arguments[1], arguments[2:]
    paths = [Path(a) for a in arguments] or default_paths()
    totals: dict[str, int] = {}
    for path in paths:
        verdict = compare_file(path, zone)
        totals[verdict.outcome] = totals.get(verdict.outcome, 0) + 1
        if verdict.outcome == "no_recurrence":
            continue
        print(f"{verdict.outcome:14} {path.name} {' '.join(verdict.rules)}")
        for occurrence in verdict.only_ours[:3]:
            print(f"    only ours:   {occurrence}")
        for occurrence in verdict.only_oracle[:3]:
            print(f"    only oracle: {occurrence}")
    print(" ".join(f"{k}={v}" for k, v in sorted(totals.items())))


if __name__ == "__main__":
    main(sys.argv[1:])
