"""The page of the web interface where the host fixes what an alert is about."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from icalbridge.hub.models import Alert


def page_path(alert: Alert) -> str:
    """Return the path of the page that fixes the alert's cause."""
    if alert.conflict_id is not None:
        return reverse("conflict_detail", kwargs={"conflict_id": alert.conflict_id})
    if alert.caldav_push_id is not None:
        return reverse("agenda_feeds")
    if alert.channel is not None:
        return reverse("channel_detail", kwargs={"channel_id": alert.channel.public_id})
    return reverse("dashboard")


def page_url(alert: Alert) -> str:
    """Return the absolute link to the alert's page, on the hub's public address."""
    return settings.PUBLIC_URL + page_path(alert)
