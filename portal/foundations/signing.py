"""The keys that sign every token (list cursors, download links, reset links, JWTs): current plus fallbacks."""

from __future__ import annotations

from flask import current_app


def signing_keys() -> list[str | bytes]:
    """Keys in the order itsdangerous wants: oldest fallback first, current key last (it signs).

    `SECRET_KEY_FALLBACKS` lists older keys newest first, so they are reversed.
    """
    config = current_app.config
    return [*reversed(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]
