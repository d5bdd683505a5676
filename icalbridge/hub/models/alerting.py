from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_webhook_secret() -> str:
    return secrets.token_hex(32)


class AlertCause(models.TextChoices):
    FAILING = "failing", _("imports failing")
    STALE = "stale", _("no successful import for too long")
    HELD = "held", _("removal waiting for a decision")
    DOUBLE_BOOKING = "double_booking", _("double booking")
    RECOVERED = "recovered", _("back to normal")
    WEBHOOK_DISABLED = "webhook_disabled", _("webhook switched off")
    EXPORT_NOT_FETCHED = "export_not_fetched", _("platform no longer reads our link")
    EXPORT_NOT_APPLIED = "export_not_applied", _("platform does not block our dates")
    EXPORT_RECOVERED = "export_recovered", _("platform reads and applies our link again")
    CALDAV_FAILING = "caldav_failing", _("agenda no longer written into your calendar")
    CALDAV_RECOVERED = "caldav_recovered", _("agenda written into your calendar again")


class Alert(models.Model):
    """Something the organization's people should hear about, drained by the worker.

    Made from the outboxes (status changes, new conflicts) and from stale channels; one
    per channel and cause until the cause changes, so a lasting failure is told once.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "hub.Organization", on_delete=models.CASCADE, related_name="alerts"
    )
    cause = models.CharField(max_length=20, choices=AlertCause.choices)
    channel = models.ForeignKey(
        "hub.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    conflict = models.ForeignKey(
        "hub.Conflict", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    webhook = models.ForeignKey(
        "hub.WebhookTarget",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    # A personal alert: told to the push's owner alone.
    caldav_push = models.ForeignKey(
        "hub.CaldavPush", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    message = models.TextField(blank=True)
    created_at = models.DateTimeField()
    # A lease, not a lock: a worker killed while sending leaves the alert to the next one.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["channel", "-created_at"])]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.get_cause_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class WebhookTarget(models.Model):
    """A URL that receives the organization's alerts as signed JSON."""

    # The id the API names it by (docs/architecture.md house rule 7: no primary key in public).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "hub.Organization", on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("URL"), max_length=2000)
    secret = models.CharField(_("signing secret"), max_length=128, default=new_webhook_secret)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization_id", "id"]
        verbose_name = _("webhook target")
        verbose_name_plural = _("webhook targets")

    def __str__(self) -> str:
        return self.url


class DeliveryKind(models.TextChoices):
    EMAIL = "email", _("e-mail")
    DIGEST = "digest", _("daily digest")
    WEBHOOK = "webhook", _("webhook")


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    GAVE_UP = "gave_up", _("failed, given up")
    QUEUED = "queued", _("waiting for the digest")


class AlertDelivery(models.Model):
    """One attempt to tell one recipient about one alert, and what came of it."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=10, choices=DeliveryKind.choices)
    channel = models.ForeignKey(
        "hub.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conflict = models.ForeignKey(
        "hub.Conflict", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_deliveries",
    )
    email = models.CharField(max_length=254, blank=True)
    webhook = models.ForeignKey(
        WebhookTarget,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    attempt = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "kind"])]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")


class Language(models.TextChoices):
    FRENCH = "fr", "Français"
    ENGLISH = "en", "English"


class UserPreference(models.Model):
    """How a person wants to hear about alerts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference"
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.FRENCH
    )
    digest = models.BooleanField(
        _("one daily digest instead of immediate e-mails (double bookings stay immediate)"),
        default=False,
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("alert preference")
        verbose_name_plural = _("alert preferences")
