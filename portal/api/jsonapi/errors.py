"""Turning domain errors and HTTP errors into JSON:API `errors` documents on the API blueprints."""

from __future__ import annotations

import logging

from flask import Blueprint, Response
from werkzeug.exceptions import HTTPException

from portal.api.jsonapi.conventions import (
    EmptyUnauthorized,
    JsonApiError,
    empty_response,
    error_object,
    errors_response,
)
from portal.error_handlers import REFUSED_DETAIL, register_database_fault_handlers
from portal.extensions import db
from portal.foundations.errors import Conflict, InvalidState, NotFound, PermissionDenied, ServiceError, ValidationFailed

log = logging.getLogger(__name__)

RELATIONSHIP_FIELDS = ("account",)


def pointer_for(field: str | None) -> str:
    """Where a service's FieldError points inside a create request."""
    if field is None:
        return "/data"
    if field in RELATIONSHIP_FIELDS:
        return f"/data/relationships/{field}"
    return f"/data/attributes/{field}"


def validation_errors(exc: ValidationFailed) -> list[dict]:
    return [error_object(422, e.message, str(e), code="100", pointer=pointer_for(e.field)) for e in exc.errors]


def service_error_response(exc: ServiceError) -> Response:
    db.session.rollback()
    if isinstance(exc, ValidationFailed):
        return errors_response(422, validation_errors(exc))
    if isinstance(exc, NotFound):
        return errors_response(404, [error_object(404, "Record not found", exc.message)])
    if isinstance(exc, PermissionDenied):
        return errors_response(403, [error_object(403, "Forbidden", exc.message)])
    if isinstance(exc, InvalidState):
        return errors_response(422, [error_object(422, "Invalid state", exc.message, pointer="/data")])
    if isinstance(exc, Conflict):
        return errors_response(409, [error_object(409, "Conflict", exc.message)])
    return errors_response(exc.status, [error_object(exc.status, type(exc).__name__, exc.message)])


def register_error_handlers(bp: Blueprint, *, empty_unauthorized: bool) -> None:
    """JSON:API errors for everything raised under `bp`; a 500 rolls back and never shows a traceback."""

    @bp.errorhandler(JsonApiError)
    def _jsonapi_error(exc: JsonApiError):
        db.session.rollback()
        return errors_response(exc.status, exc.errors, exc.headers)

    @bp.errorhandler(EmptyUnauthorized)
    def _unauthorized(exc: EmptyUnauthorized):
        db.session.rollback()
        if empty_unauthorized:
            return empty_response(401, {"WWW-Authenticate": "Bearer"})
        return errors_response(
            401,
            [error_object(401, "Authorization failed", "Authorization token expired or incorrect.")],
            {"WWW-Authenticate": "Bearer"},
        )

    @bp.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        return service_error_response(exc)

    @bp.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        headers = {}
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
        if exc.code == 429:
            headers["Retry-After"] = str(getattr(exc, "retry_after", None) or 60)
            return errors_response(
                429,
                [error_object(429, "Too many requests", "Too many attempts; please wait a minute and retry.")],
                headers,
            )
        return errors_response(exc.code, [error_object(exc.code, exc.name, exc.description or exc.name)], headers)

    # A code-specific app handler (the sign-in pages' 429) would win over the class handler above.
    bp.register_error_handler(429, _http_error)

    register_database_fault_handlers(
        bp,
        conflict=lambda: errors_response(
            409, [error_object(409, "Conflict", "A concurrent change won; retry the request.")]
        ),
        unavailable=lambda: errors_response(
            503, [error_object(503, "Service unavailable", "The database is busy or unreachable; please retry.")]
        ),
        refused=lambda: errors_response(400, [error_object(400, "Value refused", REFUSED_DETAIL)]),
        failed=lambda exc: _unexpected(exc),
    )

    @bp.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error in the JSON:API")
        return errors_response(
            500, [error_object(500, "Internal server error", "Something went wrong on our side; it has been logged.")]
        )
