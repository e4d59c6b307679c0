"""Backend API v1 (`/backend/api/v1`): API-key clients read, create, change and act on invoices."""

from __future__ import annotations

from flask import Blueprint, g, request

from portal.api.backend_v1.errors import ApiError, error_response, service_error_code, status_error_response
from portal.api.error_handlers import register_api_error_handlers
from portal.api.key_auth import MISSING, authenticate
from portal.error_handlers import ERROR_RENDERERS, REFUSED_DETAIL
from portal.extensions import csrf, db
from portal.foundations.errors import DeliveryFailed, ServiceError

PREFIX = "/backend/api/v1"
bp = Blueprint("backend_v1", __name__, url_prefix=PREFIX)
csrf.exempt(bp)

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


# Errors raised before the blueprint is known (unrouted paths, 405) answer in this API's format too.
ERROR_RENDERERS[PREFIX + "/"] = status_error_response


@bp.before_request
def _authenticate():
    """Every route: a live key (401 otherwise) with the scope of the method (403001 otherwise)."""
    caller = authenticate()
    if isinstance(caller, str):
        return error_response(401001 if caller == MISSING else 401002)
    g.api_caller = caller
    scope = "read" if request.method in READ_METHODS else "write"
    if not caller.has_scope(scope):
        return error_response(403001, f"This request needs the '{scope}' scope")
    return None


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    db.session.rollback()
    return error_response(exc.code, exc.detail)


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    caller = g.get("api_caller")
    code = service_error_code(exc, caller.actor.kind if caller else "api")
    if isinstance(exc, DeliveryFailed):
        # The failed attempt is recorded by the delivery service; keep that record.
        db.session.commit()
    else:
        db.session.rollback()
    return error_response(code, exc.message)


register_api_error_handlers(
    bp,
    http_error=lambda exc: status_error_response(exc.code or 500, exc.name, exc.description or ""),
    conflict=lambda: error_response(409001),
    unavailable=lambda: error_response(503001),
    refused=lambda: error_response(400001, REFUSED_DETAIL),
    unexpected=lambda: error_response(500001),
)


from portal.api.backend_v1 import actions, routes  # noqa: E402,F401 - attach the routes
