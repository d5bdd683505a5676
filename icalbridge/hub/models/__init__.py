"""The hub's stored facts, one module per concept."""

from icalbridge.hub.models.agenda_feed import AgendaFeed
from icalbridge.hub.models.alerting import (
    Alert,
    AlertCause,
    AlertDelivery,
    DeliveryKind,
    DeliveryStatus,
    Language,
    UserPreference,
    WebhookTarget,
)
from icalbridge.hub.models.api_token import ApiToken
from icalbridge.hub.models.audit import AuditAction, AuditEvent
from icalbridge.hub.models.booking import Booking, BookingMove
from icalbridge.hub.models.caldav_push import CaldavEvent, CaldavPush
from icalbridge.hub.models.channel import Channel, ChannelState
from icalbridge.hub.models.conflict import Conflict, ConflictState
from icalbridge.hub.models.export_loop import ExportFetch, ExportVersion, PlatformView
from icalbridge.hub.models.held_change import HeldChange
from icalbridge.hub.models.import_run import ImportOutcome, ImportRun
from icalbridge.hub.models.organization import Membership, Organization, Role
from icalbridge.hub.models.published_feed import PublishedFeed
from icalbridge.hub.models.status_change import StatusChange
from icalbridge.hub.models.unit import Unit

__all__ = [
    "AgendaFeed",
    "Alert",
    "AlertCause",
    "AlertDelivery",
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "Booking",
    "BookingMove",
    "CaldavEvent",
    "CaldavPush",
    "Channel",
    "ChannelState",
    "Conflict",
    "ConflictState",
    "DeliveryKind",
    "DeliveryStatus",
    "ExportFetch",
    "ExportVersion",
    "HeldChange",
    "ImportOutcome",
    "ImportRun",
    "Language",
    "Membership",
    "Organization",
    "PlatformView",
    "PublishedFeed",
    "Role",
    "StatusChange",
    "Unit",
    "UserPreference",
    "WebhookTarget",
]
