"""Import runs of a channel: run one now, confirm a held change, read the history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from icalbridge.api.auth import channel_for
from icalbridge.api.channel_schemas import ImportRunOut
from icalbridge.api.ids import derived_id
from icalbridge.api.pagination import Page, PageQuery, page_of_queryset
from icalbridge.api.problems import PROBLEMS, ApiProblem, conflict
from icalbridge.hub.models import Channel, HeldChange, ImportRun
from icalbridge.sync.imports_now import ChannelBusy, import_now
from icalbridge.wording.problem_texts import problem_texts
from icalbridge.wording.run_texts import run_text

router = Router(tags=["imports"])

# A request must not hang behind a worker's import: wait briefly, then answer 409.
BUSY_WAIT_S = 2.0


def run_out(run: ImportRun) -> dict[str, Any]:
    return {
        "id": derived_id("import-run", run.pk),
        "trigger": run.trigger,
        "outcome": run.outcome,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "http_status": run.http_status,
        "events_read": run.events_read,
        "added": run.added,
        "moved": run.moved,
        "updated": run.updated,
        "cancelled": run.cancelled,
        "held": run.held,
        "error_code": run.error_code or None,
        "message": run_text(run),
        "problems": [
            {**p, "message": text}
            for p, text in zip(run.problems or [], problem_texts(run.problems or []), strict=True)
        ],
    }


def _busy() -> ApiProblem:
    return conflict(
        "channel-busy",
        _("Channel busy."),
        _("Another import of this channel is running; try again in a moment."),
    )


def _run_import(channel: Channel, *, confirm: bool) -> dict[str, Any]:
    try:
        run = import_now(channel.pk, confirm=confirm, wait_s=BUSY_WAIT_S)
    except ChannelBusy:
        raise _busy() from None
    if run is None:
        raise _busy()
    return run_out(run)


@router.post("/channels/{channel}/import", response={200: ImportRunOut, **PROBLEMS})
def import_channel_now(request: HttpRequest, channel: str) -> dict[str, Any]:
    """Import the channel's link now and return what the run did."""
    target = channel_for(request, channel, write=True)
    if not target.imports:
        raise conflict(
            "not-importing", _("Nothing to import."), _("This channel has no import link.")
        )
    return _run_import(target, confirm=False)


@router.post("/channels/{channel}/confirm", response={200: ImportRunOut, **PROBLEMS})
def confirm_held_change(request: HttpRequest, channel: str) -> dict[str, Any]:
    """Apply the change held for confirmation (e.g. many bookings removed at once)."""
    target = channel_for(request, channel, write=True)
    if not HeldChange.objects.filter(channel=target).exists():
        raise conflict(
            "nothing-held", _("Nothing to confirm."), _("No change is held on this channel.")
        )
    return _run_import(target, confirm=True)


@router.get("/channels/{channel}/runs", response={200: Page[ImportRunOut], **PROBLEMS})
def list_runs(request: HttpRequest, channel: str, page: PageQuery) -> dict[str, Any]:
    """List the channel's import runs, newest first."""
    target = channel_for(request, channel)
    runs = ImportRun.objects.filter(channel=target)
    return page_of_queryset(runs, page, f"runs:{target.pk}", run_out, newest_first=True)
