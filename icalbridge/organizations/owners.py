"""A new user who owns a new organization: on sign-up, from the command line, in the demo."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from icalbridge.hub.models import Membership, Organization, Role


def new_user_with_organization(
    email: str, password: str, org: str | None = None
) -> tuple[Any, Organization]:
    """Create a user who owns a new organization; return (user, organization)."""
    users = get_user_model()
    with transaction.atomic():
        user = users.objects.create_user(username=email, email=email, password=password)
        organization = Organization.objects.create(name=org or email.split("@")[0])
        Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
    return user, organization
