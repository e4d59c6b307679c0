"""Backend API keys: created with a scope and level, shown once, stored as a SHA-256, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select

from portal.audit import record_event
from portal.auth.rules import api_key_is_valid
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import FieldError, ValidationFailed
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import ApiKey, Customer

SCOPES = ("read", "write")
KEY_PREFIX = "tlp"
# A key's last use is written at most this often: writing it on every request made every API read a
# write (an UPDATE and a commit per request, and on PostgreSQL no count could be reused: bench/README.md).
LAST_USE_STEP = dt.timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(
    *, name: str, scopes, level: int, customer_id: int | None = None, actor: Actor = SYSTEM
) -> tuple[ApiKey, str]:
    """Create a key; returns (row, the key itself). The key is never stored and cannot be shown again.

    `scopes` is "read", "write", "read,write" or a list of those. A customer key
    (`customer_id`) only ever sees that customer's data.
    Raises ValidationFailed for a blank name, unknown scopes, a level outside 1–5 or an unknown customer.
    """
    require(actor, "api_key.write")
    errors: list[FieldError] = []
    if isinstance(scopes, str):
        scopes = [s.strip() for s in scopes.split(",") if s.strip()]
    scopes = sorted(set(scopes or []))
    if not (name or "").strip():
        errors.append(FieldError("name", "can't be blank"))
    if not scopes or any(s not in SCOPES for s in scopes):
        errors.append(FieldError("scope", "must be read, write or read,write"))
    if not isinstance(level, int) or not 1 <= level <= 5:
        errors.append(FieldError("level", "must be between 1 and 5"))
    if customer_id is not None and db.session.get(Customer, customer_id) is None:
        errors.append(FieldError("customer", "does not exist"))
    if errors:
        raise ValidationFailed(errors)
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        name=name.strip(),
        prefix=prefix,
        key_hash=_digest(key),
        scopes=",".join(scopes),
        level=level,
        customer_id=customer_id,
        created_by=actor.label,
    )
    db.session.add(row)
    db.session.flush()
    record_event(actor, "api_key.created", row, name=row.name, scopes=row.scopes, level=level, customer_id=customer_id)
    return row, key


def verify_api_key(key: str | None) -> ApiKey | None:
    """The live key matching `key`, with its last use recorded (to the minute: LAST_USE_STEP); None
    when unknown, revoked or the key of a disabled customer (portal.auth.rules.api_key_is_valid)."""
    if not key or not key.startswith(KEY_PREFIX + "_") or len(key) > 200:
        return None
    row = db.session.scalars(select(ApiKey).where(ApiKey.key_hash == _digest(key))).first()
    if not api_key_is_valid(row):
        return None
    now = utcnow()
    if row.last_used_at is None or not now - LAST_USE_STEP < row.last_used_at <= now:
        row.last_used_at = now
    return row


def revoke_api_key(row: ApiKey, *, actor: Actor = SYSTEM) -> None:
    """Revoke a key at once; requests with it are refused from now on."""
    require(actor, "api_key.write")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record_event(actor, "api_key.revoked", row, name=row.name)
    db.session.flush()


def list_api_keys() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.id)))


def api_key_actor(row: ApiKey) -> Actor:
    return Actor(label=f"api-key:{row.name}", kind="api", level=row.level, id=row.id, customer_id=row.customer_id)
