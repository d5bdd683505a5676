"""A booking's kind in the reader's language, as the pages and the refusals name it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from icalbridge.core.bookings import Kind

KIND_LABELS = {
    Kind.RESERVED: _("Reserved"),
    Kind.TENTATIVE: _("Tentative"),
    Kind.UNAVAILABLE: _("Unavailable"),
}
