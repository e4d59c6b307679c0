"""Loading the signed-in user from the session, and password hashing."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask
from flask_login import LoginManager

from portal.extensions import db
from portal.models import AdminUser, CustomerUser

# argon2id with the library's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4),
# above the OWASP minimum (m=19 MiB, t=2).
_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


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


def load_user_from_id(user_id: str):
    """Session id format `<kind>:<id>:<session_version>`; a bumped version signs the session out."""
    try:
        kind, pk, version = user_id.split(":")
        model = {"admin": AdminUser, "customer": CustomerUser}[kind]
        user = db.session.get(model, int(pk))
    except (ValueError, KeyError):
        return None
    if user is None or not user.enabled or str(user.session_version) != version:
        return None
    return user


def configure_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.user_loader(load_user_from_id)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
