"""Set-password links for customer users (invitations and password resets): signed, expiring, single-use.

The token carries the user id and its `password_token_version`; setting a password bumps the
version, so a link works once. The reset page (`/password/reset/<token>`) reads the same tokens.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.auth.users import MIN_PASSWORD_LENGTH, hash_password
from portal.audit import record_event
from portal.errors import FieldError, Gone, NotFound, ValidationFailed
from portal.extensions import db
from portal.models import CustomerUser
from portal.permissions import Actor

SALT = "portal.password-token"
# An invitation waits for someone to read their mail; a reset is asked for by the user there and then.
MAX_AGE = {"invite": 7 * 24 * 3600, "reset": 3600}


def _serializer() -> URLSafeTimedSerializer:
    # itsdangerous signs with the last key and accepts all of them: fallbacks first, current key last.
    keys = list(reversed(current_app.config.get("SECRET_KEY_FALLBACKS") or [])) + [current_app.config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=SALT)


def make_password_token(user: CustomerUser, *, purpose: str = "reset") -> str:
    """A signed token that lets `user` set a password once (`purpose` "invite" or "reset")."""
    if purpose not in MAX_AGE:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return _serializer().dumps({"u": user.id, "v": user.password_token_version, "p": purpose})


def read_password_token(token: str) -> CustomerUser:
    """The user a valid, unused token belongs to.

    Raises:
        NotFound: the token is malformed or tampered with, or its user no longer exists.
        Gone: the token expired, was already used, or its user is disabled.
    """
    serializer = _serializer()
    try:
        data, _signed_at = serializer.loads(token or "", return_timestamp=True)
    except SignatureExpired:
        raise Gone("This link has expired. Ask for a new one.") from None
    except BadSignature:
        raise NotFound("This link is not valid.") from None
    if not isinstance(data, dict) or data.get("p") not in MAX_AGE or not isinstance(data.get("u"), int):
        raise NotFound("This link is not valid.")
    try:
        serializer.loads(token, max_age=MAX_AGE[data["p"]])
    except SignatureExpired:
        raise Gone("This link has expired. Ask for a new one.") from None
    user = db.session.get(CustomerUser, data["u"])
    if user is None:
        raise NotFound("This link is not valid.")
    if data.get("v") != user.password_token_version:
        raise Gone("This link has already been used. Ask for a new one.")
    if not user.enabled:
        raise Gone("This account is disabled.")
    return user


def set_password_with_token(token: str, password: str, confirm: str | None = None) -> CustomerUser:
    """Set the password of the token's user and use the token up; other sessions are signed out.

    Raises NotFound / Gone (see `read_password_token`) and ValidationFailed (password too short,
    confirmation different).
    """
    user = read_password_token(token)
    errors: list[FieldError] = []
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors.append(FieldError("password", f"is too short (minimum is {MIN_PASSWORD_LENGTH} characters)"))
    if confirm is not None and confirm != password:
        errors.append(FieldError("confirm", "doesn't match the password"))
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(password)
    user.password_token_version += 1
    user.session_version += 1
    record_event(Actor(label=user.email, kind="customer", level=0, id=user.id, customer_id=user.customer_id),
                 "customer_user.password_set", user)
    db.session.flush()
    return user
