"""Who may be signed in: the one rule every face applies at sign-in and on every request afterwards."""

from __future__ import annotations

import datetime as dt
import ipaddress
import math

from sqlalchemy import update

from portal.extensions import db
from portal.foundations.database import utcnow
from portal.models import CustomerUser

# Sign-in input limits, the same for every face. No password the portal accepts is longer
# (portal.auth.service checks new passwords against it), so a longer one is refused, never cut.
MAX_LOGIN_LENGTH = 254
MAX_PASSWORD_LENGTH = 256

# Rate limits of every sign-in face (HTML /login, both JSON:API /auth): (app config key, default).
# Per address: every attempt counts; per address and login: only failed attempts count.
PER_ADDRESS_LIMIT = ("LOGIN_RATE_LIMIT_PER_IP", "20 per minute")
PER_LOGIN_LIMIT = ("LOGIN_RATE_LIMIT_PER_EMAIL", "5 per minute")

# Why a user may not be signed in (standing_problem); faces decide what they tell the caller.
USER_DISABLED = "user disabled"
CUSTOMER_DISABLED = "customer disabled"
ADDRESS_REFUSED = "address refused"


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


def plausible_credentials(login, password) -> bool:
    """Input that could name a user and be its password: strings within the limits, no NUL in the
    login (PostgreSQL refuses NUL in a text parameter)."""
    if not isinstance(login, str) or not isinstance(password, str):
        return False
    login = login.strip()
    return 0 < len(login) <= MAX_LOGIN_LENGTH and "\x00" not in login and len(password) <= MAX_PASSWORD_LENGTH


def account_problem(kind: str, user) -> str | None:
    """USER_DISABLED or CUSTOMER_DISABLED when the user (or a customer user's customer) is disabled, else None.

    The part of standing_problem that does not depend on where the request comes from; it alone
    decides whether password-reset and invitation links may be used.
    """
    if not user.enabled:
        return USER_DISABLED
    if kind == "customer" and not user.customer_enabled:
        return CUSTOMER_DISABLED
    return None


def standing_problem(kind: str, user, address: str | None) -> str | None:
    """Why `user` may not be signed in from `address` right now, or None when it may.

    The rule: the user is enabled; a customer user's customer is enabled; an admin's
    `allowed_ips` (comma-separated networks, empty: any) contain the address. Applied at every
    sign-in and on every request of a session, a JSON:API token or a customer API cookie.

    Args:
        kind: "admin" or "customer".
        user: an AdminUser / CustomerUser, or a row with the same columns (`enabled`;
            `customer_enabled` for customer users; `allowed_ips` for admins).
        address: the client's IP address (None outside a request: refused when the admin is
            limited to some networks).

    Returns:
        USER_DISABLED, CUSTOMER_DISABLED, ADDRESS_REFUSED or None.
    """
    problem = account_problem(kind, user)
    if problem is None and kind == "admin" and not ip_allowed(user.allowed_ips, address):
        problem = ADDRESS_REFUSED
    return problem


def api_key_is_valid(key) -> bool:
    """What the rule asks of an API key: not revoked, and a customer key's customer enabled."""
    if key is None or key.revoked_at is not None:
        return False
    return key.customer_id is None or bool(key.customer is not None and key.customer.enabled)


def session_is_valid(kind: str, user, address: str | None, version) -> bool:
    """A session, remember-me cookie or customer API cookie that carries `version` still signs `user` in.

    It does while the user's session version is the one the session carries (every ending of
    sessions moves it on: end_every_session) and the user's standing allows it (standing_problem).
    """
    return (
        user is not None and str(user.session_version) == str(version) and standing_problem(kind, user, address) is None
    )


def tokens_valid_from(sessions_ended_at: dt.datetime | None) -> float | None:
    """The earliest issue time (Unix seconds) of a token still valid after the user's sessions were
    ended at `sessions_ended_at`; None when they never were."""
    return sessions_ended_at.timestamp() if sessions_ended_at is not None else None


def first_valid_second(sessions_ended_at: dt.datetime | None) -> int | None:
    """The first whole second a token dated in whole seconds may carry as its issue time, or None.

    A token dated by its `exp` knows its issue time only to the second (`exp` minus the lifetime):
    one issued just after the sessions ended, in the same second, is dated to the next second.
    """
    valid_from = tokens_valid_from(sessions_ended_at)
    return math.ceil(valid_from) if valid_from is not None else None


def token_is_valid(kind: str, user, address: str | None, issued_at: float | None) -> bool:
    """A JSON:API token issued at `issued_at` (Unix seconds; None: unknown) still signs `user` in.

    It does while it was issued no earlier than the last time the user's sessions were ended
    (`sessions_ended_at`: end_every_session) and the user's standing allows it (standing_problem).
    """
    if user is None or standing_problem(kind, user, address) is not None:
        return False
    valid_from = tokens_valid_from(user.sessions_ended_at)
    return valid_from is None or (issued_at is not None and issued_at >= valid_from)


def end_every_session(user) -> None:
    """End every session of `user`: browser sessions and remember-me cookies, customer API session
    cookies, JSON:API tokens and password-reset and invitation links issued until now.

    Moves the session version on and stamps `sessions_ended_at`; the caller records why and commits.
    """
    user.session_version = (user.session_version or 0) + 1
    user.sessions_ended_at = utcnow()
    db.session.flush()


def end_customer_sessions(customer_id: int) -> int:
    """end_every_session for every user of a customer (the customer was disabled), in one UPDATE.

    Returns the number of users whose sessions were ended.
    """
    ended = db.session.execute(
        update(CustomerUser)
        .where(CustomerUser.customer_id == customer_id)
        .values(session_version=CustomerUser.session_version + 1, sessions_ended_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    return ended


def reset_refused(user) -> bool:
    """Whether a password-reset link may not be sent to or used by this user (it or its customer disabled).

    The address rule is for signing in; a reset link only sets a password (and signs nobody in).
    """
    return account_problem(user.kind, user) is not None
