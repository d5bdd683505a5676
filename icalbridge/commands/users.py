"""Create users from the command line."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from icalbridge.hub.models import ApiToken
from icalbridge.organizations.owners import new_user_with_organization


def create_user(email: str, password: str, *, api_token: bool, org: str | None) -> int:
    """Create a user; print an API token on the last line when asked. Exit 2 on bad input."""
    try:
        validate_email(email)
    except ValidationError:
        print(f"'{email}' is not an e-mail address.", file=sys.stderr)
        return 2
    if get_user_model().objects.filter(username=email).exists():
        print(f"A user {email} exists already.", file=sys.stderr)
        return 2
    try:
        validate_password(password)
    except ValidationError as exc:
        print("Password refused: " + " ".join(exc.messages), file=sys.stderr)
        return 2
    user, organization = new_user_with_organization(email, password, org)
    print(f"Created {email}, owner of '{organization.name}'.")
    if api_token:
        _, key = ApiToken.issue(user, "command line")
        print(key)
    return 0
