"""The error handlers an API-key blueprint registers, each answering in its API's own format."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Response, request
from werkzeug.exceptions import HTTPException

from portal.error_handlers import register_database_fault_handlers
from portal.extensions import db

log = logging.getLogger(__name__)


def register_api_error_handlers(
    bp,
    *,
    http_error: Callable[[HTTPException], Response],
    conflict: Callable[[], Response],
    unavailable: Callable[[], Response],
    refused: Callable[[], Response],
    unexpected: Callable[[], Response],
) -> None:
    """On `bp`, each after a rollback: HTTP errors (a 405 with its Allow header), database faults,
    and any other exception (logged)."""

    @bp.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        db.session.rollback()
        response = http_error(exc)
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    register_database_fault_handlers(
        bp, conflict=conflict, unavailable=unavailable, refused=refused, failed=lambda exc: _unexpected(exc)
    )

    @bp.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return unexpected()
