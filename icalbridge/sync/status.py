"""A channel's state as a host reads it, derived from its stored facts.

See "A channel's status" in docs/domain.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icalbridge.hub.models import Channel, ChannelState, HeldChange
from icalbridge.wording.fetch_texts import fetch_error_text


@dataclass(frozen=True)
class ChannelStatus:
    state: ChannelState
    reason: str
    message: str


def failures_before_error() -> int:
    return int(getattr(settings, "ICALBRIDGE_FAILURES_BEFORE_ERROR", 3))


def stale_after() -> timedelta:
    return timedelta(hours=int(getattr(settings, "ICALBRIDGE_STALE_AFTER_HOURS", 24)))


def channel_status(
    channel: Channel, now: datetime, held: HeldChange | None = None
) -> ChannelStatus:
    """Return the state, a stable reason code and a plain message, in the active language."""
    if channel.imports:
        if channel.consecutive_failures >= failures_before_error():
            return ChannelStatus(
                ChannelState.ERROR,
                "failing",
                ngettext(
                    "%(count)d import in a row failed: %(error)s",
                    "%(count)d imports in a row failed: %(error)s",
                    channel.consecutive_failures,
                )
                % {"count": channel.consecutive_failures, "error": _error_text(channel)},
            )
        if held is not None:
            return ChannelStatus(ChannelState.WARNING, "held", held_message(held))
        if channel.consecutive_failures:
            return ChannelStatus(
                ChannelState.WARNING,
                "retrying",
                _("The last import failed and will be retried: %(error)s")
                % {"error": _error_text(channel)},
            )
        if channel.last_success_at is None:
            return ChannelStatus(ChannelState.NEVER, "never", _("Not imported yet."))
        if now - channel.last_success_at > stale_after():
            return ChannelStatus(
                ChannelState.WARNING,
                "stale",
                _("No successful import since %(when)s.")
                % {"when": channel.last_success_at.strftime("%Y-%m-%d %H:%M")},
            )
        return ChannelStatus(
            ChannelState.OK,
            "ok",
            ngettext(
                "Up to date: %(count)d event read.",
                "Up to date: %(count)d events read.",
                channel.events_read or 0,
            )
            % {"count": channel.events_read or 0},
        )
    if channel.exports:
        if channel.last_export_fetch_at is None:
            return ChannelStatus(
                ChannelState.NEVER,
                "export_never_fetched",
                _("The platform has not fetched our link yet."),
            )
        return ChannelStatus(ChannelState.OK, "ok", _("The platform fetches our link."))
    return ChannelStatus(ChannelState.NEVER, "never", _("Not configured."))


def _error_text(channel: Channel) -> str:
    return fetch_error_text(
        channel.last_error_code, channel.last_error_params, channel.last_error_message
    )


def held_message(held: HeldChange) -> str:
    count = len(held.would_cancel)
    if held.reason == "emptied":
        return ngettext(
            "The feed came back empty: %(count)d booking would be removed. Confirm or wait.",
            "The feed came back empty: %(count)d bookings would be removed. Confirm or wait.",
            count,
        ) % {"count": count}
    return ngettext(
        "%(count)d booking would be removed. Confirm, or wait for the next import.",
        "%(count)d bookings would be removed. Confirm, or wait for the next import.",
        count,
    ) % {"count": count}
