"""Shared by the HTTP benchmarks: a free port, the production environment for gunicorn, starting it
with `gunicorn.conf.py`, waiting until it answers, and stopping it."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, *, data: bytes | None = None, headers: dict | None = None, timeout: float = 10):
    """(status, content type, body) of one request (urllib: no dependency beyond the standard library)."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def production_env(database_url: str, port: int, *, secret: str | None = None, **settings: str) -> dict:
    """The environment of a gunicorn serving the portal as in production on 127.0.0.1:`port`, with
    `settings` (PORTAL_… names) on top; a fresh secret key unless `secret` is given."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": secret or secrets.token_urlsafe(32),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_BIND": f"127.0.0.1:{port}",
        **settings,
    }


def start_gunicorn(app: str, env: dict, log_path) -> subprocess.Popen:
    """gunicorn with the production configuration (gunicorn.conf.py) serving `app`, its output in `log_path`."""
    with open(log_path, "w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_until_serving(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    """Return once `url` answers 200; SystemExit when gunicorn exits or does not answer in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {server.returncode}")
        try:
            if request(url, timeout=2)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def stop_server(server: subprocess.Popen, timeout: float = 30) -> None:
    server.terminate()
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
