"""Users of the portal: creating admin and customer users, inviting customer users, limiting them to accounts,
changing admin levels, disabling and enabling anyone, listing them.

An invitation is a customer user without a password plus a single-use link to the password-reset page
(`/password/reset/<token>`, portal.signin.views) with a token marked as an invitation, valid for seven days
instead of one hour (portal.auth.tokens).
"""

from __future__ import annotations

import logging

from email_validator import EmailNotValidError, validate_email
from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.audit import add_recorded, record_event
from portal.auth.rules import end_every_session
from portal.auth.sessions import MIN_PASSWORD_LENGTH, find_user_by_email, hash_password
from portal.auth.tokens import INVITE_MAX_AGE, make_password_reset_token
from portal.customers.customers import get_row
from portal.extensions import db
from portal.foundations.errors import DeliveryFailed, FieldError, InvalidState, NotFound, ValidationFailed
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.foundations.urls import public_url
from portal.mail import send_message
from portal.models import Account, AdminUser, Customer, CustomerUser

log = logging.getLogger(__name__)


def make_password_token(user: CustomerUser) -> str:
    """An invitation token: lets `user` set a password once, within INVITE_MAX_AGE."""
    return make_password_reset_token(user, invite=True)


def invite_link(token: str) -> str:
    """The absolute set-password link of a token (under BASE_URL, never the request's host)."""
    return public_url("auth.password_reset", token=token)


def send_invite(user: CustomerUser, link: str, *, invited_by: str) -> bool:
    """E-mail the invitation link. Returns False (and logs) when the mail could not be sent,
    so the admin can pass the link on by hand."""
    context = {"user": user, "link": link, "days": INVITE_MAX_AGE // 86400, "invited_by": invited_by}
    try:
        send_message(
            [user.email],
            f"Your access to the {user.customer.organization.name} invoice portal",
            render_template("admin/users/email/invite.txt", **context),
            render_template("admin/users/email/invite.html", **context),
        )
    except DeliveryFailed as exc:
        log.warning("invitation mail to customer user %s failed: %s", user.id, exc.message)
        return False
    return True


def _check_email_and_password(email: str, password: str | None, errors: list[FieldError]) -> str:
    try:
        email = validate_email(email or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors.append(FieldError("email", "is invalid"))
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors.append(FieldError("password", f"is too short (minimum is {MIN_PASSWORD_LENGTH} characters)"))
    if email and find_user_by_email(email) is not None:
        errors.append(FieldError("email", "has already been taken"))
    return email


def create_admin_user(
    *, email: str, password: str, level: int = 1, name: str | None = None, actor: Actor = SYSTEM
) -> AdminUser:
    """Create an admin user with an expert level 1–5. Raises ValidationFailed."""
    require(actor, "admin_user.write")
    errors: list[FieldError] = []
    email = _check_email_and_password(email, password, errors)
    if not isinstance(level, int) or not 1 <= level <= 5:
        errors.append(FieldError("level", "must be between 1 and 5"))
    if errors:
        raise ValidationFailed(errors)
    user = AdminUser(email=email, name=name, level=level, password_hash=hash_password(password))
    return add_recorded(actor, "admin_user.created", user, level=level)


def create_customer_user(
    *,
    email: str,
    password: str | None,
    customer_id: int | None,
    account_ids: list[int] | None = None,
    name: str | None = None,
    actor: Actor = SYSTEM,
) -> CustomerUser:
    """Create a customer user, optionally limited to some of the customer's accounts.

    `password` None creates a user who sets a password through an invite link.
    Raises ValidationFailed (unknown customer, accounts of another customer, bad e-mail, short password).
    """
    require(actor, "customer_user.write")
    errors: list[FieldError] = []
    email = _check_email_and_password(email, password, errors)
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is None:
        errors.append(FieldError("customer", "can't be blank"))
    accounts = []
    if account_ids and customer is not None:
        accounts = list(
            db.session.scalars(select(Account).where(Account.id.in_(account_ids), Account.customer_id == customer.id))
        )
        if len(accounts) != len(set(account_ids)):
            errors.append(FieldError("account", "must belong to the customer"))
    if errors:
        raise ValidationFailed(errors)
    user = CustomerUser(
        email=email,
        name=name,
        customer=customer,
        accounts=accounts,
        limited_to_accounts=bool(accounts),
        password_hash=hash_password(password) if password else None,
    )
    return add_recorded(
        actor, "customer_user.created", user, customer_id=customer.id, accounts=[a.id for a in accounts]
    )


def disable_user(email: str, *, actor: Actor = SYSTEM) -> None:
    """Disable a user and end all of its sessions. Raises NotFound."""
    user = find_user_by_email(email)
    if user is None:
        raise NotFound(f"No user with e-mail {email}")
    require(actor, "admin_user.write" if user.kind == "admin" else "customer_user.write")
    user.enabled = False
    end_every_session(user)
    record_event(actor, f"{user.kind}_user.disabled", user)
    db.session.flush()


def list_users() -> list[str]:
    lines = []
    for user in db.session.scalars(select(AdminUser).order_by(AdminUser.id)):
        lines.append(
            f"admin    {user.id:>5}  {user.email:<40} level {user.level}  {'enabled' if user.enabled else 'disabled'}"
        )
    for user in db.session.scalars(select(CustomerUser).order_by(CustomerUser.id)):
        limit = (
            (",".join(str(a.id) for a in user.accounts) or "no account left")
            if user.limited_to_accounts
            else "all accounts"
        )
        lines.append(
            f"customer {user.id:>5}  {user.email:<40} customer {user.customer_id} ({limit})  "
            f"{'enabled' if user.enabled else 'disabled'}"
        )
    return lines


def get_admin_user(user_id) -> AdminUser:
    return get_row(AdminUser, user_id, "admin user")


def get_customer_user(user_id) -> CustomerUser:
    return get_row(CustomerUser, user_id, "customer user")


def invite_customer_user(
    *, email, customer_id, account_ids=None, name=None, actor: Actor = SYSTEM
) -> tuple[CustomerUser, str, bool]:
    """Create a customer user without a password and e-mail it a set-password (invitation) link.

    Returns (user, link, sent): `sent` is False when the mail could not be delivered; the user
    exists anyway and the admin can pass the link on (it is shown once).

    Raises ValidationFailed (bad or taken e-mail, unknown customer, accounts of another customer)
    and PermissionDenied (below level 4).
    """
    user = create_customer_user(
        email=email,
        password=None,
        customer_id=customer_id,
        account_ids=list(account_ids or []),
        name=(name or "").strip() or None,
        actor=actor,
    )
    link = invite_link(make_password_token(user))
    sent = send_invite(user, link, invited_by=actor.label)
    record_event(actor, "customer_user.invited", user, customer_id=user.customer_id, emailed=sent)
    db.session.flush()
    return user, link, sent


def reinvite_customer_user(user: CustomerUser, *, actor: Actor = SYSTEM) -> tuple[str, bool]:
    """E-mail a fresh invitation link (e.g. the first mail was lost). Returns (link, sent).

    Raises PermissionDenied (below level 4) and InvalidState (the user is disabled).
    """
    require(actor, "customer_user.write")
    if not user.enabled:
        raise InvalidState("The user is disabled; enable it before sending a new invitation.")
    link = invite_link(make_password_token(user))
    sent = send_invite(user, link, invited_by=actor.label)
    record_event(actor, "customer_user.invited", user, customer_id=user.customer_id, again=True, emailed=sent)
    db.session.flush()
    return link, sent


def limit_customer_user(user: CustomerUser, account_ids, *, actor: Actor = SYSTEM) -> CustomerUser:
    """Limit a customer user to some accounts of its own customer; an empty list means all accounts.

    Raises ValidationFailed (`account - must belong to the customer`) and PermissionDenied.
    """
    require(actor, "customer_user.write")
    try:
        wanted = {int(i) for i in (account_ids or [])}
    except (TypeError, ValueError):
        raise ValidationFailed.single("account", "is invalid") from None
    accounts = (
        list(
            db.session.scalars(
                select(Account)
                .where(Account.id.in_(wanted), Account.customer_id == user.customer_id)
                .order_by(Account.id)
            )
        )
        if wanted
        else []
    )
    if len(accounts) != len(wanted):
        raise ValidationFailed.single("account", "must belong to the customer")
    user.accounts = accounts
    user.limited_to_accounts = bool(accounts)
    # What the user may see changed: existing sessions pick it up on the next request anyway,
    # since scoping reads the limit and the accounts from the database.
    record_event(actor, "customer_user.limited", user, accounts=[a.id for a in accounts])
    db.session.flush()
    return user


def set_user_enabled(user, enabled: bool, *, actor: Actor = SYSTEM):
    """Disable (signing the user out everywhere) or enable an admin or customer user.

    Admin users need level 5, customer users level 4. Nobody disables themselves, and the
    last enabled level-5 admin stays enabled.
    Raises PermissionDenied and InvalidState.
    """
    is_admin = isinstance(user, AdminUser)
    require(actor, "admin_user.write" if is_admin else "customer_user.write")
    if enabled == user.enabled:
        return user
    if not enabled:
        if is_admin and actor.kind == "admin" and actor.id == user.id:
            raise InvalidState("You can't disable yourself.")
        if is_admin and user.level == 5:
            _keep_one_top_admin(user)
        end_every_session(user)
    user.enabled = bool(enabled)
    record_event(actor, f"{user.kind}_user.{'enabled' if enabled else 'disabled'}", user)
    db.session.flush()
    return user


def change_admin_level(user: AdminUser, level, *, actor: Actor = SYSTEM) -> AdminUser:
    """Set an admin user's expert level (1–5). Needs level 5; you can't lower your own level,
    and the last enabled level-5 admin keeps level 5.

    Raises ValidationFailed (level outside 1–5), InvalidState and PermissionDenied.
    """
    require(actor, "admin_user.write")
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise ValidationFailed([FieldError("level", "must be between 1 and 5")]) from None
    if not 1 <= level <= 5:
        raise ValidationFailed([FieldError("level", "must be between 1 and 5")])
    if level == user.level:
        return user
    if actor.kind == "admin" and actor.id == user.id and level < user.level:
        raise InvalidState("You can't lower your own level; ask another level 5 admin.")
    if user.level == 5 and user.enabled:
        _keep_one_top_admin(user)
    old = user.level
    user.level = level
    record_event(actor, "admin_user.level_changed", user, old=old, new=level)
    db.session.flush()
    return user


def _keep_one_top_admin(user: AdminUser) -> None:
    others = db.session.scalar(
        select(func.count())
        .select_from(AdminUser)
        .where(AdminUser.level == 5, AdminUser.enabled.is_(True), AdminUser.id != user.id)
    )
    if not others:
        raise InvalidState("At least one enabled level 5 admin must remain.")


def list_admin_users() -> list[AdminUser]:
    return list(db.session.scalars(select(AdminUser).order_by(AdminUser.email)))


def list_customer_users(customer_id: int | None = None) -> list[CustomerUser]:
    stmt = (
        select(CustomerUser)
        .options(selectinload(CustomerUser.accounts), selectinload(CustomerUser.customer))
        .order_by(CustomerUser.email)
    )
    if customer_id is not None:
        stmt = stmt.where(CustomerUser.customer_id == customer_id)
    return list(db.session.scalars(stmt))
