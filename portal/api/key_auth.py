"""API-key authentication shared by the backend v1 and orgs v2 APIs."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from portal.auth.api_keys import api_key_actor, verify_api_key
from portal.foundations.permissions import Actor
from portal.models import ApiKey

MISSING = "missing"
INVALID = "invalid"


@dataclass(frozen=True)
class KeyCaller:
    """The key behind a request and the actor the services see."""

    key: ApiKey
    actor: Actor

    @property
    def customer_id(self) -> int | None:
        return self.key.customer_id

    def has_scope(self, scope: str) -> bool:
        return scope in self.key.scope_set


def presented_key(*, allow_x_api_key: bool = False) -> str | None:
    """The key in `Authorization: Bearer <key>` (or `x-api-key` when allowed), else None."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return ""
    if allow_x_api_key:
        value = request.headers.get("x-api-key")
        if value is not None:
            return value.strip()
    return None


def authenticate(*, allow_x_api_key: bool = False) -> KeyCaller | str:
    """The caller of this request, or MISSING / INVALID (unknown, malformed or revoked key)."""
    value = presented_key(allow_x_api_key=allow_x_api_key)
    if value is None:
        return MISSING
    row = verify_api_key(value)
    if row is None:
        return INVALID
    return KeyCaller(row, key_actor(row))


def key_actor(row: ApiKey) -> Actor:
    """A customer key acts as that customer (reads only its approved invoices); others act at their level."""
    actor = api_key_actor(row)
    if row.customer_id is not None:
        return Actor(label=actor.label, kind="customer", level=0, id=row.id, customer_id=row.customer_id)
    return actor
