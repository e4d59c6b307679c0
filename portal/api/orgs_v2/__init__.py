"""Orgs API v2 (`/v2/orgs/{orgId}/…`): an account's invoices in a date window, for API-key clients."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from portal.api.error_handlers import register_api_error_handlers
from portal.api.key_auth import MISSING, authenticate
from portal.error_handlers import ERROR_RENDERERS, REFUSED_DETAIL
from portal.extensions import csrf, db
from portal.foundations.errors import PermissionDenied, ServiceError

PREFIX = "/v2"
bp = Blueprint("orgs_v2", __name__, url_prefix=PREFIX)
csrf.exempt(bp)


def error_message(status: int, message: str):
    """The ErrorMessage body: {"code": <HTTP status>, "message": <what went wrong>}."""
    response = jsonify(code=status, message=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="orgs-v2"'
    return response


def _app_level_error(status: int, title: str, detail: str):
    """Errors raised before the blueprint is known (unrouted paths, 405) as ErrorMessage bodies."""
    if status >= 500:
        return error_message(status, "Internal server error; it has been logged.")
    return error_message(status, detail or title)


ERROR_RENDERERS[PREFIX + "/"] = _app_level_error


@bp.before_request
def _authenticate():
    caller = authenticate(allow_x_api_key=True)
    if isinstance(caller, str):
        return error_message(
            401,
            "Send an API key as 'Authorization: Bearer <key>' or 'x-api-key: <key>'."
            if caller == MISSING
            else "The API key is unknown, malformed or revoked.",
        )
    if not caller.has_scope("read"):
        return error_message(403, "The API key lacks the 'read' scope.")
    g.api_caller = caller
    return None


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    db.session.rollback()
    status = 400 if exc.status == 422 else exc.status
    if isinstance(exc, PermissionDenied):
        status = 403
    return error_message(status, exc.message)


register_api_error_handlers(
    bp,
    http_error=lambda exc: error_message(exc.code or 500, exc.description or exc.name),
    conflict=lambda: error_message(409, "A concurrent change won; retry the request."),
    unavailable=lambda: error_message(503, "The database is busy or unreachable; retry the request."),
    refused=lambda: error_message(400, REFUSED_DETAIL),
    unexpected=lambda: error_message(500, "Internal server error; it has been logged."),
)


from portal.api.orgs_v2 import routes  # noqa: E402,F401 - attach the routes
