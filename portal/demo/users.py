"""Demo sign-ins: one admin per expert level and customer users, with fixed passwords printed by the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from portal.customers.users import create_admin_user, create_customer_user
from portal.extensions import db
from portal.models import Account, AdminUser, Customer, CustomerUser

# The documented demo logins (demo data only), not secrets.
ADMIN_PASSWORD = "admin-demo-pass"  # nosec B105
CUSTOMER_PASSWORD = "customer-demo-pass"  # nosec B105

ADMINS = (
    ("viewer@telco.example", "Vera Viewer", 1),
    ("clerk@telco.example", "Colin Clerk", 2),
    ("approver@telco.example", "Amira Approver", 3),
    ("manager@telco.example", "Mateo Manager", 4),
    ("admin@telco.example", "Ada Admin", 5),
)


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    password: str
    note: str


def create_admins() -> None:
    for email, name, level in ADMINS:
        create_admin_user(email=email, password=ADMIN_PASSWORD, level=level, name=name)


def customer_user_email(customer: Customer, local: str = "portal") -> str:
    return f"{local}@{customer.email.split('@', 1)[1]}"


def create_customer_users(first: Customer, second: Customer, limited: Account) -> None:
    """Users of two customers (all their accounts) and one user limited to a single account."""
    create_customer_user(
        email=customer_user_email(first), password=CUSTOMER_PASSWORD, customer_id=first.id, name=f"{first.name} billing"
    )
    create_customer_user(
        email=customer_user_email(second),
        password=CUSTOMER_PASSWORD,
        customer_id=second.id,
        name=f"{second.name} billing",
    )
    create_customer_user(
        email=customer_user_email(limited.customer, "desk"),
        password=CUSTOMER_PASSWORD,
        customer_id=limited.customer_id,
        account_ids=[limited.id],
        name=f"{limited.name} desk",
    )


def demo_logins() -> list[Login]:
    """The demo sign-ins that exist in the database: the level-5 admin and the demo customer users."""
    from sqlalchemy import select

    logins = []
    admin = db.session.scalars(select(AdminUser).where(AdminUser.email == "admin@telco.example")).first()
    if admin is not None:
        logins.append(Login("admin", admin.email, ADMIN_PASSWORD, "expert level 5: every admin action"))
    users = db.session.scalars(
        select(CustomerUser)
        .where(CustomerUser.name.like("% billing"), CustomerUser.email.like("portal@%"))
        .order_by(CustomerUser.id)
    ).all()
    users += db.session.scalars(
        select(CustomerUser).where(CustomerUser.email.like("desk@%")).order_by(CustomerUser.id)
    ).all()
    for user in users:
        limited = ", ".join(a.name for a in user.accounts)
        note = f"{user.customer.name}: " + (f"only account {limited}" if limited else "all accounts")
        logins.append(Login("customer", user.email, CUSTOMER_PASSWORD, note))
    return logins
