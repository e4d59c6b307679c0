"""The application shell: configuration checks, common response headers, health."""

import pytest

from portal import create_app


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="PORTAL_SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="PORTAL_SECRET_KEY"):
        create_app(
            {"ENV_NAME": "production", "SECRET_KEY": "dev-secret-change-me", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        )


def test_production_with_secret_key_has_secure_cookies():
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_plain_postgresql_url_uses_psycopg3():
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": "postgresql://u@127.0.0.1/x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_every_response_has_request_id_runtime_and_security_headers(client):
    response = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert response.headers["X-Request-Id"] == "abc-123"
    assert float(response.headers["X-Runtime"]) >= 0
    for header, value in {
        "X-Frame-Options": "SAMEORIGIN",
        "X-Content-Type-Options": "nosniff",
        "X-Permitted-Cross-Domain-Policies": "none",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }.items():
        assert response.headers[header] == value


def test_unknown_page_is_a_404_page_without_traceback(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Traceback" not in response.data


def test_unknown_api_path_answers_json(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.is_json


def test_content_security_policy_allows_only_the_app_and_pinned_htmx(app, client):
    policy = client.get("/healthz").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == f"'self' {app.config['HTMX_URL']}"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


def test_hsts_only_in_production(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = app.test_client().get("/static/css/portal.css")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
