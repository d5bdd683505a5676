"""A channel's last error and an import run's outcome, worded in the active language."""

from __future__ import annotations

from django.utils.translation import ngettext

from icalbridge.hub.models import Channel, ImportOutcome, ImportRun
from icalbridge.wording.fetch_texts import fetch_error_text
from icalbridge.wording.problem_texts import problem_texts


def channel_error_text(channel: Channel) -> str:
    """Return why the channel's last import failed, or "" when it did not."""
    if not channel.last_error_code:
        return channel.last_error_message
    return fetch_error_text(
        channel.last_error_code, channel.last_error_params, channel.last_error_message
    )


def run_text(run: ImportRun) -> str:
    """Return what an import run tells the host: its failure, its held change, its repairs."""
    if run.outcome == ImportOutcome.FAILED:
        return fetch_error_text(run.error_code, run.error_params, run.message)
    if run.outcome == ImportOutcome.HELD:
        return ngettext(
            "%(count)d booking would be removed: waiting for a decision.",
            "%(count)d bookings would be removed: waiting for a decision.",
            run.held,
        ) % {"count": run.held}
    return " ".join(problem_texts(run.problems or [])) or run.message
