from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from icalbridge.hub.models.organization import Organization


class AuditAction(models.TextChoices):
    EXPORT_LINK_RESET = "export_link_reset", _("export link reset")
    MEMBER_ADDED = "member_added", _("member added")
    MEMBER_REMOVED = "member_removed", _("member removed")
    ROLE_CHANGED = "role_changed", _("role changed")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
    DATA_DOWNLOADED = "data_downloaded", _("data downloaded")
    ACCOUNT_DELETED = "account_deleted", _("account deleted")
    WEBHOOK_ADDED = "webhook_added", _("webhook added")
    WEBHOOK_REMOVED = "webhook_removed", _("webhook removed")


class AuditEvent(models.Model):
    """A security-relevant change in an organization: who did what, to what, from where.

    Kept when the actor's account is deleted (the actor becomes empty, ``actor_email``
    remains); deleted with the organization.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "-at"])]
