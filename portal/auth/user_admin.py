"""Managing users from the admin area: invite customer users, limit them to accounts, change admin levels,
disable and enable anyone. Creating users lives in `portal.auth.user_service`.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.audit import record_event
from portal.auth.invites import invite_link, make_password_token, send_invite
from portal.auth.rules import end_every_session
from portal.auth.user_service import create_customer_user
from portal.billing.customers import get_row
from portal.foundations.errors import FieldError, InvalidState, ValidationFailed
from portal.extensions import db
from portal.models import Account, AdminUser, CustomerUser
from portal.foundations.permissions import SYSTEM, Actor, require


def get_admin_user(user_id) -> AdminUser:
    return get_row(AdminUser, user_id, "admin user")


def get_customer_user(user_id) -> CustomerUser:
    return get_row(CustomerUser, user_id, "customer user")


def invite_customer_user(*, email, customer_id, account_ids=None, name=None,
                         actor: Actor = SYSTEM) -> tuple[CustomerUser, str, bool]:
    """Create a customer user without a password and e-mail it a set-password (invitation) link.

    Returns (user, link, sent): `sent` is False when the mail could not be delivered; the user
    exists anyway and the admin can pass the link on (it is shown once).

    Raises ValidationFailed (bad or taken e-mail, unknown customer, accounts of another customer)
    and PermissionDenied (below level 4).
    """
    user = create_customer_user(email=email, password=None, customer_id=customer_id,
                                account_ids=list(account_ids or []), name=(name or "").strip() or None, actor=actor)
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
    accounts = list(db.session.scalars(
        select(Account).where(Account.id.in_(wanted), Account.customer_id == user.customer_id).order_by(Account.id)
    )) if wanted else []
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
    others = db.session.scalar(select(func.count()).select_from(AdminUser).where(
        AdminUser.level == 5, AdminUser.enabled.is_(True), AdminUser.id != user.id))
    if not others:
        raise InvalidState("At least one enabled level 5 admin must remain.")


def list_admin_users() -> list[AdminUser]:
    return list(db.session.scalars(select(AdminUser).order_by(AdminUser.email)))


def list_customer_users(customer_id: int | None = None) -> list[CustomerUser]:
    stmt = select(CustomerUser).options(selectinload(CustomerUser.accounts), selectinload(CustomerUser.customer)) \
        .order_by(CustomerUser.email)
    if customer_id is not None:
        stmt = stmt.where(CustomerUser.customer_id == customer_id)
    return list(db.session.scalars(stmt))
