"""People and machines that sign in: admin users, customer users and API keys."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.foundations.database import utcnow

customer_user_accounts = Table(
    "customer_user_accounts",
    db.metadata,
    Column("user_id", ForeignKey("customer_users.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
)


class _Person:
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped whenever the user's sessions are ended (sign-out, password change or reset, "sign out
    # everywhere", disabling the user or its customer): sessions, remember-me cookies, customer API
    # session cookies and password-reset links carry it and stop working once it moves on.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # When the sessions were last ended: JSON:API tokens (which carry no version, only `exp`)
    # issued before it are refused (portal.auth.rules).
    sessions_ended_at: Mapped[dt.datetime | None]
    # A used password-reset or invite token is recorded so that it works once only.
    password_token_version: Mapped[int] = mapped_column(Integer, default=0)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.enabled

    def get_id(self) -> str:
        return f"{self.kind}:{self.id}:{self.session_version}"


class AdminUser(_Person, db.Model):
    __tablename__ = "admin_users"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level"),)

    kind = "admin"
    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[int] = mapped_column(Integer, default=1)
    # Comma-separated networks the admin may sign in and work from, in every face (empty: any).
    allowed_ips: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<AdminUser {self.email} L{self.level}>"


class CustomerUser(_Person, db.Model):
    __tablename__ = "customer_users"

    kind = "customer"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)

    # True: the user sees only `accounts` (none at all once they are all deleted); False: every
    # account of the customer. Stored, not inferred from an empty link table, so that deleting a
    # limited user's last account never widens what the user sees.
    limited_to_accounts: Mapped[bool] = mapped_column(Boolean, default=False)

    customer = relationship("Customer")
    accounts = relationship("Account", secondary=customer_user_accounts, order_by="Account.id")

    @property
    def customer_enabled(self) -> bool:
        return bool(self.customer is not None and self.customer.enabled)

    def __repr__(self) -> str:
        return f"<CustomerUser {self.email}>"


class ApiKey(db.Model):
    """A backend API key: only its SHA-256 is stored; the key is shown once at creation."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(50), default="read")  # "read", "write", "read,write"
    level: Mapped[int] = mapped_column(Integer, default=1)
    # A customer key sees only that customer's data.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    customer = relationship("Customer")

    @property
    def scope_set(self) -> set[str]:
        return {s.strip() for s in self.scopes.split(",") if s.strip()}
