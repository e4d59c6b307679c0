"""`make serve`-style startup: gunicorn with gunicorn.conf.py and the production settings answers on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import requests

from portal.extensions import db
from tests.factories import PASSWORD, AccountFactory, AdminUserFactory

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, *, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


@pytest.fixture
def production_server(app, database_url, tmp_path):
    """gunicorn -c gunicorn.conf.py wsgi:app, 1 worker, PORTAL_ENV=production, on a free loopback port."""
    with serving(database_url, tmp_path) as server:
        yield server


@contextlib.contextmanager
def serving(database_url, tmp_path, **settings):
    """gunicorn with gunicorn.conf.py and the production settings (1 worker × 2 threads unless `settings`
    say otherwise); yields its base URL and log path."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(32),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_BIND": f"127.0.0.1:{port}",
        "PORTAL_WORKERS": "1",
        "PORTAL_THREADS": "2",
        "PORTAL_INSTANCE_PATH": str(tmp_path),
        "PORTAL_OUTBOX_DIR": str(tmp_path / "outbox"),
        **settings,
    }
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log_path.read_text()[-3000:]
            try:
                _get(base + "/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.2)
        yield base, log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def test_gunicorn_with_the_production_config_serves_health_and_the_jsonapi(production_server):
    admin = AdminUserFactory(email="ops@telco.example")
    account = AccountFactory(name="Served account")
    db.session.commit()
    base, log_path = production_server

    status, headers, body = _get(base + "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    request_id = headers["X-Request-Id"]
    assert request_id

    credentials = json.dumps({"auth": {"username": admin.email, "password": PASSWORD}}).encode()
    status, _, body = _get(
        base + "/api/rest/admin/auth", data=credentials, headers={"Content-Type": "application/json"}
    )
    assert status == 201
    token = json.loads(body)["jwt"]
    status, headers, body = _get(base + "/api/rest/admin/accounts", headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and headers["Content-Type"].startswith("application/vnd.api+json")
    assert [a["attributes"]["name"] for a in json.loads(body)["data"]] == ["Served account"]
    assert account.id

    # Production settings are in force: the session cookie of the sign-in page is Secure.
    status, headers, _ = _get(base + "/login")
    assert status == 200
    assert any("Secure" in cookie for cookie in headers.get_all("Set-Cookie") or [])

    # The access log line of the health check carries its request id.
    deadline = time.monotonic() + 5
    while f"rid={request_id}" not in log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert '"GET /healthz HTTP/1.1" 200' in log_path.read_text()
    assert f"rid={request_id}" in log_path.read_text()


def test_production_refuses_to_start_without_a_secret_key(database_url, tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": "",
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_BIND": f"127.0.0.1:{_free_port()}",
        "PORTAL_WORKERS": "1",
        "PORTAL_INSTANCE_PATH": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stdout + done.stderr


def test_gunicorn_freezes_the_preloaded_app_before_forking_workers():
    """Objects alive once the app is loaded go to the permanent generation (no 100 ms full collections)."""
    import gc
    import runpy

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["preload_app"] is True
    try:
        config["when_ready"](None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_workers_recycle_under_back_to_back_clients_without_resetting_a_connection(app, database_url, tmp_path):
    """Workers restart every 10 requests while 12 clients send 240 requests with short random pauses: every
    request is answered, and no connection is left idle for a stopping worker to close under a client."""
    settings = {
        "PORTAL_WORKERS": "2",
        "PORTAL_THREADS": "4",
        "PORTAL_MAX_REQUESTS": "10",
        "PORTAL_MAX_REQUESTS_JITTER": "0",
    }
    errors, kept_alive, answered = [], [], []
    with serving(database_url, tmp_path, **settings) as (base, log_path):

        def client():
            http = requests.Session()  # keeps connections alive whenever the server lets it
            for _ in range(20):
                try:
                    response = http.get(base + "/healthz", timeout=30)
                    answered.append(response.status_code)
                    if response.headers.get("Connection", "").lower() != "close":
                        kept_alive.append(response.headers.get("Connection"))
                except requests.RequestException as exc:
                    errors.append(repr(exc))
                time.sleep(random.uniform(0, 0.05))

        clients = [threading.Thread(target=client) for _ in range(12)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=120)
        recycled = log_path.read_text().count("Autorestarting worker")
    assert errors == []
    assert answered == [200] * 240
    assert kept_alive == []
    assert recycled >= 12
