"""What the API reads and writes about channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field, field_validator

from icalbridge.api.field_checks import existing_zone, stripped_name
from icalbridge.core.bookings import Direction, ImportMode, Kind

MIN_POLL_INTERVAL_S = 5 * 60


class ChannelIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    platform: str = Field("other", description="A preset id from GET /platforms.")
    direction: Direction = Direction.BOTH
    import_url: str | None = Field(
        None,
        max_length=2000,
        description="The platform's calendar link; required to import. webcal:// is read as https://.",
    )
    confirm_import_url: bool = Field(
        False,
        description=(
            "The import URL is checked when the channel is created. A link that can never "
            "work is refused (a private or loopback address, a scheme other than http, https "
            "or webcal, a link another channel of the unit imports already): 400, "
            "problem type invalid-input, field import_url. A link whose check failed in a way "
            "that may pass (404, a web page instead of a calendar, a time-out, an unknown "
            "host) is refused with problem type import-url-unconfirmed, field import_url; "
            "send the request again with confirm_import_url true to save it anyway."
        ),
    )
    dtend_is_checkout: bool | None = Field(None, description="Default: the platform preset's.")
    import_mode: ImportMode | None = Field(None, description="Default: the platform preset's.")
    ignore_phrases: list[str] | None = Field(None, description="Default: the platform preset's.")
    floating_tz: str | None = Field(None, description="Zone for times without one.")
    poll_interval_s: int | None = Field(
        None,
        ge=MIN_POLL_INTERVAL_S,
        le=7 * 86400,
        description="How often we import the link. Default: the hub's interval (15 minutes).",
    )
    export_kinds: list[Kind] = Field([], description="Empty: every kind.")
    export_categories: list[str] = Field([], description="Empty: every category.")

    @field_validator("name")
    @classmethod
    def name_is_not_blank(cls, value: str) -> str:
        return stripped_name(value)

    @field_validator("floating_tz")
    @classmethod
    def zone_exists(cls, value: str | None) -> str | None:
        if not value:
            return None
        return existing_zone(value)


class MeasuredDelaysOut(Schema):
    read_interval_p50_s: int | None = Field(description="Time between the platform's fetches.")
    read_interval_p90_s: int | None
    read_delay_p50_s: int | None = Field(
        description="From a change entering our feed to the platform fetching it."
    )
    read_delay_p90_s: int | None
    applied_delay_p50_s: int | None = Field(
        description="From a change entering our feed to the platform's feed showing it blocked."
    )
    applied_delay_p90_s: int | None


class ExportStatusOut(Schema):
    state: str = Field(description="ok, warning, error or never.")
    reason: str = Field(
        description="ok, export_never_fetched, export_unreachable_address, "
        "export_not_fetched or export_not_applied."
    )
    message: str
    last_fetch_at: datetime | None
    last_fetch_by: str | None
    usual_fetch_interval_s: int | None = Field(
        description="Learned from the platform's own fetches over the last 30 days."
    )
    applied_delay_p50_s: int | None = Field(
        description="Median time, over the last 30 days, to show our change blocked."
    )
    not_applied: list[dict[str, str]] = Field(
        description="The runs of nights not applied: start and end (check-out) days."
    )
    measured: MeasuredDelaysOut


class ChannelStatusOut(Schema):
    state: str = Field(description="ok, warning, error or never.")
    reason: str
    message: str = Field(description="In the language of Accept-Language, else the caller's.")
    last_error_code: str | None = Field(
        None, description="Why the last import failed (http_error, not_calendar, timeout, ...)."
    )
    last_import_at: datetime | None
    last_attempt_at: datetime | None
    events_read: int | None
    consecutive_failures: int
    last_export_fetch_at: datetime | None
    last_export_fetch_by: str | None
    export: ExportStatusOut | None = Field(description="null for a channel that only imports.")


class HeldOut(Schema):
    reason: str
    would_cancel: int
    would_add: int
    message: str
    created_at: datetime


class ChannelOut(Schema):
    id: str
    unit: str
    name: str
    platform: str
    direction: Direction
    import_url: str | None
    export_url: str | None
    export_webcal_url: str | None
    dtend_is_checkout: bool
    import_mode: ImportMode
    ignore_phrases: list[str]
    floating_tz: str | None
    poll_interval_s: int
    export_kinds: list[str]
    export_categories: list[str]
    next_poll_at: datetime | None
    created_at: datetime
    status: ChannelStatusOut
    held: HeldOut | None


class ExportUrlOut(Schema):
    export_url: str
    export_webcal_url: str


class ImportRunOut(Schema):
    id: str
    trigger: str
    outcome: str = Field(description="applied, unchanged, held or failed.")
    started_at: datetime
    finished_at: datetime | None
    http_status: int | None
    events_read: int | None
    added: int
    moved: int
    updated: int
    cancelled: int
    held: int
    error_code: str | None
    message: str
    problems: list[dict[str, Any]] = Field(
        description="What the reader repaired or skipped: code, params, message (translated)."
    )
