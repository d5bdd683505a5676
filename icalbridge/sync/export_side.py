"""The export side of a channel as a host reads it: state, reason, plain words, figures.

Derived when read from the export loop's facts (``sync.export_loop``) by the pure core
(``core.export_status``, ``core.deliveries``); this module adds the database and words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icalbridge.core.deliveries import deliveries_of_current_feed, deliveries_since
from icalbridge.core.export_status import (
    AddressProblem,
    DelayFigures,
    ExportReason,
    ExportVerdict,
    address_problem,
    delay_figures,
    export_verdict,
    is_worse,
    next_export_change,
    usual_fetch_interval_s,
)
from icalbridge.core.platforms import platform_by_id
from icalbridge.core.spans import Nights
from icalbridge.elision import elided
from icalbridge.hub.models import Channel, ChannelState, HeldChange
from icalbridge.sync.export_loop import MEASURED_PERIOD, loop_facts, not_applied_grace
from icalbridge.sync.status import ChannelStatus, channel_status
from icalbridge.wording.platform_names import platform_name

_FALLBACK_WINDOW_S = 24 * 3600


@dataclass(frozen=True)
class ExportSide:
    verdict: ExportVerdict
    message: str
    last_fetch_at: datetime | None
    last_fetch_by: str
    usual_fetch_interval_s: int | None
    figures: DelayFigures
    # When the verdict may next change with no new fact (``core.export_status.next_export_change``).
    recheck_at: datetime

    @property
    def state(self) -> str:
        return self.verdict.state.value

    @property
    def reason(self) -> str:
        return self.verdict.reason.value


def platform_label(channel: Channel) -> str:
    """Return the platform's name for the host, or the channel's own name for "other"."""
    try:
        platform = platform_by_id(channel.platform)
    except KeyError:
        return channel.name
    return channel.name if platform.id == "other" else platform_name(platform)


def export_side(channel: Channel, now: datetime) -> ExportSide:
    """Return the export side of a channel that exports, derived now."""
    facts = loop_facts(channel, now)
    today = now.astimezone(channel.unit.zone).date()
    grace = not_applied_grace()
    current = deliveries_of_current_feed(facts, now=now, today=today, grace=grace)
    try:
        preset = platform_by_id(channel.platform)
        fallback_s, window_s, needs_https = (
            preset.poll_interval_s,
            preset.first_fetch_window_s,
            preset.needs_https,
        )
    except KeyError:
        fallback_s, window_s, needs_https = _FALLBACK_WINDOW_S, _FALLBACK_WINDOW_S, False
    fetch_times = [f.at for f in facts.fetches]
    learned = usual_fetch_interval_s(fetch_times, 0) or None
    usual_s, window = learned or fallback_s, timedelta(seconds=window_s)
    verdict = export_verdict(
        created_at=channel.created_at,
        now=now,
        last_fetch_at=channel.last_export_fetch_at,
        usual_interval_s=usual_s,
        first_fetch_window=window,
        problem=address_problem(settings.PUBLIC_URL, needs_https=needs_https),
        deliveries=current,
    )
    recheck_at = next_export_change(
        now=now,
        created_at=channel.created_at,
        last_fetch_at=channel.last_export_fetch_at,
        usual_interval_s=usual_s,
        first_fetch_window=window,
        deliveries=current,
        judges_application=facts.shows_imports_as_blocks,
        observed_until=facts.observed_until,
        grace=grace,
        next_day=datetime.combine(today + timedelta(days=1), time(), channel.unit.zone),
        awaiting_recheck=timedelta(seconds=settings.ICALBRIDGE_EXPORT_CHECK_S),
    )
    measured = deliveries_since(facts, now - MEASURED_PERIOD, now=now, today=today, grace=grace)
    return ExportSide(
        verdict=verdict,
        message=elided(export_message(channel, verdict, usual_s, window_s)),
        last_fetch_at=channel.last_export_fetch_at,
        last_fetch_by=channel.last_export_fetch_by,
        usual_fetch_interval_s=learned,
        figures=delay_figures(fetch_times, measured),
        recheck_at=recheck_at,
    )


def export_message(channel: Channel, verdict: ExportVerdict, usual_s: int, window_s: int) -> str:
    """Say the export side's reason in plain words, in the active language."""
    platform = platform_label(channel)
    reason = verdict.reason
    if reason is ExportReason.UNREACHABLE_ADDRESS:
        if verdict.address_problem is AddressProblem.PLAIN_HTTP:
            return _(
                "%(platform)s only accepts https links, and our link starts with http: "
                "set ICALBRIDGE_PUBLIC_URL to the hub's https address, then copy the link again."
            ) % {"platform": platform}
        return _(
            "Our link names %(address)s, which %(platform)s cannot reach from the internet: "
            "set ICALBRIDGE_PUBLIC_URL to the hub's public address (https://...), "
            "then copy the link again."
        ) % {"address": settings.PUBLIC_URL, "platform": platform}
    if reason is ExportReason.NEVER_FETCHED:
        if verdict.state == "never":
            return _(
                "%(platform)s has not read our link yet; it usually does within %(window)s."
            ) % {"platform": platform, "window": plain_duration(window_s)}
        return _(
            "%(platform)s has not read our link since it was added: check that the link "
            "is pasted in its calendar import."
        ) % {"platform": platform}
    if reason is ExportReason.NOT_FETCHED:
        silent_s = int(verdict.silent_for.total_seconds()) if verdict.silent_for else 0
        return _(
            "%(platform)s has not read our link for %(silence)s (usually every %(usual)s): "
            "the link may have been removed there, or its import is broken. Your new "
            "dates do not reach it."
        ) % {
            "platform": platform,
            "silence": plain_duration(silent_s),
            "usual": plain_duration(usual_s),
        }
    if reason is ExportReason.NOT_APPLIED:
        return _(
            "%(platform)s reads our link but does not show these dates as blocked: "
            "%(dates)s. Check its calendar import, or block them there by hand."
        ) % {"platform": platform, "dates": nights_text(verdict.not_applied)}
    return _("%(platform)s reads our link.") % {"platform": platform}


def nights_text(runs: tuple[Nights, ...] | list[Nights]) -> str:
    """Return runs of nights as the host reads dates: "10/07/2026 → 14/07/2026, ..."."""
    return ", ".join(
        f"{formats.date_format(n.start, 'SHORT_DATE_FORMAT')} → "
        f"{formats.date_format(n.end, 'SHORT_DATE_FORMAT')}"
        for n in runs
    )


def plain_duration(seconds: int) -> str:
    """Return a duration as a person says it: "25 min", "2 h 50", "3 days"."""
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        if rest:
            return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}
        return _("%(hours)d h") % {"hours": hours}
    days = round(hours / 24)
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


def delay_sentences(channel: Channel, side: ExportSide) -> list[str]:
    """Say the measured figures of the last 30 days in plain words, one sentence each."""
    figures = side.figures
    platform = platform_label(channel)
    sentences = []
    if figures.read_interval_p50_s:
        sentences.append(
            _("%(platform)s reads your link about every %(interval)s.")
            % {"platform": platform, "interval": plain_duration(figures.read_interval_p50_s)}
        )
    if figures.read_delay_p50_s is not None and figures.read_delay_p90_s is not None:
        sentences.append(
            _("A change reaches it about %(p50)s after you make it (9 times in 10 within %(p90)s).")
            % {
                "p50": plain_duration(figures.read_delay_p50_s),
                "p90": plain_duration(figures.read_delay_p90_s),
            }
        )
    if figures.applied_delay_p50_s is not None and figures.applied_delay_p90_s is not None:
        sentences.append(
            _(
                "It blocks the dates about %(p50)s after you make the change (9 times in 10 within %(p90)s)."
            )
            % {
                "p50": plain_duration(figures.applied_delay_p50_s),
                "p90": plain_duration(figures.applied_delay_p90_s),
            }
        )
    return sentences


@dataclass(frozen=True)
class FullStatus:
    """A channel's overall status (the worse of its two sides) and its export side."""

    overall: ChannelStatus
    imported: ChannelStatus
    export: ExportSide | None


def full_status(channel: Channel, now: datetime, held: HeldChange | None) -> FullStatus:
    """Return the channel's status: the import side as before, the export side, the worse."""
    imported = channel_status(channel, now, held)
    if not channel.exports:
        return FullStatus(imported, imported, None)
    side = export_side(channel, now)
    if not channel.imports or is_worse(side.state, imported.state):
        overall = ChannelStatus(ChannelState(side.state), side.reason, side.message)
        return FullStatus(overall, imported, side)
    return FullStatus(imported, imported, side)
