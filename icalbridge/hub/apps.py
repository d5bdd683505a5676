from __future__ import annotations

from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "icalbridge.hub"
    label = "hub"
    verbose_name = "icalbridge"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from icalbridge.busy_database import set_busy_timeout

        connection_created.connect(set_busy_timeout, dispatch_uid="icalbridge-busy-timeout")
