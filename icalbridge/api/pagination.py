"""Every list answers {"items", "next"}: keyset pages walked with an opaque, signed cursor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import BaseModel, Field

from icalbridge.api.problems import invalid

T = TypeVar("T")
M = TypeVar("M", bound=Model)
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_SALT = "icalbridge.api.cursor"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(
        description="Pass as ?cursor= to read the next page; null on the last page."
    )


class PageParams(Schema):
    cursor: str | None = Field(None, description="The `next` of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")


PageQuery = Query[PageParams]


def _after(cursor: str | None, scope: str) -> int | None:
    if not cursor:
        return None
    try:
        # Signed so that a cursor cannot be forged to probe keys; scoped so that one
        # list's cursor is refused by another.
        where, key = signing.loads(cursor, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise invalid("cursor", _("This cursor is not valid; start again without it.")) from None
    if where != scope or not isinstance(key, int):
        raise invalid("cursor", _("This cursor belongs to another list.")) from None
    return key


def _cursor(scope: str, key: int) -> str:
    return signing.dumps([scope, key], salt=_SALT, compress=False)


def page_of_queryset(
    queryset: QuerySet[M],
    params: PageParams,
    scope: str,
    render: Callable[[M], Any],
    *,
    newest_first: bool = False,
) -> dict[str, Any]:
    """Return one page of rows in primary-key order, rendered, with the cursor to the next."""
    after = _after(params.cursor, scope)
    ordered = queryset.order_by("-pk" if newest_first else "pk")
    if after is not None:
        ordered = ordered.filter(pk__lt=after) if newest_first else ordered.filter(pk__gt=after)
    rows = list(ordered[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return {
        "items": [render(row) for row in rows],
        "next": _cursor(scope, rows[-1].pk) if more else None,
    }


def page_of_sequence(items: Sequence[T], params: PageParams, scope: str) -> dict[str, Any]:
    """Return one page of a fixed, ordered sequence."""
    after = _after(params.cursor, scope)
    start = 0 if after is None else after
    chunk = list(items[start : start + params.limit])
    end = start + len(chunk)
    return {"items": chunk, "next": _cursor(scope, end) if end < len(items) else None}
