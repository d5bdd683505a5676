"""Judge an import link when it is given: refuse what can never work, flag what may pass.

A link saved with a green "connected" and failing later, "to be retried", is worse than a
refusal on the spot: a private address, a scheme we do not fetch and a link another channel
of the unit already reads can never work (the last one would raise false double bookings
against itself). A 404, a web page or a time-out may be passing: the host confirms those.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext as _

from icalbridge.core.ics_read import ReadOptions, read_feed
from icalbridge.hub.models import Channel, Unit
from icalbridge.outbound.fetch import BadLink, FetchOutcome, fetch_feed, normalise_feed_url
from icalbridge.outbound.policy import fetch_policy
from icalbridge.wording.problem_texts import read_problem_text

# A check while the host waits: shorter than an import's time-out.
CHECK_TIMEOUT_S = 10.0
# Failures that no later try can mend: the link itself is refused.
_NEVER_WORKS = frozenset({"bad_url", "private_address"})


class Verdict(StrEnum):
    USABLE = "usable"
    DOUBTFUL = "doubtful"  # may pass: saved once the host confirms
    REFUSED = "refused"  # can never work: not saved


@dataclass(frozen=True)
class LinkJudgement:
    verdict: Verdict
    code: str = ""
    message: str = ""
    events: int = 0

    @property
    def is_usable(self) -> bool:
        return self.verdict is Verdict.USABLE


def judge_import_link(
    url: str, unit: Unit, *, today: date, platform: str | None, channel: Channel | None = None
) -> LinkJudgement:
    """Return whether a link given for ``unit`` (to ``channel``, when it exists) may be saved."""
    try:
        normalised = normalise_feed_url(url)
    except BadLink as exc:
        return LinkJudgement(Verdict.REFUSED, "bad_url", str(exc))
    twin = _channel_reading(_same_link_key(normalised), unit, channel)
    if twin is not None:
        return LinkJudgement(
            Verdict.REFUSED,
            "same_link",
            _(
                "The channel “%(name)s” of this unit reads this link already: the same "
                "bookings would come twice and look like double bookings."
            )
            % {"name": twin.name},
        )
    policy = fetch_policy()
    policy = replace(policy, total_timeout_s=min(policy.total_timeout_s, CHECK_TIMEOUT_S))
    result = fetch_feed(normalised, None, policy)
    if result.outcome is FetchOutcome.FAILED:
        code = result.error_code or "connect_error"
        verdict = Verdict.REFUSED if code in _NEVER_WORKS else Verdict.DOUBTFUL
        return LinkJudgement(verdict, code, result.error_text())
    options = ReadOptions(today=today, zone=unit.timezone, platform=platform)
    feed = read_feed(result.body or b"", options)
    if not feed.is_calendar:
        first = read_problem_text(feed.problems[0]) if feed.problems else ""
        return LinkJudgement(Verdict.DOUBTFUL, "not_calendar", first)
    return LinkJudgement(Verdict.USABLE, events=len(feed.events))


def _same_link_key(normalised: str) -> str:
    # webcal://, https:// and http:// of one address serve the same calendar.
    return normalised.partition("://")[2]


def _channel_reading(key: str, unit: Unit, channel: Channel | None) -> Channel | None:
    """Return another active channel of the unit that imports the same link, if any."""
    others = Channel.objects.filter(unit=unit, is_active=True).exclude(import_url="")
    if channel is not None and channel.pk:
        others = others.exclude(pk=channel.pk)
    for other in others.only("id", "name", "import_url"):
        try:
            if _same_link_key(normalise_feed_url(other.import_url)) == key:
                return other
        except BadLink:
            continue
    return None
