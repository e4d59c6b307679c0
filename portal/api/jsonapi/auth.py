"""JWT for the JSON:API faces: HS256 tokens `{"sub", "aud", "exp"}`, admin and customer audiences, login checks."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import time

import jwt
from flask import current_app, request
from sqlalchemy import bindparam, func, select

from portal.app_cache import app_lru
from portal.auth.users import verify_password
from portal.extensions import db
from portal.models import AdminUser, Customer, CustomerUser

ADMIN_AUDIENCE = "admin"
CUSTOMER_AUDIENCE = "customer-v1"
ALGORITHM = "HS256"
CUSTOMER_COOKIE = "customer_v1_session"


class BadToken(Exception):
    """The token is missing, malformed, forged, expired, for another audience, or its user may not use it."""


def _derived(secret: str, purpose: str) -> bytes:
    # A key per purpose, so that a token of one API is never valid on another and never a session cookie.
    return hmac.new(secret.encode(), f"portal-jsonapi-{purpose}-jwt".encode(), hashlib.sha256).digest()


def signing_keys(audience: str) -> list[bytes]:
    """Keys for an audience, the one that signs first; older SECRET_KEYs still verify (rotation)."""
    config = current_app.config
    if audience == CUSTOMER_AUDIENCE and config.get("CUSTOMER_JWT_SECRET"):
        return [config["CUSTOMER_JWT_SECRET"].encode()]
    secrets = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    return [_derived(secret, audience) for secret in secrets if secret]


def lifetime_seconds() -> int | None:
    value = current_app.config.get("JWT_LIFETIME_SECONDS")
    return int(value) if value else None


def issue_token(subject: int, audience: str, *, now: dt.datetime | None = None) -> str:
    """An HS256 JWT `{"sub": subject, "aud": [audience], "exp": now + lifetime}` (no exp if lifetime is 0)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    # Claim order as the documented tokens show it (it changes nothing for verification).
    if audience == CUSTOMER_AUDIENCE:
        claims: dict = {"aud": [audience], "sub": subject}
    else:
        claims = {"sub": subject, "aud": [audience]}
    lifetime = lifetime_seconds()
    if lifetime:
        claims["exp"] = int((now + dt.timedelta(seconds=lifetime)).timestamp())
    return jwt.encode(claims, signing_keys(audience)[0], algorithm=ALGORITHM)


def decode_token(token: str, audience: str) -> int:
    """The subject id of a valid token for `audience`, or BadToken. Only HS256 is accepted.

    A token once verified is remembered per process with its subject and expiry, keyed on the token,
    the audience and the keys and rules it was verified with: the same bytes give the same answer
    until it expires, so its signature is not computed again on each request (`PORTAL_JWT_CACHE_SIZE`;
    0 turns this off). The user behind it is still checked on every request."""
    if not token or len(token) > 4096:
        raise BadToken("missing")
    keys, lifetime = signing_keys(audience), lifetime_seconds()
    cache = app_lru("jsonapi_verified_tokens", "JWT_CACHE_SIZE")
    memo = (token, audience, tuple(keys), bool(lifetime))
    if cache is not None:
        lock, verified = cache
        with lock:
            found = verified.get(memo)
        if found is not None and (found[1] is None or time.time() < found[1]):  # PyJWT: expired once exp <= now
            return found[0]
    subject, expires, rememberable = _verify(token, audience, keys, lifetime)
    if cache is not None and rememberable:
        with lock:
            verified[memo] = (subject, expires)
    return subject


def _verify(token: str, audience: str, keys: list[bytes], lifetime: int | None) -> tuple[int, float | None, bool]:
    """(subject, expiry, may it be remembered) of a token signed by one of `keys`, or BadToken."""
    # `algorithms=[ALGORITHM]` refuses every other `alg` (none, RS256, HS512, ...) before any
    # signature check, so the token is parsed once per key, not once more for its header.
    require = ["sub", "aud"] + (["exp"] if lifetime else [])
    for key in keys:
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], audience=audience,
                                options={"require": require, "verify_sub": False})
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            raise BadToken("invalid") from None
        subject = claims.get("sub")
        if isinstance(subject, bool) or not isinstance(subject, (int, str)) or not str(subject).isdigit() \
                or int(subject) >= 2**31:  # ids are 32-bit columns; PostgreSQL refuses larger parameters
            raise BadToken("subject")
        expires = claims.get("exp")
        # Only what the expiry alone decides is remembered: our tokens carry no nbf or iat.
        rememberable = "nbf" not in claims and "iat" not in claims and (expires is None or isinstance(expires, int))
        return int(subject), expires, rememberable
    raise BadToken("signature")


def token_from_header() -> str | None:
    """The last whitespace-separated word of `Authorization` (`Bearer <jwt>` or the bare `<jwt>`)."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    words = header.split()
    return words[-1] if words else ""


def client_ip() -> str | None:
    return request.remote_addr


def ip_allowed(allowed: str | None, address: str | None) -> bool:
    """Whether `address` is inside one of the comma-separated networks (empty list: anywhere)."""
    networks = [n.strip() for n in (allowed or "").split(",") if n.strip()]
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def _plausible_login(login, password) -> bool:
    """A login that could name a user: a non-empty string of at most 254 characters without NUL
    (PostgreSQL refuses NUL in a text parameter), with a string password."""
    return isinstance(login, str) and isinstance(password, str) and 0 < len(login) <= 254 and "\x00" not in login


def authenticate_admin(username, password) -> AdminUser | None:
    """The enabled admin user with these credentials, or None."""
    if not _plausible_login(username, password):
        verify_password(None, "x")
        return None
    user = db.session.scalars(select(AdminUser).where(func.lower(AdminUser.email) == username.strip().lower())).first()
    if not verify_password(user.password_hash if user else None, password[:1024]) or not user.enabled:
        return None
    return user


def authenticate_customer(login, password) -> CustomerUser | None:
    """The enabled customer user (login = e-mail) of an enabled customer with these credentials, or None."""
    if not _plausible_login(login, password):
        verify_password(None, "x")
        return None
    user = db.session.scalars(select(CustomerUser).where(func.lower(CustomerUser.email) == login.strip().lower())).first()
    if not verify_password(user.password_hash if user else None, password[:1024]):
        return None
    if not user.enabled or not user.customer.enabled:
        return None
    return user


# The guards run before every API request. Their statements are built once, with the user id as
# a parameter, from table columns rather than mapped attributes: no statement to build and no
# cache key to compute per request, and no ORM layer (bench/README.md "HTTP throughput").
_ADMIN = AdminUser.__table__.c
_ADMIN_GUARD = select(_ADMIN.id, _ADMIN.email, _ADMIN.level, _ADMIN.enabled, _ADMIN.allowed_ips) \
    .where(_ADMIN.id == bindparam("user_id"))
_CUSTOMER_USER, _CUSTOMER = CustomerUser.__table__.c, Customer.__table__.c
_CUSTOMER_GUARD = select(_CUSTOMER_USER.id, _CUSTOMER_USER.customer_id, _CUSTOMER_USER.limited_to_accounts) \
    .join_from(CustomerUser.__table__, Customer.__table__, _CUSTOMER.id == _CUSTOMER_USER.customer_id) \
    .where(_CUSTOMER_USER.id == bindparam("user_id"), _CUSTOMER_USER.enabled.is_(True), _CUSTOMER.enabled.is_(True))


def admin_from_token(token: str | None):
    """The admin user behind a token (id, email, level: what an Actor needs), checked against `enabled`
    and `allowed_ips` on every request; else BadToken. A row of five columns, not the whole user."""
    user = db.session.execute(_ADMIN_GUARD, {"user_id": decode_token(token or "", ADMIN_AUDIENCE)}).first()
    if user is None or not user.enabled or not ip_allowed(user.allowed_ips, client_ip()):
        raise BadToken("user")
    return user


def customer_from_token(token: str | None):
    """The customer user behind a token (id, customer_id, limited_to_accounts), if it and its customer are enabled; else
    BadToken. One query on every customer API request, not the whole user and then its customer."""
    user = db.session.execute(_CUSTOMER_GUARD, {"user_id": decode_token(token or "", CUSTOMER_AUDIENCE)}).first()
    if user is None:
        raise BadToken("user")
    return user
