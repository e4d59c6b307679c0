"""Customer JSON:API v1 (`/api/rest/customer/v1`): login (token or cookie), the customer's approved invoices and
accounts.

Every read starts from portal.customers.scope (approved invoices of the customer's allowed
accounts); anything outside is a 404. Cookie mode and CSRF: the cookie is HttpOnly and
SameSite=Strict, the only unsafe routes are POST/DELETE /auth, and POST /auth requires a JSON
content type, which an HTML form cannot send. The cookie is a signed session (user, session
version, sign-in time), not a token: it ends at an absolute lifetime and on DELETE /auth.
"""

from __future__ import annotations

import re
import time

from flask import Blueprint, Response, current_app, g, request

from portal.api.jsonapi.admin import authentication_failed, read_credentials, token_response
from portal.api.jsonapi.admin_invoices import pdf_response
from portal.api.jsonapi.auth import (
    CUSTOMER_AUDIENCE,
    CUSTOMER_COOKIE,
    BadToken,
    client_ip,
    customer_from_cookie,
    customer_from_token,
    issue_session_cookie,
    issue_token,
    lifetime_seconds,
    session_ends_at,
    sign_in_rate_limits,
    token_from_header,
)
from portal.api.jsonapi.conventions import (
    JSON_TYPES,
    EmptyUnauthorized,
    JsonApiError,
    check_accept,
    check_content_type,
    empty_response,
    read_json_body,
)
from portal.api.jsonapi.document import Context
from portal.api.jsonapi.errors import register_error_handlers
from portal.api.jsonapi.handlers import add_read_routes, check_params
from portal.api.jsonapi.resources import REGISTRY
from portal.auth.service import SignInRefused, end_sessions, sign_in
from portal.customers.scope import get_customer_invoice, scope_for_user
from portal.documents.service import stored_pdf_bytes
from portal.extensions import db
from portal.foundations.dates import local_date
from portal.models import CustomerUser

ROOT_PATH = "/api/rest/customer/v1"
bp = Blueprint("jsonapi_customer", __name__, url_prefix=ROOT_PATH)
register_error_handlers(bp, empty_unauthorized=False)

OPEN_ENDPOINTS = {"jsonapi_customer.auth_login", "jsonapi_customer.auth_logout"}
BINARY_ENDPOINTS = {"jsonapi_customer.invoices_download"}


def context() -> Context:
    customer_id, account_ids = scope_for_user(g.jsonapi_customer)
    return Context(
        root=request.url_root.rstrip("/") + ROOT_PATH, api="customer", customer_id=customer_id, account_ids=account_ids
    )


@bp.before_request
def _guard():
    """A token from `Authorization` (it wins, even when invalid) or else from the session cookie."""
    g.jsonapi_cookie_auth = False
    if request.endpoint in OPEN_ENDPOINTS:
        if request.method == "POST":
            check_content_type(accepted=JSON_TYPES)
        return
    header_token = token_from_header()
    try:
        if header_token is not None:
            g.jsonapi_customer = customer_from_token(header_token)
        else:
            g.jsonapi_customer, g.jsonapi_session_started = customer_from_cookie(request.cookies.get(CUSTOMER_COOKIE))
    except BadToken:
        raise EmptyUnauthorized() from None
    g.jsonapi_cookie_auth = header_token is None
    if request.endpoint not in BINARY_ENDPOINTS:
        check_accept()
    check_content_type()


def _set_cookie(response: Response, value: str, *, max_age: int = 0) -> None:
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure
    response.set_cookie(
        CUSTOMER_COOKIE,
        value,
        path=ROOT_PATH,
        httponly=True,
        samesite="Strict",
        secure=secure,
        max_age=max_age,
        expires=None if max_age else 0,
    )


def _set_session_cookie(response: Response, user_id: int, session_version: int, started: int) -> None:
    # The browser keeps it for the idle lifetime, never past the session's absolute end.
    left = max(0, session_ends_at(started) - int(time.time()))
    idle = lifetime_seconds()
    _set_cookie(
        response, issue_session_cookie(user_id, session_version, started), max_age=min(idle, left) if idle else left
    )


@bp.after_request
def _refresh_cookie(response: Response) -> Response:
    """Cookie-authenticated responses renew the cookie's idle time; its absolute end stays where the sign-in put it."""
    user = g.get("jsonapi_customer")
    if g.get("jsonapi_cookie_auth") and user is not None:
        _set_session_cookie(response, user.id, user.session_version, g.jsonapi_session_started)
    return response


@bp.post("/auth", endpoint="auth_login")
@sign_in_rate_limits("login")
def auth_login():
    """`{"auth": {"login", "password", "cookie_auth"?}}` → 201 `{"jwt"}`, or 201 and an HttpOnly session cookie."""
    body = read_json_body()
    login, password, cookie_auth = read_credentials(body, "login", "password", "cookie_auth")
    try:
        user = sign_in(login, password, address=client_ip(), kind="customer", face="jsonapi-customer")
    except SignInRefused:
        db.session.rollback()
        raise authentication_failed() from None
    if cookie_auth is True:
        response = empty_response(201, {"Cache-Control": "no-store"})
        _set_session_cookie(response, user.id, user.session_version, int(time.time()))
    else:
        response = token_response(issue_token(user.id, CUSTOMER_AUDIENCE, sessions_ended_at=user.sessions_ended_at))
    db.session.commit()
    return response


@bp.delete("/auth", endpoint="auth_logout")
def auth_logout():
    """204 and the session cookie overwritten and expired; a valid session cookie also signs its user out
    on every device, as POST /logout does (portal.auth.service.end_sessions), so a copy of the cookie dies too."""
    try:
        row, _started = customer_from_cookie(request.cookies.get(CUSTOMER_COOKIE))
    except BadToken:
        pass
    else:
        end_sessions(db.session.get(CustomerUser, row.id))
        db.session.commit()
    response = empty_response(204)
    _set_cookie(response, "logout")
    return response


def download_filename(invoice) -> str:
    """`<reference>_<first day>_<day after the last>.pdf` in the account's time zone, safe characters only."""
    tz = invoice.account.timezone
    reference = re.sub(r"[^A-Za-z0-9._-]+", "-", invoice.reference or "").strip("-.") or "invoice"
    return f"{reference}_{local_date(invoice.start_date, tz)}_{local_date(invoice.end_date, tz)}.pdf"


@bp.get("/invoices/<key>/download", endpoint="invoices_download")
def invoices_download(key: str):
    """The PDF of an approved invoice of the caller's accounts; 404 when not visible or without a PDF."""
    check_params(None, document=False)
    ctx = context()
    invoice = get_customer_invoice(ctx.customer_id, ctx.account_ids, invoice_uuid=key)
    data = stored_pdf_bytes(invoice.id)
    if data is None:
        raise JsonApiError(404, "Record not found", f"Invoice {key} has no PDF document.")
    return pdf_response(data, download_filename(invoice))


def register_routes() -> None:
    add_read_routes(bp, REGISTRY["customer:invoices"], context)
    add_read_routes(bp, REGISTRY["customer:accounts"], context, relationships=False)
