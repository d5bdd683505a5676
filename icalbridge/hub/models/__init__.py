"""The hub's stored facts, one module per concept."""

from icalbridge.hub.models.agenda_feed import AgendaFeed
from icalbridge.hub.models.api_token import ApiToken
from icalbridge.hub.models.booking import Booking, BookingMove
from icalbridge.hub.models.channel import Channel, ChannelState
from icalbridge.hub.models.conflict import Conflict, ConflictState
from icalbridge.hub.models.held_change import HeldChange
from icalbridge.hub.models.import_run import ImportOutcome, ImportRun
from icalbridge.hub.models.organization import Membership, Organization, Role
from icalbridge.hub.models.published_feed import PublishedFeed
from icalbridge.hub.models.status_change import StatusChange
from icalbridge.hub.models.unit import Unit

__all__ = [
    "AgendaFeed",
    "ApiToken",
    "Booking",
    "BookingMove",
    "Channel",
    "ChannelState",
    "Conflict",
    "ConflictState",
    "HeldChange",
    "ImportOutcome",
    "ImportRun",
    "Membership",
    "Organization",
    "PublishedFeed",
    "Role",
    "StatusChange",
    "Unit",
]
