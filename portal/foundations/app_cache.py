"""Caches kept per process and per app (in `app.extensions`), sized by a setting."""

from __future__ import annotations

import threading

from cachetools import LRUCache
from flask import current_app

_guard = threading.Lock()


def app_lru(name: str, size_setting: str) -> tuple[threading.Lock, LRUCache] | None:
    """This app's (lock, LRU cache) called `name`, made on first use with `size_setting` entries;
    None when that setting is 0 (the cache is off)."""
    size = current_app.config.get(size_setting, 0)
    if size <= 0:
        return None
    extensions = current_app.extensions
    entry = extensions.get(name)
    if entry is None:
        with _guard:
            entry = extensions.setdefault(name, (threading.Lock(), LRUCache(maxsize=size)))
    return entry
