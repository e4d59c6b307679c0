"""Call detail records and non-call transactions: the raw material of invoices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.foundations.database import utcnow

TRANSACTION_CATEGORIES = (
    "one-off",
    "recurring",
    "refund",
    "late fee",
    "interest",
    "carrier-provided",
    "manual billing",
    "low usage",
    "manual",
)

BigId = BigInteger().with_variant(Integer, "sqlite")


class Cdr(db.Model):
    """One call attempt.

    The customer account is the originating side (pays `customer_price`), the
    vendor account the terminating side (earns `vendor_price`). Only the last
    attempt of a re-routed call (`is_last_cdr`) is billed to the customer.
    """

    __tablename__ = "cdrs"
    __table_args__ = (
        Index("ix_cdrs_customer_acc_time", "customer_acc_id", "time_start"),
        Index("ix_cdrs_vendor_acc_time", "vendor_acc_id", "time_start"),
        CheckConstraint("duration >= 0", name="duration"),
        CheckConstraint("customer_duration >= 0 AND vendor_duration >= 0", name="billed_durations"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    time_start: Mapped[dt.datetime]
    duration: Mapped[int] = mapped_column(Integer, default=0)
    customer_duration: Mapped[int] = mapped_column(Integer, default=0)
    vendor_duration: Mapped[int] = mapped_column(Integer, default=0)
    success: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_acc_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    vendor_acc_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    customer_price: Mapped[Decimal] = mapped_column(Numeric(20, 6), default=Decimal("0"))
    vendor_price: Mapped[Decimal] = mapped_column(Numeric(20, 6), default=Decimal("0"))
    dst_prefix: Mapped[str | None] = mapped_column(String(32))
    dialpeer_prefix: Mapped[str | None] = mapped_column(String(32))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"))
    destination_rate: Mapped[Decimal] = mapped_column(Numeric(20, 6), default=Decimal("0"))
    dialpeer_rate: Mapped[Decimal] = mapped_column(Numeric(20, 6), default=Decimal("0"))
    destination_reverse_billing: Mapped[bool] = mapped_column(Boolean, default=False)
    dialpeer_reverse_billing: Mapped[bool] = mapped_column(Boolean, default=False)
    src_number: Mapped[str | None] = mapped_column(String(64))
    dst_number: Mapped[str | None] = mapped_column(String(64))
    is_last_cdr: Mapped[bool] = mapped_column(Boolean, default=True)


class Transaction(db.Model):
    """A non-call charge (positive amount) or credit (negative amount)."""

    __tablename__ = "transactions"
    __table_args__ = (
        Index("ix_transactions_account_created", "account_id", "created_at"),
        CheckConstraint("category IN (" + ", ".join(f"'{c}'" for c in TRANSACTION_CATEGORIES) + ")", name="category"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    category: Mapped[str] = mapped_column(String(20), default="manual")
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    description: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set when an invoice explicitly claims the transaction (_includeTransactionIDs).
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"), index=True)

    account = relationship("Account")
    service = relationship("Service")
