"""The feed doctor: fetch a link as the worker would and explain, in plain words, what is wrong."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, override

from icalbridge import clock
from icalbridge.core.feed import Feed, FeedEvent, Problem
from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.core.platforms import platform_by_id
from icalbridge.core.spans import Nights
from icalbridge.outbound.fetch import FetchOutcome, FetchPolicy, FetchResult, fetch_feed
from icalbridge.outbound.policy import fetch_policy
from icalbridge.wording.doctor_texts import DOCTOR_TEXTS
from icalbridge.wording.fetch_texts import FETCH_TEXTS
from icalbridge.wording.message_texts import render_text
from icalbridge.wording.platform_names import platform_name
from icalbridge.wording.problem_texts import PROBLEM_TEXTS, problem_params

# A feed whose last event ends this close to today probably exports only a short horizon.
SHORT_HORIZON_DAYS = 7

# What the doctor's failed fetch says after the fetch's own sentence, by fetch code.
_ADVICE = {
    "timeout": "timeout",
    "too_large": "too_large",
    "incomplete": "truncated",
    "decode_error": "truncated",
}
_ADVICE_BY_STATUS = {404: "not_found", 410: "not_found", 401: "refused", 403: "refused"}
_ADVICE_BY_BODY = {"empty": "empty", "html": "login_page", "json": "json"}


@dataclass(frozen=True)
class Sentence:
    """A sentence of a wording table, by code, with the values it quotes; worded when read."""

    texts: Mapping[str, Promise]
    code: str
    params: Mapping[str, object]
    fallback: str = ""

    def text(self) -> str:
        return render_text(self.texts, self.code, self.params) or self.fallback or self.code


@dataclass(frozen=True)
class Finding:
    """One thing a host needs to know about a link, with a stable code."""

    code: str
    sentences: tuple[Sentence, ...]

    def text(self) -> str:
        """Return the finding in the active language."""
        return " ".join(s.text() for s in self.sentences)

    def as_json(self) -> dict[str, str]:
        with override("en"):
            english = self.text()
        with override("fr"):
            french = self.text()
        return {
            "code": self.code,
            "message": self.text(),
            "message_en": english,
            "message_fr": french,
        }


@dataclass(frozen=True)
class Diagnosis:
    ok: bool
    findings: list[Finding]


def diagnose_url(
    url: str, *, today: date, zone: str, policy: FetchPolicy | None = None
) -> Diagnosis:
    """Fetch a feed link under the worker's policy and explain what a host would need to know."""
    policy = policy or fetch_policy()
    result = fetch_feed(url, None, policy)
    if result.outcome is not FetchOutcome.OK:
        return Diagnosis(False, _failure_findings(url, result))
    feed = read_feed(result.body or b"", ReadOptions(today=today, zone=zone))
    return _feed_diagnosis(feed, today, ZoneInfo(zone))


def is_google_calendar_url(url: str) -> bool:
    """Tell whether a link is a Google Calendar export link (public or secret address)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    return path.startswith("/calendar/ical/") and (
        (parts.hostname or "").endswith("google.com") or "calendar.google.com" in path
    )


def _said(code: str, **params: Any) -> Sentence:
    return Sentence(DOCTOR_TEXTS, code, params)


def _failure_findings(url: str, result: FetchResult) -> list[Finding]:
    """Return the fetch's own sentence, followed by what the host can do about it."""
    code = result.error_code or "connect_error"
    params = result.error_params or {}
    fact = Sentence(FETCH_TEXTS, code, params, result.error_message or "")
    if code == "http_error":
        advice = _ADVICE_BY_STATUS.get(result.status or 0)
    elif code == "not_calendar":
        advice = _ADVICE_BY_BODY.get(params.get("variant", ""))
    else:
        advice = _ADVICE.get(code)
    found = Finding(advice or code, (fact, _said(advice)) if advice else (fact,))
    google_needs_public = advice in ("not_found", "refused", "login_page")
    if google_needs_public and is_google_calendar_url(url):
        return [Finding("google_not_public", (_said("google_not_public"),)), found]
    return [found]


def _problem(problem: Problem) -> Sentence:
    return Sentence(PROBLEM_TEXTS, problem.code, problem_params(problem), problem.message)


def _feed_diagnosis(feed: Feed, today: date, zone: ZoneInfo) -> Diagnosis:
    if not feed.is_calendar:
        return Diagnosis(False, [Finding("not_calendar", tuple(map(_problem, feed.problems[:1])))])
    if feed.is_truncated:
        return Diagnosis(False, [Finding("truncated", (_said("truncated"),))])
    findings = [_summary(feed, zone)]
    if feed.events:
        last = max(_last_day(e, zone) for e in feed.events)
        if last < today:
            findings.append(Finding("only_past", (_said("only_past", last=last),)))
        elif last <= today + timedelta(days=SHORT_HORIZON_DAYS):
            days = (last - today).days
            findings.append(Finding("short_horizon", (_said("short_horizon", days=days),)))
    if feed.problems:
        findings.append(Finding("repairs", (_said("repairs", count=len(feed.problems)),)))
    return Diagnosis(True, findings)


def _summary(feed: Feed, zone: ZoneInfo) -> Finding:
    if feed.platform:
        # Named when the finding is read, in the reader's language.
        name = lazy(platform_name, str)(platform_by_id(feed.platform))
        platform = _said("platform", platform=name)
    else:
        platform = _said("platform", variant="unknown")
    if not feed.events:
        return Finding("calendar", (platform, _said("events", variant="none")))
    first = min(_first_day(e, zone) for e in feed.events)
    last = max(_last_day(e, zone) for e in feed.events)
    return Finding(
        "calendar", (platform, _said("events", count=len(feed.events), first=first, last=last))
    )


def _first_day(event: FeedEvent, zone: ZoneInfo) -> date:
    span = event.span
    return span.start if isinstance(span, Nights) else span.start.astimezone(zone).date()


def _last_day(event: FeedEvent, zone: ZoneInfo) -> date:
    """Return the last day an event occupies (a stay's check-out day is free again)."""
    span = event.span
    if isinstance(span, Nights):
        return span.end - timedelta(days=1)
    return span.end.astimezone(zone).date()


def doctor_main(argv: list[str]) -> int:
    """Run ``icalbridge inspect URL``: exit 0 when the feed is usable, 2 otherwise.

    It speaks the language the command was started in (LANG), or the one ``--lang`` names.
    """
    parser = argparse.ArgumentParser(
        prog="icalbridge inspect", description="Fetch a feed link and explain what is wrong."
    )
    parser.add_argument("url")
    parser.add_argument("--tz", default="Europe/Paris", help="the unit's time zone")
    parser.add_argument("--lang", choices=("en", "fr"), help="the language (default: LANG's)")
    parser.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    args = parser.parse_args(argv)
    zone = ZoneInfo(args.tz)
    today = clock.now().astimezone(zone).date()
    diagnosis = diagnose_url(args.url, today=today, zone=args.tz)
    with override(args.lang or get_language()):
        if args.json:
            body = {
                "url": args.url,
                "ok": diagnosis.ok,
                "findings": [f.as_json() for f in diagnosis.findings],
            }
            print(json.dumps(body, ensure_ascii=False, indent=2))
        else:
            print(_said("verdict", variant="usable" if diagnosis.ok else "unusable").text())
            for finding in diagnosis.findings:
                print(f"- {finding.text()}")
    return 0 if diagnosis.ok else 2
