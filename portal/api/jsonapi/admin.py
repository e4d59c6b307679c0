"""Admin JSON:API (`/api/rest/admin`): token login, the guard every route passes, and the read-only resources."""

from __future__ import annotations

import json

from flask import Blueprint, Response, g, request

from portal.api.jsonapi.auth import (
    ADMIN_AUDIENCE,
    BadToken,
    admin_from_token,
    client_ip,
    issue_token,
    sign_in_rate_limits,
    token_from_header,
)
from portal.api.jsonapi.conventions import (
    JSON_TYPES,
    EmptyUnauthorized,
    JsonApiError,
    bad_request,
    check_accept,
    check_content_type,
    read_json_body,
)
from portal.api.jsonapi.document import Context
from portal.api.jsonapi.errors import register_error_handlers
from portal.api.jsonapi.handlers import add_read_routes
from portal.api.jsonapi.resources import REGISTRY
from portal.auth.service import ADDRESS, SignInRefused, sign_in
from portal.extensions import db

ROOT_PATH = "/api/rest/admin"
bp = Blueprint("jsonapi_admin", __name__, url_prefix=ROOT_PATH)
register_error_handlers(bp, empty_unauthorized=True)

# Routes that answer with file bytes, not JSON:API documents (no Accept negotiation).
BINARY_ENDPOINTS = {"jsonapi_admin.invoices_pdf"}
READ_ONLY = (
    "accounts",
    "contractors",
    "countries",
    "networks",
    "services",
    "invoice-originated-destinations",
    "invoice-originated-networks",
    "invoice-terminated-destinations",
    "invoice-terminated-networks",
    "invoice-service-data",
)


def context() -> Context:
    return Context(root=request.url_root.rstrip("/") + ROOT_PATH, api="admin")


def authentication_failed(detail: str = "Incorrect login or password.") -> JsonApiError:
    return JsonApiError(401, "Authentication failed", detail)


@bp.before_request
def _guard():
    """Every admin route except /auth needs a valid admin token from an allowed IP address."""
    if request.endpoint == "jsonapi_admin.auth":
        check_content_type(accepted=JSON_TYPES)
        return
    try:
        g.jsonapi_admin = admin_from_token(token_from_header())
    except BadToken:
        raise EmptyUnauthorized() from None
    if request.endpoint not in BINARY_ENDPOINTS:
        check_accept()
    check_content_type()


def read_credentials(body: dict, *names: str) -> list:
    credentials = body.get("auth")
    if not isinstance(credentials, dict):
        raise bad_request("Bad request", 'The body must be {"auth": {...}}.', pointer="/auth")
    return [credentials.get(name) for name in names]


def token_response(token: str) -> Response:
    response = Response(json.dumps({"jwt": token}), status=201, content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/auth")
@sign_in_rate_limits("username")
def auth():
    """`{"auth": {"username", "password"}}` → 201 `{"jwt": …}`; 401 for bad credentials or a refused IP."""
    username, password = read_credentials(read_json_body(), "username", "password")
    try:
        user = sign_in(username, password, address=client_ip(), kind="admin", face="jsonapi-admin")
    except SignInRefused as exc:
        db.session.rollback()
        raise authentication_failed(
            "Your IP address is not allowed." if exc.reason == ADDRESS else "Incorrect login or password."
        ) from None
    token = issue_token(user.id, ADMIN_AUDIENCE, sessions_ended_at=user.sessions_ended_at)
    db.session.commit()
    return token_response(token)


def register_routes() -> None:
    add_read_routes(bp, REGISTRY["admin:invoices"], context)
    for path in READ_ONLY:
        add_read_routes(bp, REGISTRY[f"admin:{path}"], context)
