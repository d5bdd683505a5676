from __future__ import annotations

from django.urls import include, path

from icalbridge.web import (
    account_data,
    accounts,
    agenda_feeds,
    bookings,
    calendar_grid,
    channels,
    conflicts,
    dashboard,
    members,
    notifications,
)

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/signup/sent/", accounts.signup_sent, name="signup_sent"),
    path(
        "accounts/signup/confirm/<str:uidb64>/<str:token>/",
        accounts.signup_confirm,
        name="signup_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("organization/switch/", dashboard.switch_organization, name="organization_switch"),
    path("account/data/", account_data.account_data_download, name="account_data_download"),
    path("account/delete/", account_data.account_delete, name="account_delete"),
    path("audit/", account_data.audit_log, name="audit_log"),
    path("members/", members.members, name="members"),
    path("members/<int:member_id>/role/", members.member_role, name="member_role"),
    path("members/<int:member_id>/remove/", members.member_remove, name="member_remove"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/webhooks/", notifications.webhook_add, name="webhook_add"),
    path(
        "notifications/webhooks/<int:webhook_id>/enable/",
        notifications.webhook_enable,
        name="webhook_enable",
    ),
    path(
        "notifications/webhooks/<int:webhook_id>/remove/",
        notifications.webhook_remove,
        name="webhook_remove",
    ),
    path("units/new/", dashboard.unit_create, name="unit_create"),
    path("units/<uuid:unit_id>/", calendar_grid.unit_calendar, name="unit_calendar"),
    path("units/<uuid:unit_id>/edit/", dashboard.unit_edit, name="unit_edit"),
    path("units/<uuid:unit_id>/bookings/new/", bookings.booking_create, name="booking_create"),
    path("units/<uuid:unit_id>/channels/", channels.channel_pick, name="channel_pick"),
    path(
        "units/<uuid:unit_id>/channels/new/<slug:platform_id>/",
        channels.channel_create,
        name="channel_create",
    ),
    path(
        "units/<uuid:unit_id>/channels/check-link/",
        channels.channel_check_url,
        name="channel_check_url",
    ),
    path("bookings/<uuid:booking_id>/", bookings.booking_detail, name="booking_detail"),
    path("bookings/<uuid:booking_id>/cancel/", bookings.booking_cancel, name="booking_cancel"),
    path("channels/<uuid:channel_id>/", channels.channel_detail, name="channel_detail"),
    path("channels/<uuid:channel_id>/edit/", channels.channel_edit, name="channel_edit"),
    path("channels/<uuid:channel_id>/import/", channels.channel_import, name="channel_import"),
    path(
        "channels/<uuid:channel_id>/reset-link/",
        channels.channel_reset_link,
        name="channel_reset_link",
    ),
    path("channels/<uuid:channel_id>/remove/", channels.channel_remove, name="channel_remove"),
    path("channels/<uuid:channel_id>/held/apply/", channels.held_apply, name="held_apply"),
    path("channels/<uuid:channel_id>/held/keep/", channels.held_keep, name="held_keep"),
    path("conflicts/<int:conflict_id>/", conflicts.conflict_detail, name="conflict_detail"),
    path("agenda-feeds/", agenda_feeds.agenda_feeds, name="agenda_feeds"),
    path(
        "agenda-feeds/<int:agenda_id>/revoke/",
        agenda_feeds.agenda_feed_revoke,
        name="agenda_feed_revoke",
    ),
    path(
        "agenda-feeds/<int:agenda_id>/caldav/",
        agenda_feeds.agenda_feed_caldav,
        name="agenda_feed_caldav",
    ),
    path(
        "agenda-feeds/<int:agenda_id>/caldav/stop/",
        agenda_feeds.agenda_feed_caldav_stop,
        name="agenda_feed_caldav_stop",
    ),
]
