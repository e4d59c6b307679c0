"""Users: creating admin and customer users, listing and disabling them."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from portal.audit import record_event
from portal.auth.rules import end_every_session
from portal.auth.users import MIN_PASSWORD_LENGTH, hash_password
from portal.foundations.errors import FieldError, NotFound, ValidationFailed
from portal.extensions import db
from portal.models import Account, AdminUser, Customer, CustomerUser
from portal.foundations.permissions import SYSTEM, Actor, require


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


def create_admin_user(*, email: str, password: str, level: int = 1, name: str | None = None,
                      actor: Actor = SYSTEM) -> AdminUser:
    """Create an admin user with an expert level 1–5. Raises ValidationFailed."""
    require(actor, "admin_user.write")
    errors: list[FieldError] = []
    email = _check_email_and_password(email, password, errors)
    if not isinstance(level, int) or not 1 <= level <= 5:
        errors.append(FieldError("level", "must be between 1 and 5"))
    if errors:
        raise ValidationFailed(errors)
    user = AdminUser(email=email, name=name, level=level, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    record_event(actor, "admin_user.created", user, level=level)
    return user


def create_customer_user(*, email: str, password: str | None, customer_id: int | None,
                         account_ids: list[int] | None = None, name: str | None = None,
                         actor: Actor = SYSTEM) -> CustomerUser:
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
        accounts = list(db.session.scalars(
            select(Account).where(Account.id.in_(account_ids), Account.customer_id == customer.id)
        ))
        if len(accounts) != len(set(account_ids)):
            errors.append(FieldError("account", "must belong to the customer"))
    if errors:
        raise ValidationFailed(errors)
    user = CustomerUser(email=email, name=name, customer=customer, accounts=accounts,
                        limited_to_accounts=bool(accounts),
                        password_hash=hash_password(password) if password else None)
    db.session.add(user)
    db.session.flush()
    record_event(actor, "customer_user.created", user, customer_id=customer.id,
                 accounts=[a.id for a in accounts])
    return user


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
        lines.append(f"admin    {user.id:>5}  {user.email:<40} level {user.level}  "
                     f"{'enabled' if user.enabled else 'disabled'}")
    for user in db.session.scalars(select(CustomerUser).order_by(CustomerUser.id)):
        limit = (",".join(str(a.id) for a in user.accounts) or "no account left") if user.limited_to_accounts \
            else "all accounts"
        lines.append(f"customer {user.id:>5}  {user.email:<40} customer {user.customer_id} ({limit})  "
                     f"{'enabled' if user.enabled else 'disabled'}")
    return lines
