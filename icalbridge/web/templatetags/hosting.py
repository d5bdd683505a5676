"""Template filters for the host's pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from icalbridge.core.bookings import Direction, Kind
from icalbridge.elision import elided as elided_text
from icalbridge.hub.models import Channel, ImportRun
from icalbridge.wording import run_texts
from icalbridge.wording.kind_names import KIND_LABELS

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


@register.filter
def last_error(channel: Channel) -> str:
    """Return why the channel's last import failed, in the reader's language."""
    return run_texts.channel_error_text(channel)


@register.filter
def run_text(run: ImportRun) -> str:
    """Return what an import run tells the host, in the reader's language."""
    return run_texts.run_text(run)


@register.filter(is_safe=True)
def elided(text: str) -> str:
    """Return a sentence with French elision before the names it quotes ("d'Airbnb")."""
    return elided_text(str(text))
