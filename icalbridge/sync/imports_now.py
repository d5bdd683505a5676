"""Run an import under a claim: on schedule (claimed by the worker) or at once ("Import now")."""

from __future__ import annotations

import logging
import time

from django.db import close_old_connections

from icalbridge import clock
from icalbridge.hub.models import Channel, ImportRun
from icalbridge.sync.claims import claim_channel, release_channel
from icalbridge.sync.importer import ClaimLost, import_channel
from icalbridge.sync.status_facts import INTERNAL_ERROR, record_failure

log = logging.getLogger(__name__)


class ChannelBusy(Exception):
    """Another worker is importing this channel right now."""


def import_claimed(
    channel_id: int, owner: str, *, trigger: str = "schedule", confirm: bool = False
) -> ImportRun | None:
    """Import a channel whose claim ``owner`` holds, and always give the claim back."""
    close_old_connections()
    holds_claim = True
    try:
        run = import_channel(channel_id, trigger=trigger, confirm=confirm, owner=owner)
        # The import's last write gave the claim back when it still held it.
        holds_claim = run.channel.claimed_by == owner
        return run
    except ClaimLost:
        log.info("claim on channel %s expired before its import started; skipped", channel_id)
        holds_claim = False
        return None
    except Channel.DoesNotExist:
        return None
    except Exception:
        # A bug or a database fault must not kill the worker nor leave the channel
        # silently stuck: the failure is recorded and the channel backs off.
        log.exception("import of channel %s failed", channel_id)
        return _record_internal_failure(channel_id, trigger)
    finally:
        if holds_claim:
            _release_quietly(channel_id, owner)
        else:
            close_old_connections()


def _release_quietly(channel_id: int, owner: str) -> None:
    try:
        release_channel(channel_id, owner, None)
    except Exception:
        log.exception("could not release channel %s; its claim will expire", channel_id)
    close_old_connections()


def _record_internal_failure(channel_id: int, trigger: str) -> ImportRun | None:
    try:
        close_old_connections()
        channel = Channel.objects.filter(pk=channel_id).first()
        if channel is None:
            return None
        return record_failure(
            channel,
            clock.now(),
            trigger,
            None,
            code=INTERNAL_ERROR,
        )
    except Exception:
        # The database itself is failing (full disk, lost connection): nothing can be
        # recorded now; the claim expires and the next import tells the truth.
        log.exception("could not record the failed import of channel %s", channel_id)
        return None


def import_now(channel_id: int, *, confirm: bool = False, wait_s: float = 30.0) -> ImportRun | None:
    """Import a channel at once, waiting for a worker that holds it to finish first."""
    owner = f"now-{time.monotonic_ns()}"
    deadline = time.monotonic() + wait_s
    while not claim_channel(channel_id, clock.now(), owner):
        if time.monotonic() > deadline:
            raise ChannelBusy(channel_id)
        time.sleep(0.2)
    return import_claimed(
        channel_id, owner, trigger="confirm" if confirm else "manual", confirm=confirm
    )
