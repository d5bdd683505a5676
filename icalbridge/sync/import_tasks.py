"""The queue's import task: a worker imports the channel it claimed."""

from __future__ import annotations

from icalbridge.sync.imports_now import import_claimed
from icalbridge.sync.queue import huey


@huey.task()
def import_claimed_channel(channel_id: int, owner: str) -> None:
    """Import a channel this worker claimed, then give the claim back."""
    import_claimed(channel_id, owner)


def enqueue_import(channel_id: int, owner: str) -> None:
    import_claimed_channel(channel_id, owner)
