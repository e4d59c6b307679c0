"""A test client that starts every request with an empty `g`, as a real server does.

The `app` fixture keeps one app context open for the whole test and Flask reuses it for
every request, so `g` (where Flask-Login caches the current user and Flask-WTF the CSRF
token) would otherwise survive from one request to the next and from one client to another.
"""

from __future__ import annotations

from flask import g, has_app_context
from flask.testing import FlaskClient


def _clear_g() -> None:
    if not has_app_context():  # a request in another thread brings its own app context
        return
    for name in list(g):
        g.pop(name, None)


class FreshUserClient(FlaskClient):
    def open(self, *args, **kwargs):
        _clear_g()
        try:
            return super().open(*args, **kwargs)
        finally:
            _clear_g()
