from __future__ import annotations

from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "icalbridge.hub"
    label = "hub"
    verbose_name = "icalbridge"
