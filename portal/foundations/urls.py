"""Absolute URLs for e-mails and links, built from BASE_URL (never from the request's Host header), and the
one rule for where a `next` parameter may send the browser."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from portal.foundations.text import is_single_line


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` under `BASE_URL`; works inside and outside a request.

    Mails and download links never trust the Host header of the request that caused them,
    so a forged Host cannot send people to another site.
    """
    parts = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def safe_next_path(target: str | None, *, under: str = "/") -> str | None:
    """`target` when it is a local path under `under` that a redirect may carry, else None.

    Refused: anything with a scheme or host (`https://…`, `//host`), a backslash (browsers read it as
    `/`), or a line break or other control character (it would split the Location header, and a
    response cannot carry it). Every `next` of the app goes through this, so none can send people to
    another site or turn a redirect into an error.
    """
    if not target or not target.startswith(under) or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or not is_single_line(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
