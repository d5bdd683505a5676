from __future__ import annotations

from django.urls import path

from icalbridge.operators import views

urlpatterns = [
    path("", views.health, name="operator_health"),
]
