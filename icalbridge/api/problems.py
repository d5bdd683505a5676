"""Errors as RFC 9457 problem details: every failure of the API answers the same shape."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from icalbridge.api.validation_texts import validation_text
from icalbridge.busy_database import RETRY_AFTER_S, is_busy_database

log = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Relative references: RFC 9457 resolves them against the request's URL.
TYPE_BASE = "/api/v1/problems/"
# Parameter names the views give their JSON body; not part of a field's name for clients.
_BODY_PARAMS = frozenset({"payload"})


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


# Not frozen: raising an exception sets attributes (__traceback__) on it.
@dataclass(eq=False)
class ApiProblem(Exception):
    """A failure to answer as a problem document; raise it from any view."""

    status: int
    slug: str
    title: str
    detail: str = ""
    errors: Sequence[FieldError] = field(default_factory=tuple)
    retry_after_s: int | None = None

    def __post_init__(self) -> None:
        super().__init__(self.detail or self.title)


class FieldErrorOut(Schema):
    field: str
    message: str


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldErrorOut] = []


# Documents the error answers in the OpenAPI schema; the views raise them as ApiProblem.
PROBLEMS: dict[frozenset[int], type[ProblemOut]] = {
    frozenset({400, 401, 403, 404, 409, 429, 503}): ProblemOut
}


def with_problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    """Document every error answer of an OpenAPI schema as application/problem+json."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if str(status) >= "400" and "application/json" in content:
                    answer["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
    return schema


def invalid(field_name: str, message: str) -> ApiProblem:
    """Return the problem of one input field that cannot be accepted."""
    return ApiProblem(
        400,
        "invalid-input",
        _("The request has invalid input."),
        message,
        (FieldError(field_name, message),),
    )


def not_found() -> ApiProblem:
    # The same answer for "absent" and "belongs to another organization": no hint.
    return ApiProblem(404, "not-found", _("Not found."), _("No such object."))


def forbidden() -> ApiProblem:
    return ApiProblem(
        403, "forbidden", _("Forbidden."), _("Your role in this organization is read-only.")
    )


def conflict(slug: str, title: str, detail: str) -> ApiProblem:
    return ApiProblem(409, slug, title, detail)


def problem_response(problem: ApiProblem) -> HttpResponse:
    """Render a problem as application/problem+json."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + problem.slug,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in problem.errors]
    response = HttpResponse(
        json.dumps(body), status=problem.status, content_type=PROBLEM_CONTENT_TYPE
    )
    if problem.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="icalbridge"'
    if problem.retry_after_s is not None:
        response["Retry-After"] = str(problem.retry_after_s)
    return response


def field_name(location: Sequence[str | int]) -> str:
    """Return the client's name for a pydantic error location ("channels.1", "limit")."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    if parts and parts[0] in _BODY_PARAMS:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def _validation_problem(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = tuple(FieldError(field_name(e.get("loc", ())), validation_text(e)) for e in exc.errors)
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem_response(
        ApiProblem(400, "invalid-input", _("The request has invalid input."), detail, errors)
    )


def _http_problem(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # ninja's body parser failed: the body is not JSON at all.
        message = _("The request body is not valid JSON.")
        return problem_response(invalid("body", message))
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        return problem_response(unauthenticated())
    return problem_response(ApiProblem(exc.status_code, "http-error", str(exc), str(exc)))


def unauthenticated() -> ApiProblem:
    return ApiProblem(
        401,
        "unauthenticated",
        _("Authentication required."),
        _("Send a valid API token: Authorization: Bearer <token>."),
    )


def busy() -> ApiProblem:
    return ApiProblem(
        503,
        "busy",
        _("Busy for a moment."),
        _(
            "The hub is busy saving other changes and could not save yours. "
            "Nothing was changed: send the same request again in %(wait)d seconds."
        )
        % {"wait": RETRY_AFTER_S},
        retry_after_s=RETRY_AFTER_S,
    )


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if is_busy_database(exc):
        return problem_response(busy())
    log.exception("API request %s %s failed", request.method, request.path)
    return problem_response(
        ApiProblem(500, "internal-error", _("Internal error."), _("The request failed."))
    )


def _problem_of(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return problem_response(exc)


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(not_found())


def install_problem_handlers(api: NinjaAPI) -> None:
    """Make every error of ``api`` a problem document, ninja's own ones included."""
    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (ApiProblem, _problem_of),
        (ValidationError, _validation_problem),
        (HttpError, _http_problem),
        (Http404, _not_found),
        (Exception, _unexpected),
    ]
    for exc_class, handler in handlers:
        # ninja types a handler's argument as "an instance or the class"; ours take instances.
        api.add_exception_handler(exc_class, cast(Any, handler))
