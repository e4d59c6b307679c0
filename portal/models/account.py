"""Account of a customer, with its invoicing settings, and its discount plans."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, Numeric, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.foundations.database import utcnow

INVOICE_PERIODS = (
    "Daily",
    "Weekly",
    "BiWeekly",
    "Monthly",
    "BiWeekly. Split by new month",
    "Weekly. Split by new month",
    "SemiMonthly",
)
DELIVERY_MODES = ("email", "post", "online")

account_invoice_contacts = Table(
    "account_invoice_contacts",
    db.metadata,
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
)


def _quoted(values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


class Account(db.Model):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(f"invoice_period IN ({_quoted(INVOICE_PERIODS)})", name="invoice_period"),
        CheckConstraint(f"delivery_mode IN ({_quoted(DELIVERY_MODES)})", name="delivery_mode"),
        CheckConstraint("payment_terms_days >= 0", name="payment_terms"),
        CheckConstraint("vat_rate >= 0", name="vat_rate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid_mod.UUID] = mapped_column(unique=True, default=uuid_mod.uuid4)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4), default=Decimal("0"))
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    invoice_period: Mapped[str | None] = mapped_column(String(40))
    next_invoice_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    next_invoice_type: Mapped[str | None] = mapped_column(String(20))
    invoice_ref_template: Mapped[str] = mapped_column(String(100), default="$id")
    delivery_mode: Mapped[str] = mapped_column(String(10), default="email")
    bill_style: Mapped[str] = mapped_column(String(40), default="Full")
    max_call_duration: Mapped[int | None] = mapped_column(Integer)
    # The billing increment in seconds, "first/next" (60/60, 30/6, 1/1): each call is billed at least
    # `first` seconds, then in steps of `next` (portal.billing.traffic). 1/1 bills the seconds as rated.
    billing_increment_first: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    billing_increment_next: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    balance: Mapped[Decimal] = mapped_column(Numeric(20, 6), default=Decimal("0"))
    min_balance: Mapped[Decimal] = mapped_column(Numeric(20, 6), default=Decimal("0"))
    max_balance: Mapped[Decimal] = mapped_column(Numeric(20, 6), default=Decimal("0"))
    # Bumped by the per-account write lock on SQLite (see billing.locks).
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    customer = relationship("Customer", back_populates="accounts")
    invoice_contacts = relationship("Contact", secondary=account_invoice_contacts, order_by="Contact.id")
    discount_plans = relationship(
        "DiscountPlan", back_populates="account", order_by="DiscountPlan.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.name}>"


class DiscountPlan(db.Model):
    """A discount applied while filling an account's invoices.

    kind `percentage`: `percent` off originated call charges of destinations whose
    prefix starts with one of `prefixes`. kind `free_minutes`: the first
    `free_minutes` of originated billing time per invoice period on those prefixes
    are free.
    """

    __tablename__ = "discount_plans"
    __table_args__ = (
        CheckConstraint("kind IN ('percentage', 'free_minutes')", name="kind"),
        CheckConstraint("percent IS NULL OR (percent > 0 AND percent <= 100)", name="percent"),
        CheckConstraint("free_minutes IS NULL OR free_minutes > 0", name="free_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    prefixes: Mapped[str] = mapped_column(String(500))  # comma-separated
    percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    free_minutes: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    account = relationship("Account", back_populates="discount_plans")

    @property
    def prefix_list(self) -> list[str]:
        return [p.strip() for p in self.prefixes.split(",") if p.strip()]
