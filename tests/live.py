"""A real HTTP server for tests: the test app on a loopback port, and a signed-in session on it.

The Flask test client runs one request at a time in the test's own thread and hands the
response over whole, which hides concurrency and streaming. Tests of those paths go through
`live_server` (werkzeug's threaded server) with `requests`, reading every response to its end.
"""

from __future__ import annotations

import re
import threading

import requests
from werkzeug.serving import make_server

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class LiveServer:
    """The app served on 127.0.0.1 in a thread; `url` is its base address."""

    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.server_port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.server_port}"

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def shutdown(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "no csrf_token on the page"
    return found.group(1)


def signed_in_session(base_url: str, email: str, password: str) -> requests.Session:
    """A requests session signed in through the real login form (cookie and CSRF as a browser has them)."""
    http = requests.Session()
    form = http.get(f"{base_url}/login", timeout=30)
    answer = http.post(
        f"{base_url}/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(form.text)},
        timeout=30,
    )
    assert answer.ok and "/login" not in answer.url, f"sign-in as {email} failed"
    return http
