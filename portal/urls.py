"""Absolute URLs for e-mails and links, built from BASE_URL (never from the request's Host header)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` under `BASE_URL`; works inside and outside a request.

    Mails and download links never trust the Host header of the request that caused them,
    so a forged Host cannot send people to another site.
    """
    parts = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path.rstrip("/") or "/",
                                       url_scheme=parts.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)
