from __future__ import annotations

from django.urls import path

from icalbridge.ops.health import healthz
from icalbridge.ops.metrics import metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
]
