"""The operator's admin: organizations and their quotas, channels, webhooks, deliveries."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from icalbridge.hub.models import (
    Alert,
    AlertDelivery,
    Booking,
    Channel,
    Membership,
    Organization,
    Unit,
    UserPreference,
    WebhookTarget,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "max_units", "max_channels", "min_poll_interval_s", "created_at"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name"]}),
        ("Quotas", {"fields": ["max_units", "max_channels", "min_poll_interval_s"]}),
    ]
    inlines = [MembershipInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "timezone", "check_in", "check_out", "created_at"]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name"]
    readonly_fields = ["public_id", "created_at"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "unit",
        "platform",
        "state",
        "last_success_at",
        "consecutive_failures",
        "next_poll_at",
    ]
    list_filter = ["state", "platform", "direction", "is_active"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__name", "unit__organization__name", "import_url"]
    readonly_fields = [
        "public_id",
        "created_at",
        "state",
        "last_attempt_at",
        "last_success_at",
        "last_change_at",
        "consecutive_failures",
        "last_error_code",
        "last_error_message",
        "events_read",
        "claimed_until",
        "claimed_by",
        "etag",
        "last_modified",
        "body_fingerprint",
        "last_export_fetch_at",
        "last_export_fetch_by",
        "export_fetch_count",
    ]
    exclude = ["served_history"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to the operator, never changed here: these rows are history or sync results."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["unit", "kind", "start_date", "end_date", "start_at", "origin", "cancelled_at"]
    list_filter = ["kind", "all_day"]
    list_select_related = ["unit", "origin"]
    search_fields = ["unit__name", "summary", "remote_uid"]
    exclude = ["scope"]


@admin.register(WebhookTarget)
class WebhookTargetAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "is_active", "consecutive_failures", "disabled_at"]
    list_filter = ["is_active"]
    list_select_related = ["organization"]
    readonly_fields = ["consecutive_failures", "failing_since", "disabled_at", "created_at"]
    actions = ["switch_on"]

    @admin.action(description="Switch on again (resets the failure count)")
    def switch_on(self, request: HttpRequest, queryset: Any) -> None:
        queryset.update(
            is_active=True, consecutive_failures=0, failing_since=None, disabled_at=None
        )


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "status",
        "email",
        "webhook",
        "attempt",
        "response_code",
        "next_attempt_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["webhook"]
    search_fields = ["email", "webhook__url", "error"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "cause", "organization", "channel", "handled_at"]
    list_filter = ["cause"]
    list_select_related = ["organization", "channel__unit"]


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "digest", "last_digest_at"]
    list_filter = ["language", "digest"]
    raw_id_fields = ["user"]
