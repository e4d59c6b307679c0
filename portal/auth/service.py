"""Sign-in services: sign in (every face), change and reset passwords, end sessions."""

from __future__ import annotations

import logging

from sqlalchemy import func, select, update

from portal.audit import record_event
from portal.auth import rules
from portal.auth.sessions import MIN_PASSWORD_LENGTH, USER_MODELS, find_user_by_email, hash_password, verify_password
from portal.auth.tasks import send_password_reset_job
from portal.auth.tokens import TokenInvalid, read_password_reset_token
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import FieldError, Gone, NotFound, ValidationFailed
from portal.foundations.i18n import N_
from portal.foundations.permissions import actor_for

log = logging.getLogger(__name__)

# English, marked for the catalogs: the sign-in pages show them in the visitor's language, the APIs as they are.
INVALID_CREDENTIALS = N_("Invalid email or password.")
RESET_LINK_EXPIRED = N_("This password reset link has expired. Ask for a new one.")
RESET_LINK_USED = N_("This password reset link has already been used. Ask for a new one if you need to.")
RESET_LINK_INVALID = N_("This password reset link is not valid.")
RESET_LINK_REVOKED = N_(
    "This password reset link no longer works: the password was changed or the account was signed "
    "out everywhere since it was sent. Ask for a new one if you need to."
)
CURRENT_PASSWORD_INCORRECT = N_("is incorrect")
MAX_PASSWORD_LENGTH = rules.MAX_PASSWORD_LENGTH


class SignInRefused(Exception):
    """Sign-in refused. `reason` is CREDENTIALS (unknown login, wrong password, disabled user or
    customer, input outside the limits) or ADDRESS (right password, admin outside `allowed_ips`)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


CREDENTIALS = "credentials"
ADDRESS = "address"


def find_user(login: str, kind: str | None = None):
    """The user whose e-mail is `login` (case-insensitive): admin or customer, or only `kind`; None."""
    if kind is None:
        return find_user_by_email(login)
    model = USER_MODELS[kind]
    key = login.strip().lower()
    return db.session.scalars(select(model).where(func.lower(model.email) == key)).first()


def sign_in(login, password, *, address: str | None, kind: str | None = None, face: str):
    """The one sign-in of every face: the user with this login and password, if the rule lets it in.

    The password is always checked (against a dummy hash for unknown logins and input outside
    the limits) so the time taken does not reveal which logins exist. Then the user's standing is
    checked (portal.auth.rules.standing_problem: enabled, customer enabled, admin address). The
    sign-in is recorded (last_login_at and an audit event naming the face).

    Args:
        login, password: as the caller sent them (anything; non-strings are refused).
        address: the client's IP address.
        kind: "admin" or "customer" to accept only that kind of user (the JSON:API faces);
            None for either (the HTML login).
        face: where the sign-in came from ("html", "jsonapi-admin", "jsonapi-customer"), for the audit log.

    Returns:
        The AdminUser or CustomerUser (flushed).

    Raises:
        SignInRefused: CREDENTIALS for an unknown login, a wrong password, a disabled user or
            customer, or input outside the limits; ADDRESS when the password is right but an
            admin's `allowed_ips` refuse `address`.
    """
    plausible = rules.plausible_credentials(login, password)
    user = find_user(login.strip(), kind) if plausible else None
    password_ok = verify_password(user.password_hash if user else None, password if plausible else "")
    if user is None or not password_ok:
        raise SignInRefused(CREDENTIALS)
    problem = rules.standing_problem(user.kind, user, address)
    if problem is not None:
        raise SignInRefused(ADDRESS if problem == rules.ADDRESS_REFUSED else CREDENTIALS)
    user.last_login_at = utcnow()
    record_event(actor_for(user), f"{user.kind}_user.signed_in", user, face=face)
    db.session.flush()
    return user


def end_sessions(user) -> None:
    """Sign the user out on every device (portal.auth.rules.end_every_session): what signing out does."""
    rules.end_every_session(user)
    record_event(actor_for(user), f"{user.kind}_user.signed_out", user)
    db.session.flush()


def sign_out_everywhere(user) -> None:
    """End every session, token, API session cookie and pending password-reset link of the user.

    The caller signs the current browser session in again with the new session version.
    """
    rules.end_every_session(user)
    record_event(actor_for(user), f"{user.kind}_user.signed_out_everywhere", user)
    db.session.flush()


def _check_new_password(password: str | None, errors: list[FieldError], field: str = "password") -> None:
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        errors.append(FieldError(field, f"is too short (minimum is {MIN_PASSWORD_LENGTH} characters)"))
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors.append(FieldError(field, f"is too long (maximum is {MAX_PASSWORD_LENGTH} characters)"))


def change_password(user, current_password: str | None, new_password: str | None):
    """Set a new password after checking the current one; every other session is signed out.

    The caller signs the current session in again with the user's new session version.

    Raises:
        ValidationFailed: `current-password - is incorrect`, `password - is too short (…)`,
            `password - is too long (…)`.
    """
    errors: list[FieldError] = []
    if not verify_password(user.password_hash, (current_password or "")[:MAX_PASSWORD_LENGTH]):
        errors.append(FieldError("current-password", CURRENT_PASSWORD_INCORRECT))
    _check_new_password(new_password, errors)
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(new_password)
    rules.end_every_session(user)
    record_event(actor_for(user), f"{user.kind}_user.password_changed", user)
    db.session.flush()
    return user


def request_password_reset(email: str | None) -> None:
    """Have a single-use, one-hour reset link mailed to the user with this e-mail, if there is one.

    Answers the same way whether the e-mail exists, is disabled or the mail fails, so the
    caller can never learn which e-mails have accounts. The mail itself is a job
    (`send_password_reset_job`): with a queue the request does not wait for SMTP, so its
    duration gives nothing away either.
    """
    user = find_user_by_email((email or "").strip()[:254]) if email else None
    if user is None or rules.reset_refused(user):
        return
    send_password_reset_job(user.kind, user.id)


def check_password_reset_token(token: str):
    """The user a reset token belongs to, if the token can still be used.

    Raises:
        NotFound: tampered or malformed token, or the user no longer exists, or it or its customer
            is disabled.
        Gone: the token expired (older than one hour), was already used, or the user's sessions
            were ended since it was made (password changed, signed out everywhere, disabled).
    """
    try:
        data = read_password_reset_token(token)
    except TokenInvalid as exc:
        if exc.reason == "expired":
            raise Gone(RESET_LINK_EXPIRED) from None
        raise NotFound(RESET_LINK_INVALID) from None
    user = db.session.get(USER_MODELS[data["k"]], data["i"])
    if user is None or rules.reset_refused(user):
        raise NotFound(RESET_LINK_INVALID)
    if user.password_token_version != data["v"]:
        raise Gone(RESET_LINK_USED)
    if user.session_version != data["s"]:
        raise Gone(RESET_LINK_REVOKED)
    return user, data["v"]


def reset_password(token: str, new_password: str | None):
    """Set a new password through a reset token; the token then stops working and every session ends.

    One conditional UPDATE takes the token (`password_token_version` and `session_version` still
    equal to the versions it carries), so two simultaneous uses cannot both succeed.

    Raises:
        NotFound / Gone: as check_password_reset_token.
        ValidationFailed: `password - is too short (…)` / `is too long (…)`.
    """
    user, version = check_password_reset_token(token)
    errors: list[FieldError] = []
    _check_new_password(new_password, errors)
    if errors:
        raise ValidationFailed(errors)
    model = type(user)
    taken = db.session.execute(
        update(model)
        # Neither used meanwhile nor ended by a concurrent sign-out everywhere, password change or disabling.
        .where(
            model.id == user.id, model.password_token_version == version, model.session_version == user.session_version
        )
        .values(
            password_token_version=version + 1,
            session_version=model.session_version + 1,
            sessions_ended_at=utcnow(),
            password_hash=hash_password(new_password),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise Gone(RESET_LINK_USED)
    db.session.expire(user)
    record_event(actor_for(user), f"{user.kind}_user.password_reset", user)
    db.session.flush()
    return user
