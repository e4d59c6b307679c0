"""Security headers on every response: the documented set, a strict CSP, HSTS in production, no-store if personal."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request

from portal.extensions import csrf

PERSONAL_CACHE_CONTROL = "no-store"
# Set by each API's authentication guard for the caller it let in: an API key (backend v1,
# orgs v2) or a JWT (admin and customer JSON:API).
API_CALLERS = ("api_caller", "jsonapi_admin", "jsonapi_customer")


def content_security_policy(app: Flask) -> str:
    """Only the app itself, plus the one pinned htmx file from the CDN."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {app.config['HTMX_URL']}",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("X-XSS-Protection", "0")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Permitted-Cross-Domain-Policies", "none")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    if current_app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def is_personal() -> bool:
    """Whether this response was made for someone: a signed-in user (cookie session) or an authenticated API
    caller. Static files never are (the same for everyone, they stay cacheable)."""
    if request.endpoint == "static":
        return False
    if any(g.get(name) is not None for name in API_CALLERS):
        return True
    # Flask-Login keeps the user it loaded for this request in `g._login_user`. Reading it never
    # loads one: no query in an after-request hook, even when the database has just failed, and
    # a response for which no user was loaded shows nothing of one.
    user = g.get("_login_user")
    return user is not None and bool(user.is_authenticated)


def add_cache_control(response: Response) -> Response:
    """Personal responses (pages, exports, PDFs, JSON of a signed-in caller) are never stored by a browser
    or a proxy: `Cache-Control: no-store`.

    A response that is not a download and states its own rule with `private`, `public` or
    `no-store` keeps it: the JSON:API documents carry the documented `max-age=0, private,
    must-revalidate` (and their 304s the same), the OpenAPI document is public. Anything else
    (no header, `send_file`'s `no-cache`, or any rule on an attachment) becomes `no-store`.
    """
    rule = response.cache_control
    download = response.headers.get("Content-Disposition", "").startswith("attachment")
    if rule.no_store or ((rule.private or rule.public) and not download):
        return response
    if is_personal():
        response.headers["Cache-Control"] = PERSONAL_CACHE_CONTROL
    return response


def register_security_headers(app: Flask) -> None:
    app.config.setdefault("CONTENT_SECURITY_POLICY", content_security_policy(app))
    app.after_request(add_security_headers)
    app.after_request(add_cache_control)


def check_csrf() -> None:
    """The CSRF check of a blueprint that is exempt from the app-wide hook so that its access guard answers first.

    Flask-WTF's hook runs before any blueprint's `before_request`, so without this a customer
    posting to an admin route would get "400 CSRF token missing" instead of the guard's 404,
    which tells them the route exists. The guard calls this once it has let the caller in.
    """
    if current_app.config.get("WTF_CSRF_ENABLED", True) and current_app.config.get("WTF_CSRF_CHECK_DEFAULT", True):
        csrf.protect()
