"""JWT for the JSON:API faces: HS256 tokens `{"sub", "aud", "exp"}`, admin and customer audiences, the customer
API session cookie, and the per-request check of the user behind either (portal.auth.rules)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time

import jwt
from flask import current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select

from portal.api.json_body import BadJsonBody, load_json_object
from portal.auth import rules
from portal.extensions import db, limiter
from portal.foundations.app_cache import app_lru
from portal.foundations.ids import row_id
from portal.foundations.signing import signing_keys as session_signing_keys
from portal.models import AdminUser, Customer, CustomerUser

ADMIN_AUDIENCE = "admin"
CUSTOMER_AUDIENCE = "customer-v1"
ALGORITHM = "HS256"
CUSTOMER_COOKIE = "customer_v1_session"
# A signing namespace, not a secret.
CUSTOMER_SESSION_SALT = "portal.customer-v1-session"
DEFAULT_CUSTOMER_SESSION_HOURS = 8


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


def issue_token(
    subject: int, audience: str, *, now: dt.datetime | None = None, sessions_ended_at: dt.datetime | None = None
) -> str:
    """An HS256 JWT `{"sub": subject, "aud": [audience], "exp": now + lifetime}`.

    The documented claims carry no issue time: the token's is its `exp` minus the lifetime, which
    the per-request check compares with the user's `sessions_ended_at` (portal.auth.rules). A token
    issued in the very second the user's sessions were ended is dated to the next second (its
    `exp` moves up to one second later), so it is never taken for one issued before.
    With a lifetime of 0 the token has no `exp` and carries its issue time as `iat` instead.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    # Claim order as the documented tokens show it (it changes nothing for verification).
    if audience == CUSTOMER_AUDIENCE:
        claims: dict = {"aud": [audience], "sub": subject}
    else:
        claims = {"sub": subject, "aud": [audience]}
    lifetime = lifetime_seconds()
    if lifetime:
        expires = int((now + dt.timedelta(seconds=lifetime)).timestamp())
        first_second = rules.first_valid_second(sessions_ended_at)
        claims["exp"] = max(expires, first_second + lifetime) if first_second is not None else expires
    else:
        claims["iat"] = now.timestamp()
    return jwt.encode(claims, signing_keys(audience)[0], algorithm=ALGORITHM)


def decode_token(token: str, audience: str) -> tuple[int, float | None]:
    """(subject id, issue time) of a valid token for `audience`, or BadToken. Only HS256 is accepted.

    The issue time (Unix seconds) is `exp` minus the configured lifetime, or `iat` for tokens
    without expiry; None when unknown. Whether the user behind the token may still use it
    (enabled, sessions not ended since the issue time, ...) is for the caller to check, on every
    request (admin_from_token, customer_from_token).

    A token once verified is remembered per process with its subject, expiry and issue time, keyed
    on the token, the audience and the keys and lifetime it was verified with: the same bytes give
    the same answer until it expires, so its signature is not computed again on each request
    (`PORTAL_JWT_CACHE_SIZE`; 0 turns this off)."""
    if not token or len(token) > 4096:
        raise BadToken("missing")
    keys, lifetime = signing_keys(audience), lifetime_seconds()
    cache = app_lru("jsonapi_verified_tokens", "JWT_CACHE_SIZE")
    memo = (token, audience, tuple(keys), lifetime)
    if cache is not None:
        lock, verified = cache
        with lock:
            found = verified.get(memo)
        if found is not None and (found[1] is None or time.time() < found[1]):  # PyJWT: expired once exp <= now
            return found[0], found[2]
    subject, expires, issued_at, rememberable = _verify(token, audience, keys, lifetime)
    if cache is not None and rememberable:
        with lock:
            verified[memo] = (subject, expires, issued_at)
    return subject, issued_at


def _verify(
    token: str, audience: str, keys: list[bytes], lifetime: int | None
) -> tuple[int, float | None, float | None, bool]:
    """(subject, expiry, issue time, may it be remembered) of a token signed by one of `keys`, or BadToken."""
    # `algorithms=[ALGORITHM]` refuses every other `alg` (none, RS256, HS512, ...) before any
    # signature check, so the token is parsed once per key, not once more for its header.
    require = ["sub", "aud"] + (["exp"] if lifetime else [])
    for key in keys:
        try:
            claims = jwt.decode(
                token, key, algorithms=[ALGORITHM], audience=audience, options={"require": require, "verify_sub": False}
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            raise BadToken("invalid") from None
        subject = claims.get("sub")
        if row_id(subject) is None:
            raise BadToken("subject")
        expires = claims.get("exp")
        issued = claims.get("iat")
        if lifetime:
            issued_at = expires - lifetime if isinstance(expires, int) else None
        else:
            issued_at = issued if isinstance(issued, (int, float)) and not isinstance(issued, bool) else None
        # Only what the expiry alone decides is remembered (a checked `iat` is in the past for good).
        rememberable = "nbf" not in claims and (expires is None or isinstance(expires, int))
        return int(subject), expires, issued_at, rememberable
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


def _login_key(field: str):
    """Rate-limit key of a JSON:API sign-in: the address and the login it names (the HTML face keys on the e-mail)."""

    def key() -> str:
        # Read with the APIs' one body loader: a bad body has no login here, and the view answers it.
        try:
            body = load_json_object(request.get_data(cache=True))
        except BadJsonBody:
            body = {}
        credentials = body.get("auth")
        login = credentials.get(field) if isinstance(credentials, dict) else None
        login = login.strip().lower()[: rules.MAX_LOGIN_LENGTH] if isinstance(login, str) else ""
        return f"{get_remote_address()}|{login}"

    return key


def _setting(setting: tuple[str, str]):
    name, default = setting
    return lambda: current_app.config.get(name, default)


def sign_in_rate_limits(login_field: str):
    """The sign-in rule's rate limits (portal.auth.rules) for a JSON:API `/auth` route, counted with the
    HTML login's: per address every attempt, per address and login only the failed ones."""
    per_address = limiter.limit(_setting(rules.PER_ADDRESS_LIMIT), key_func=get_remote_address, scope="auth-ip")
    per_login = limiter.limit(
        _setting(rules.PER_LOGIN_LIMIT),
        key_func=_login_key(login_field),
        deduct_when=lambda response: response.status_code != 201,
        scope="auth-email",
    )

    def decorate(view):
        return per_address(per_login(view))

    return decorate


# The guards run before every API request. Their statements are built once, with the user id as
# a parameter, from table columns rather than mapped attributes: no statement to build and no
# cache key to compute per request, and no ORM layer (bench/README.md "HTTP throughput").
_ADMIN = AdminUser.__table__.c
_ADMIN_GUARD = select(
    _ADMIN.id, _ADMIN.email, _ADMIN.level, _ADMIN.enabled, _ADMIN.allowed_ips, _ADMIN.sessions_ended_at
).where(_ADMIN.id == bindparam("user_id"))
_CUSTOMER_USER, _CUSTOMER = CustomerUser.__table__.c, Customer.__table__.c
_CUSTOMER_GUARD = (
    select(
        _CUSTOMER_USER.id,
        _CUSTOMER_USER.customer_id,
        _CUSTOMER_USER.enabled,
        _CUSTOMER.enabled.label("customer_enabled"),
        _CUSTOMER_USER.limited_to_accounts,
        _CUSTOMER_USER.session_version,
        _CUSTOMER_USER.sessions_ended_at,
    )
    .join_from(CustomerUser.__table__, Customer.__table__, _CUSTOMER.id == _CUSTOMER_USER.customer_id)
    .where(_CUSTOMER_USER.id == bindparam("user_id"))
)


def admin_from_token(token: str | None):
    """The admin user behind a token (id, email, level: what an Actor needs), if the sign-in rule still
    lets it in from this address (portal.auth.rules.token_is_valid: enabled, `allowed_ips`, sessions
    not ended since the token was issued), checked on every request; else BadToken. One row, not the whole user."""
    subject, issued_at = decode_token(token or "", ADMIN_AUDIENCE)
    user = db.session.execute(_ADMIN_GUARD, {"user_id": subject}).first()
    if not rules.token_is_valid("admin", user, client_ip(), issued_at):
        raise BadToken("user")
    return user


def _customer_row(user_id: int):
    return db.session.execute(_CUSTOMER_GUARD, {"user_id": user_id}).first()


def customer_from_token(token: str | None):
    """The customer user behind a token (id, customer_id, limited_to_accounts, ...), if the sign-in rule
    still lets it in (user and customer enabled, sessions not ended since the token was issued); else
    BadToken. One query on every customer API request, not the whole user and then its customer."""
    subject, issued_at = decode_token(token or "", CUSTOMER_AUDIENCE)
    user = _customer_row(subject)
    if not rules.token_is_valid("customer", user, client_ip(), issued_at):
        raise BadToken("user")
    return user


def customer_session_seconds() -> int:
    """Absolute lifetime of a customer API session cookie, counted from its sign-in."""
    hours = current_app.config.get("CUSTOMER_SESSION_HOURS")
    return int(float(hours if hours is not None else DEFAULT_CUSTOMER_SESSION_HOURS) * 3600)


def session_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(session_signing_keys(), salt=CUSTOMER_SESSION_SALT)


def issue_session_cookie(user_id: int, session_version: int, started: int) -> str:
    """The `customer_v1_session` value: the user, its session version and when the session signed in, signed."""
    return session_serializer().dumps({"u": user_id, "v": session_version, "t": started})


def session_ends_at(started: int) -> int:
    return started + customer_session_seconds()


def customer_from_cookie(value: str | None) -> tuple:
    """(customer user row, sign-in time) of a `customer_v1_session` cookie, or BadToken.

    The cookie ends when it was not used for the token lifetime (`PORTAL_JWT_LIFETIME`; each use
    renews it), at its absolute lifetime counted from the sign-in (`PORTAL_CUSTOMER_SESSION_HOURS`;
    renewing never moves that), and when the user's sessions are ended (sign-out, password change,
    "sign out everywhere", a disabled user or customer): portal.auth.rules.session_is_valid.
    """
    if not value or len(value) > 1024:
        raise BadToken("missing")
    idle = lifetime_seconds()
    try:
        data = session_serializer().loads(value, max_age=idle)
    except (SignatureExpired, BadSignature):
        raise BadToken("cookie") from None
    if (
        not isinstance(data, dict)
        or not all(isinstance(data.get(k), int) and not isinstance(data.get(k), bool) for k in ("u", "v", "t"))
        or row_id(data["u"]) is None
    ):
        raise BadToken("cookie")
    if time.time() >= session_ends_at(data["t"]):
        raise BadToken("session over")
    user = _customer_row(data["u"])
    if not rules.session_is_valid("customer", user, client_ip(), data["v"]):
        raise BadToken("user")
    return user, data["t"]
