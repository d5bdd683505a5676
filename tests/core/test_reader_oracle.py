"""Our recurring occurrences equal recurring-ical-events' in UTC, but for documented rules.

The rules by which we differ on purpose are named in docs/domain.md ("The reader's rules");
see tests/core/reader_oracle.py for how the two sides are compared.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import CORPUS, FIXTURE_FEEDS, REPO, corpus_files
from tests.core.reader_oracle import compare_file

FIXTURES = sorted(FIXTURE_FEEDS.glob("*.ics"))
RECURRING_FIXTURES = [
    p for p in FIXTURES if re.search(rb"^(RRULE|RDATE|RECURRENCE-ID)", p.read_bytes(), re.M)
]
# Files the oracle itself cannot read (icalendar or recurring-ical-events raise on them):
# there is nothing to compare, and our reader's handling of them is held by the golden files.
ORACLE_CANNOT_READ = {
    "casaskafidia_git_merge_conflict.ics",
    "icalevents_icloud.ics",
    "icsparser_example_google.ics",
    "big_bad_calendar.ics",
    "fuzz_vtimezone_lone_cr.ics",
    "issue_104_broken_calendar.ics",
    "issue_1050_multiple_calendars.ics",
    "issue_722_missing_timezones.ics",
    "pr_480_summary_with_colon.ics",
    "small_bad_calendar.ics",
    "multiple_root_components.ics",
    "icalevents_empty_zero_bytes.ics",
    "nodeical_multiple_tzids_in_vtimezone.ics",
    "icalendar_issue_165_cdo_exchange.ics",
}


def documented_rules() -> set[str]:
    text = (REPO / "docs" / "domain.md").read_text(encoding="utf-8")
    section = text.split("## The reader's rules", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([a-z_]+)`", section))


def test_the_repository_has_recurring_fixtures_to_compare() -> None:
    assert len(RECURRING_FIXTURES) >= 5


@pytest.mark.parametrize("path", RECURRING_FIXTURES, ids=lambda p: p.name)
def test_recurring_fixture_reads_as_the_oracle_reads_it(path: Path) -> None:
    verdict = compare_file(path)
    assert verdict.outcome in ("agree", "rules"), (verdict.only_ours, verdict.only_oracle)
    assert set(verdict.rules) <= documented_rules()


@pytest.mark.parametrize(
    "relative", [str(p.relative_to(CORPUS)) for p in corpus_files()] or ["(corpus absent)"]
)
def test_corpus_file_reads_as_the_oracle_reads_it(corpus_dir: Path, relative: str) -> None:
    path = corpus_dir / relative
    verdict = compare_file(path)
    if path.name in ORACLE_CANNOT_READ:
        assert verdict.outcome == "oracle_failed"
        return
    assert verdict.outcome in ("agree", "rules", "no_recurrence"), (
        verdict.only_ours,
        verdict.only_oracle,
    )
    assert set(verdict.rules) <= documented_rules()
