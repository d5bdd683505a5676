"""Opaque public ids: parse the models' UUIDs, derive one for models that have none."""

from __future__ import annotations

import uuid

from icalbridge.api.problems import not_found

# Rows without a public_id column (organizations, conflicts, import runs) are named in the
# API by a UUID derived from their kind and primary key, so that primary keys never appear
# in it. API tokens, agenda feeds, memberships and webhook targets were named so too, and
# now store that value in their public_id (migration 0006_docs_public_ids).
_NAMESPACE = uuid.UUID("4f1f2b7e-5d1c-4b0e-9a55-6c3b8a1d2e90")


def derived_id(kind: str, pk: int) -> str:
    """Return the stable opaque id of a row that has no public_id."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{pk}"))


def parse_public_id(text: str) -> uuid.UUID:
    """Return the UUID an id stands for; a malformed id is simply not found."""
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        raise not_found() from None
