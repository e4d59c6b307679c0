"""The password-reset and invitation token (signed with portal.foundations.signing keys)."""

from __future__ import annotations

import time

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.foundations.signing import signing_keys

# A signing namespace, not a secret.
PASSWORD_RESET_SALT = "portal.password-reset"  # nosec B105
PASSWORD_RESET_MAX_AGE = 3600
# An invitation (admin-created user choosing a first password) waits for someone to read their mail.
INVITE_MAX_AGE = 7 * 24 * 3600


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_keys(), salt=PASSWORD_RESET_SALT)


def make_password_reset_token(user, *, invite: bool = False) -> str:
    """A token naming the user, its current password-token version (so it works once) and its
    session version (so it stops working when the user's sessions are ended: portal.auth.rules).

    `invite=True` marks an invitation link, valid for INVITE_MAX_AGE instead of one hour.
    """
    data = {"k": user.kind, "i": user.id, "v": user.password_token_version, "s": user.session_version}
    if invite:
        data["p"] = "invite"
    return _reset_serializer().dumps(data)


class TokenInvalid(Exception):
    """The token is tampered, malformed, expired or already used; `reason` says which for the page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def read_password_reset_token(token: str, max_age: int = PASSWORD_RESET_MAX_AGE) -> dict:
    try:
        data, signed_at = _reset_serializer().loads(token, max_age=max(max_age, INVITE_MAX_AGE), return_timestamp=True)
    except SignatureExpired:
        raise TokenInvalid("expired") from None
    except BadSignature:
        raise TokenInvalid("invalid") from None
    if isinstance(data, dict) and data.get("p") != "invite" and time.time() - signed_at.timestamp() > max_age:
        raise TokenInvalid("expired")
    if (
        not isinstance(data, dict)
        or data.get("k") not in ("admin", "customer")
        or not isinstance(data.get("i"), int)
        or not isinstance(data.get("v"), int)
    ):
        raise TokenInvalid("invalid")
    # Links made before they carried the session version count as made at the first one, so they
    # work only for users whose sessions were never ended since.
    data.setdefault("s", 1)
    if not isinstance(data["s"], int) or isinstance(data["s"], bool):
        raise TokenInvalid("invalid")
    return data
