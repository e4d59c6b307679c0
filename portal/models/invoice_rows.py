"""The rows of an invoice: traffic by destination and by network, service data, discounts taken, payments,
and the lines of a credit note."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.foundations.database import utcnow
from portal.models.columns import InvoiceOwned, count, invoice_ref, money


def _traffic_table_args(index: Index) -> tuple:
    """A traffic row table's own index and the checks every traffic row table has."""
    return (
        index,
        CheckConstraint("direction IN ('originated', 'terminated')", name="direction"),
        CheckConstraint(
            "calls_count >= 0 AND successful_calls_count >= 0 AND calls_duration >= 0 AND billing_duration >= 0",
            name="counters",
        ),
    )


class _TrafficRow:
    """Columns shared by destination and network rows."""

    direction: Mapped[str] = mapped_column(String(10))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"))
    rate: Mapped[Decimal] = money()
    spent: Mapped[bool] = mapped_column(Boolean)
    calls_count: Mapped[int] = count()
    successful_calls_count: Mapped[int] = count()
    calls_duration: Mapped[int] = count()
    billing_duration: Mapped[int] = count()
    amount: Mapped[Decimal] = money()
    first_call_at: Mapped[dt.datetime | None]
    last_call_at: Mapped[dt.datetime | None]


class InvoiceDestination(_TrafficRow, db.Model):
    """Traffic of an invoice grouped by destination prefix (originated or terminated)."""

    __tablename__ = "invoice_destinations"
    __table_args__ = _traffic_table_args(
        Index("ix_invoice_destinations_invoice", "invoice_id", "direction", "dst_prefix")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = invoice_ref(index=False)
    dst_prefix: Mapped[str | None] = mapped_column(String(32))
    discount: Mapped[Decimal] = money()

    invoice = relationship("Invoice", back_populates="destinations")
    country = relationship("Country")
    network = relationship("Network")


class InvoiceNetwork(_TrafficRow, db.Model):
    """Destination rows of an invoice re-grouped by country, network, rate and spent flag."""

    __tablename__ = "invoice_networks"
    __table_args__ = _traffic_table_args(Index("ix_invoice_networks_invoice", "invoice_id", "direction"))

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = invoice_ref(index=False)

    invoice = relationship("Invoice", back_populates="networks")
    country = relationship("Country")
    network = relationship("Network")


class InvoiceServiceData(InvoiceOwned, db.Model):
    """Transactions of an invoice grouped by service and sign (charges spent, credits earned)."""

    __tablename__ = "invoice_service_data"
    __table_args__ = (CheckConstraint("transactions_count >= 0 AND amount >= 0", name="counters"),)

    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    spent: Mapped[bool] = mapped_column(Boolean)
    transactions_count: Mapped[int] = count()
    amount: Mapped[Decimal] = money()  # absolute value

    invoice = relationship("Invoice", back_populates="service_data")
    service = relationship("Service")


class InvoiceDiscount(InvoiceOwned, db.Model):
    """What one discount plan took off an invoice when it was filled (the plan may change or go later).

    `amount` is positive (taken off the originated call charges); for a free-minutes plan
    `free_seconds` is the allowance and `used_seconds` what the invoice used of it; for a
    percentage plan `percent` and `base` (the charges it applied to, before the discount).
    """

    __tablename__ = "invoice_discounts"
    __table_args__ = (
        CheckConstraint("amount >= 0 AND used_seconds >= 0", name="counters"),
        CheckConstraint("kind IN ('percentage', 'free_minutes')", name="kind"),
    )

    discount_plan_id: Mapped[int | None] = mapped_column(ForeignKey("discount_plans.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    base: Mapped[Decimal] = money()
    free_seconds: Mapped[int | None] = mapped_column(Integer)
    used_seconds: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = money()

    invoice = relationship("Invoice", back_populates="discounts")


class Payment(InvoiceOwned, db.Model):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    amount: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))

    invoice = relationship("Invoice", back_populates="payments")


class CreditNoteLine(db.Model):
    """One line of a credit note: what is credited, with its net amount as the credit note shows it (positive;
    negative where a credit of the invoice is taken back).

    `source_key` names the line of the corrected invoice it credits (None for a credit of an amount).
    """

    __tablename__ = "credit_note_lines"
    __table_args__ = (CheckConstraint("net_amount <> 0", name="net_amount_not_zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_note_id: Mapped[int] = invoice_ref()
    position: Mapped[int] = mapped_column(Integer)
    source_key: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    unit_code: Mapped[str] = mapped_column(String(3))
    net_amount: Mapped[Decimal] = mapped_column(Numeric(20, 6))
