from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models


def new_feed_token() -> str:
    """Return a URL-safe secret of 192 random bits (docs/domain.md: at least 128)."""
    return secrets.token_urlsafe(24)


def hash_of_token(token: str) -> str:
    """Return the SHA-256 of a feed token, the key feeds are looked up by."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class PublishedFeed(models.Model):
    """A feed we serve at /ical/<token>.ics: a channel's export or a personal agenda feed.

    The bytes, their gzip and their ETag are stored when bookings change, so that a
    request is one indexed lookup and a write of bytes.
    """

    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    # Looked up by the hash, not the token: an index walk compares the presented token
    # byte by byte with stored ones, and its timing would tell a prober how much matched.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    channel = models.OneToOneField(
        "hub.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="feed"
    )
    agenda = models.OneToOneField(
        "hub.AgendaFeed", null=True, blank=True, on_delete=models.CASCADE, related_name="feed"
    )
    body = models.BinaryField(default=b"")
    body_gzip = models.BinaryField(default=b"")
    etag = models.CharField(max_length=80, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    nights = models.JSONField(default=list, blank=True)
    event_count = models.PositiveIntegerField(default=0)
    # What the current bytes say of each event (UID: [digest of what it shows, SEQUENCE,
    # LAST-MODIFIED]): the next rendering compares with it rather than read the bytes back.
    revisions = models.JSONField(default=dict, blank=True)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.token_hash = hash_of_token(self.token)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "token" in update_fields:
            kwargs["update_fields"] = {*update_fields, "token_hash"}
        super().save(*args, **kwargs)

    def reset_token(self) -> None:
        self.token = new_feed_token()

    @property
    def path(self) -> str:
        return f"/ical/{self.token}.ics"

    @property
    def url(self) -> str:
        return f"{settings.PUBLIC_URL}{self.path}"

    @property
    def webcal_url(self) -> str:
        return "webcal://" + self.url.split("://", 1)[1]
