"""Template filters for the host's pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from icalbridge.core.bookings import Direction, Kind
from icalbridge.web.forms import KIND_LABELS

register = template.Library()


@register.filter
def direction_label(value: str) -> str:
    """Return a channel direction in words."""
    return {
        Direction.IMPORT: _("We read their calendar"),
        Direction.EXPORT: _("They read ours"),
        Direction.BOTH: _("Both ways"),
    }.get(Direction(value), value)


@register.filter
def kind_label(value: str) -> str:
    """Return a booking kind in words."""
    return str(KIND_LABELS.get(Kind(value), value))
