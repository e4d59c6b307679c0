"""Security headers on a route of every face: the seeds' set, the Content-Security-Policy, HSTS only in production."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import abort

from portal import create_app
from portal.auth.api_keys import create_api_key
from portal.delivery.links import mint_download_link
from portal.extensions import db
from portal.foundations.permissions import Actor
from tests.api.jsonapi.conftest import login_customer
from tests.documents.conftest import make_invoice
from tests.factories import AdminUserFactory, CustomerUserFactory

# The header set every response of the reference system carries (see the seeds).
SEED_HEADERS = {
    "x-frame-options": "SAMEORIGIN",
    "x-xss-protection": "0",
    "x-content-type-options": "nosniff",
    "x-permitted-cross-domain-policies": "none",
    "referrer-policy": "strict-origin-when-cross-origin",
}
# The download page sets a stricter referrer policy of its own (its URL holds the token).
STRICTER_REFERRER = {"no-referrer"}
FACES = [
    "customer page",
    "admin page",
    "login",
    "download landing",
    "json:api",
    "backend v1",
    "orgs v2",
    "openapi",
    "static file",
    "404 page",
]


def parse_csp(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response, app, *, production: bool = False) -> None:
    headers = response.headers
    for name, value in SEED_HEADERS.items():
        if name == "referrer-policy" and headers.get(name) in STRICTER_REFERRER:
            continue
        assert headers.get(name) == value, f"{name}: {headers.get(name)!r}"
    csp = parse_csp(headers["Content-Security-Policy"])
    htmx = app.config["HTMX_URL"]
    for directive, sources in csp.items():
        for source in sources:
            # Only the app itself, the pinned htmx file, 'none' and data: images.
            assert source in {"'self'", "'none'", htmx} or (directive == "img-src" and source == "data:"), (
                f"{directive} allows {source}"
            )
    assert htmx in csp["script-src"] and htmx.startswith("https://") and "@" in htmx  # pinned version
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
    hsts = headers.get("Strict-Transport-Security")
    if production:
        assert hsts is not None and "max-age=31536000" in hsts
    else:
        assert hsts is None


@pytest.fixture
def faces(client, signed_in_clients):
    """One real request per face, each authenticated the way that face expects."""
    invoice = make_invoice(destinations=1)
    customer_user = CustomerUserFactory(customer=invoice.customer)
    admin = AdminUserFactory(level=5)
    _row, key = create_api_key(name="headers", scopes="read", level=3)
    _link, token = mint_download_link(
        invoice,
        actor=Actor("admin@telco.example", kind="admin", level=3),
        expires_in=dt.timedelta(minutes=10),
        purpose="email",
    )
    db.session.commit()

    customer_client, admin_client = signed_in_clients(customer_user, admin)
    jwt = login_customer(client, customer_user)
    key_header = {"Authorization": f"Bearer {key}"}
    slug, account_id = invoice.account.customer.organization.slug, invoice.account_id
    return {
        "customer page": lambda: customer_client.get("/portal/"),
        "admin page": lambda: admin_client.get("/admin/"),
        "login": lambda: client.get("/login"),
        "download landing": lambda: client.get(f"/d/{token}"),
        "json:api": lambda: client.get(
            "/api/rest/customer/v1/invoices",
            headers={"Authorization": f"Bearer {jwt}", "Accept": "application/vnd.api+json"},
        ),
        "backend v1": lambda: client.get("/backend/api/v1/invoices", headers=key_header),
        "orgs v2": lambda: client.get(f"/v2/orgs/{slug}/accounts/{account_id}/invoices", headers=key_header),
        "openapi": lambda: client.get("/api/openapi.json"),
        "static file": lambda: client.get("/static/css/portal.css"),
        "404 page": lambda: client.get("/no-such-page"),
    }


EXPECTED_STATUS = {"404 page": 404}


def test_every_face_sends_the_seed_headers_and_the_strict_csp(app, faces):
    for face in FACES:
        response = faces[face]()
        assert response.status_code == EXPECTED_STATUS.get(face, 200), (face, response.status_code)
        try:
            assert_security_headers(response, app)
        except AssertionError as error:
            raise AssertionError(f"{face}: {error}") from error


def test_the_download_landing_keeps_its_token_out_of_referrers(app, faces):
    assert faces["download landing"]().headers["Referrer-Policy"] == "no-referrer"


def _app_with_failing_route(database_url: str, tmp_path, env_name: str, **overrides):
    """A separate app (routes can only be added before the first request) with a route that fails."""
    app = create_app(
        {
            "ENV_NAME": env_name,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "OUTBOX_DIR": str(tmp_path),
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": False,
            **overrides,
        }
    )

    @app.route("/__fails")
    def fails():
        raise RuntimeError("unexpected failure")

    @app.route("/__gone")
    def gone():
        abort(410)

    return app


def test_a_500_page_carries_the_headers_too(app, database_url, tmp_path):
    failing = _app_with_failing_route(database_url, tmp_path, "test")
    try:
        response = failing.test_client().get("/__fails")
        assert response.status_code == 500
        assert b"unexpected failure" not in response.data  # no internals leak
        assert_security_headers(response, failing)
    finally:
        with failing.app_context():
            db.engine.dispose()


def test_production_adds_hsts_to_pages_errors_and_apis(app, database_url, tmp_path):
    production = _app_with_failing_route(database_url, tmp_path, "production", SECRET_KEY="a-production-secret-key")
    try:
        client = production.test_client()
        for url, status in [
            ("/login", 200),
            ("/api/openapi.json", 200),
            ("/static/css/portal.css", 200),
            ("/no-such-page", 404),
            ("/__gone", 410),
            ("/__fails", 500),
            ("/backend/api/v1/invoices", 401),
        ]:
            response = client.get(url)
            assert response.status_code == status, url
            assert_security_headers(response, production, production=True)
    finally:
        with production.app_context():
            db.engine.dispose()
