"""Finding a user by e-mail, loading the signed-in user from the session, and password hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, has_request_context, request
from flask_login import LoginManager
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.auth import rules
from portal.extensions import db
from portal.models import AdminUser, CustomerUser

# argon2id with the library's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4),
# above the OWASP minimum (m=19 MiB, t=2).
_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
USER_MODELS = {"admin": AdminUser, "customer": CustomerUser}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check so that timing does not reveal unknown users.
        _dummy_verify(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


def _dummy_verify(password: str) -> None:
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except VerificationError:
        pass


def find_user_by_email(email: str):
    """The admin or customer user with this e-mail (case-insensitive), or None."""
    key = (email or "").strip().lower()
    if "\x00" in key:  # no address has one, and PostgreSQL refuses NUL in a text parameter
        return None
    for model in (AdminUser, CustomerUser):
        user = db.session.scalars(select(model).where(func.lower(model.email) == key)).first()
        if user is not None:
            return user
    return None


def load_user_from_id(user_id: str):
    """The user of a session or remember-me cookie, if the sign-in rule still lets it in; else None.

    The id is `<kind>:<id>:<session_version>` (get_id). Every request checks it with
    portal.auth.rules.session_is_valid: the session version (moved on when the user's sessions are
    ended), the user and its customer enabled, an admin's `allowed_ips` against this request's address.
    """
    try:
        kind, pk, version = user_id.split(":")
        if kind == "admin":
            user = db.session.get(AdminUser, int(pk))
        elif kind == "customer":
            # The customer comes in the same statement: the rule needs its `enabled` on every request.
            user = db.session.get(CustomerUser, int(pk), options=[joinedload(CustomerUser.customer)])
        else:
            return None
    except (ValueError, OverflowError):
        return None
    address = request.remote_addr if has_request_context() else None
    return user if rules.session_is_valid(kind, user, address, version) else None


def configure_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.user_loader(load_user_from_id)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
