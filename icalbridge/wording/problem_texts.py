"""What the reader's problems (``core.read_problems``) tell the host, by code, in their language.

The core reports a stable code and the values of its message; this table words each code.
A new reader code gets its sentence here (a test walks ``PROBLEM_CODES`` and fails on a
code without one, or on one left in English in French).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from icalbridge.core.feed import Problem
from icalbridge.wording.message_texts import render_text

PROBLEM_TEXTS: dict[str, Promise] = {
    "empty_body": _("The feed is empty: the body has no content."),
    "not_calendar": _("This is not an iCalendar feed; it starts with “%(start)s”."),
    "truncated": _("The feed ends in the middle of a %(component)s: it was cut off."),
    "multiple_calendars": _("The feed holds %(count)s calendars; their events were merged."),
    "not_utf8": _("The feed is not valid UTF-8; it was read as %(encoding)s."),
    "junk_line": ngettext_lazy(
        "%(count)s line that is not iCalendar was skipped.",
        "%(count)s lines that are not iCalendar were skipped.",
        "count",
    ),
    "broken_fold": ngettext_lazy(
        "%(count)s line continued the previous one without the leading space.",
        "%(count)s lines continued the previous one without the leading space.",
        "count",
    ),
    "unclosed_component": ngettext_lazy(
        "%(count)s component had no valid END line; it was closed where the next one began. "
        "Nothing is freed from this feed until it is whole again.",
        "%(count)s components had no valid END line; each was closed where the next one "
        "began. Nothing is freed from this feed until it is whole again.",
        "count",
    ),
    "too_many_events": _(
        "The calendar holds %(count)s events in the dates icalbridge reads, more than the "
        "%(cap)s allowed; nothing was changed."
    ),
    "text_cut": ngettext_lazy(
        "%(count)s event title longer than %(cap)s characters was cut.",
        "%(count)s event titles longer than %(cap)s characters were cut.",
        "count",
    ),
    "text_cleaned": ngettext_lazy(
        "%(count)s event carried control or text-direction characters; they were removed.",
        "%(count)s events carried control or text-direction characters; they were removed.",
        "count",
    ),
    "duplicate_property": ngettext_lazy(
        "%(count)s property that takes one value was repeated; the first value was kept.",
        "%(count)s properties that take one value were repeated; the first value was kept.",
        "count",
    ),
    "bad_event": ngettext_lazy(
        "%(count)s event could not be read at all and was skipped.",
        "%(count)s events could not be read at all and were skipped.",
        "count",
    ),
    "missing_uid": ngettext_lazy(
        "%(count)s event had no UID; a stable one was made from its content.",
        "%(count)s events had no UID; stable ones were made from their content.",
        "count",
    ),
    "duplicate_uid": ngettext_lazy(
        "%(count)s copy of an event (same UID and dates, or an older SEQUENCE) was left out.",
        "%(count)s copies of an event (same UID and dates, or an older SEQUENCE) were left out.",
        "count",
    ),
    "duplicate_uid_kept": ngettext_lazy(
        "One UID names %(count)s stay with different dates and nothing says which is newer; "
        "it was kept.",
        "One UID names %(count)s stays with different dates and nothing says which is newer; "
        "all of them were kept.",
        "count",
    ),
    "missing_start": ngettext_lazy(
        "%(count)s event had no start (DTSTART) and was skipped.",
        "%(count)s events had no start (DTSTART) and were skipped.",
        "count",
    ),
    "bad_date": _("Event %(uid)s: its start “%(value)s” cannot be read; skipped."),
    "bad_end": ngettext_lazy(
        "%(count)s event had an unreadable end; its length was guessed.",
        "%(count)s events had an unreadable end; their length was guessed.",
        "count",
    ),
    "bad_duration": ngettext_lazy(
        "%(count)s event had an empty or absurd DURATION, which was ignored.",
        "%(count)s events had an empty or absurd DURATION, which was ignored.",
        "count",
    ),
    "inverted_span": _(
        "Event %(uid)s ended before it started; read from %(start)s to %(end)s instead."
    ),
    "absurd_span": _(
        "Event %(uid)s runs from %(start)s to %(end)s, absurdly long or far off; "
        "only its part inside the reading window was kept."
    ),
    "unknown_timezone": _(
        "The time zone “%(tzid)s” is not known; times in it were read in %(fallback)s."
    ),
    "transparent_skipped": ngettext_lazy(
        "%(count)s timed event marked as free time was skipped.",
        "%(count)s timed events marked as free time were skipped.",
        "count",
    ),
    "recurrence_failed": _(
        "The repeating event %(uid)s could not be expanded; only its first date was kept."
    ),
    "recurrence_truncated": _(
        "Repeating events produced more than %(count)s dates; the later ones were left out."
    ),
    "sub_daily_recurrence": ngettext_lazy(
        "%(count)s series repeating more than once a day was read as its first date.",
        "%(count)s series repeating more than once a day were read as their first date.",
        "count",
    ),
    "ancient_recurrence": ngettext_lazy(
        "%(count)s series starting before 1900 was read as its first date.",
        "%(count)s series starting before 1900 were read as their first date.",
        "count",
    ),
    "bad_rrule": ngettext_lazy(
        "%(count)s repeat rule could not be read; its event was read as its first date.",
        "%(count)s repeat rules could not be read; their events were read as their first date.",
        "count",
    ),
    "unreadable": _("The reader failed on this feed; nothing was changed from it."),
}


def problem_text(code: str, params: Mapping[str, object], fallback: str = "") -> str:
    """Return a reader problem in the active language; ``fallback`` for an unknown code."""
    return render_text(PROBLEM_TEXTS, code, params) or fallback


def problem_params(problem: Problem) -> dict[str, str]:
    """Return the values a problem's sentence quotes, its event's UID included."""
    return {**dict(problem.params), **({"uid": problem.uid} if problem.uid else {})}


def read_problem_text(problem: Problem) -> str:
    """Return a problem just read in the active language."""
    return problem_text(problem.code, problem_params(problem), problem.message)


def stored_problems(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """Return the problems as an import run stores them: code, values, English words."""
    return [{"code": p.code, "params": problem_params(p), "message": p.message} for p in problems]


def problem_texts(stored: Iterable[Mapping[str, Any]]) -> list[str]:
    """Return stored problems in the active language; old rows without values keep theirs."""
    texts = []
    for row in stored:
        params = row.get("params")
        fallback = str(row.get("message", ""))
        code = str(row.get("code", ""))
        texts.append(fallback if params is None else problem_text(code, params, fallback))
    return texts
