from __future__ import annotations

from django.apps import AppConfig


class OperatorsConfig(AppConfig):
    name = "icalbridge.operators"
    label = "operators"
