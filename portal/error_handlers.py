"""App-level error handling: HTML pages for browsers, JSON for machine clients, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from portal.delivery.log_filter import install_token_redaction, redact
from portal.extensions import db
from portal.foundations.errors import ServiceError

log = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/backend/", "/v2/")
# URL prefix -> (status, title, detail) -> response, for APIs with their own error format; used for
# errors raised before a blueprint is known (unrouted paths, 405) under that prefix.
ERROR_RENDERERS: dict = {}
# A DataError's answer: the value itself is not repeated (it may be long or unprintable).
REFUSED_DETAIL = (
    "A value in the request cannot be stored (a character that is not allowed, such as NUL, "
    "or a number out of range); nothing was saved."
)


# The heading of an HTML error page, in plain words (never an exception's class name).
PAGE_TITLES = {
    400: "This request cannot be read",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not possible here",
    409: "Changed meanwhile",
    410: "No longer available",
    413: "Too large",
    422: "This cannot be done",
    429: "Too many attempts",
    500: "Something went wrong",
    502: "Not delivered",
    503: "Temporarily unavailable",
}


def wants_json() -> bool:
    return request.path.startswith(API_PREFIXES)


def _render(status: int, title: str, detail: str):
    for prefix, renderer in ERROR_RENDERERS.items():
        if request.path.startswith(prefix):
            return renderer(status, title, detail), status
    if wants_json():
        return jsonify(error=title, detail=detail, status=status), status
    title = PAGE_TITLES.get(status, title)
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def is_primary_key_violation(exc: IntegrityError) -> bool:
    """True when `exc` is a duplicate primary key: ids come from the database, so no concurrent writer can
    cause one; it means an id sequence fell behind its table (rows written with explicit ids), a fault."""
    orig = exc.orig
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)  # PostgreSQL (psycopg)
    if constraint is not None:
        primary_keys = {table.primary_key.name for table in db.metadata.tables.values()}
        return constraint in primary_keys or constraint.endswith("_pkey")
    # SQLite: "UNIQUE constraint failed: invoices.id" (every column of the violated key, table-qualified).
    message = str(orig)
    if not message.startswith("UNIQUE constraint failed: "):
        return False
    columns = [name.strip().split(".") for name in message.removeprefix("UNIQUE constraint failed: ").split(",")]
    tables = {table for table, _ in columns}
    if len(tables) != 1 or (table := db.metadata.tables.get(tables.pop())) is None:
        return False
    return {column for _, column in columns} == {column.name for column in table.primary_key.columns}


def register_database_fault_handlers(target, *, conflict, unavailable, refused, failed) -> None:
    """On an app or blueprint: a constraint race (IntegrityError: a concurrent writer won, the services
    check first), a busy or lost database (OperationalError) and a value the database refuses (DataError:
    a NUL character in text, a number out of the column's range, input no check stopped earlier) roll the
    transaction back, are logged, and answer `conflict()` (409), `unavailable()` (503) or `refused()` (400)
    in that face's error format. A duplicate primary key is no race (`is_primary_key_violation`): it
    answers `failed(exc)`, the face's unexpected-error answer (500), and is logged as an error."""

    @target.errorhandler(DataError)
    def _value_refused(exc: DataError):
        db.session.rollback()
        log.warning("value refused by the database: %s", exc.orig)
        return refused()

    @target.errorhandler(OperationalError)
    def _database_unavailable(exc: OperationalError):
        db.session.rollback()
        log.warning("database unavailable: %s", exc.orig)
        return unavailable()

    @target.errorhandler(IntegrityError)
    def _constraint_race(exc: IntegrityError):
        if is_primary_key_violation(exc):
            return failed(exc)
        db.session.rollback()
        log.warning("constraint violation (concurrent write): %s", exc.orig)
        return conflict()


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        response = _render(exc.code, exc.name, exc.description or "")
        if exc.code == 429:
            retry = getattr(exc, "retry_after", None) or 60
            body, status = response
            body = app.make_response((body, status))
            body.headers.setdefault("Retry-After", str(retry))
            return body
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            body, status = response
            body = app.make_response((body, status))
            body.headers["Allow"] = ", ".join(exc.valid_methods)
            return body
        return response

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        db.session.rollback()
        return _render(exc.status, type(exc).__name__, exc.message)

    register_database_fault_handlers(
        app,
        conflict=lambda: _render(409, "Conflict", "A concurrent change won; reload the page and retry."),
        unavailable=lambda: _render(503, "Service Unavailable", "The database is busy or unreachable; please retry."),
        refused=lambda: _render(400, "Bad Request", REFUSED_DETAIL),
        failed=lambda exc: _unexpected(exc),
    )

    # The lines below name the path, and an exception's message may quote the URL: under /d/ both hold a
    # download token, which the filter on this logger replaces (message and traceback) before any handler.
    install_token_redaction(log)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, redact(request.path))
        return _render(500, "Internal Server Error", "Something went wrong on our side; it has been logged.")
