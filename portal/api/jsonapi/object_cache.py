"""Serialized resource objects kept per process, keyed on everything that makes one differ.

A collection page of 50 invoices spends most of its time turning rows into resource objects. For
a resource that declares `stamp_columns` (SQL expressions that change whenever its object would:
for invoices `updated_at`, which SQLAlchemy stamps on every INSERT and UPDATE of the invoice and
whenever its stored PDF is stored, replaced or removed), a page first reads only ids and stamps,
takes the objects it has already built from here, and loads and builds only the others. The key
also holds the API root URL and the sparse fieldset; pages with `include` (whose objects carry
relationship linkage) are not cached.

The cached values are encoded JSON (`orjson.Fragment`), so nothing can change them after the fact.
`PORTAL_JSONAPI_CACHE_SIZE` objects per process (0 turns the cache off).
"""

from __future__ import annotations

import orjson

from portal.foundations.app_cache import app_lru


def _cache():
    return app_lru("jsonapi_object_cache", "JSONAPI_CACHE_SIZE")


def enabled() -> bool:
    return _cache() is not None


def get_many(keys: list) -> list:
    """The cached fragment of each key, or None."""
    lock, cache = _cache()
    with lock:
        return [cache.get(key) for key in keys]


def put(key, resource_object: dict) -> orjson.Fragment:
    """Encode and keep one resource object; returns what was kept."""
    fragment = orjson.Fragment(orjson.dumps(resource_object))
    lock, cache = _cache()
    with lock:
        cache[key] = fragment
    return fragment
