"""Column factories the model modules share: money, counters, and a row that belongs to an invoice."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, Numeric
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.foundations.database import ZERO


def money():
    """An amount: NUMERIC(20, 6), zero unless set."""
    return mapped_column(Numeric(20, 6), default=ZERO)


def count():
    """A non-negative counter: BIGINT (INTEGER on SQLite, for its rowid-sized integers), zero unless set."""
    return mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)


def invoice_ref(*, index: bool = True):
    """The invoice a row belongs to; the database deletes the row with the invoice."""
    return mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=index)


def invoice_rows(model: str):
    """An invoice's rows of `model` (which points back with `invoice`), in insertion order, deleted with it."""
    return relationship(
        model, back_populates="invoice", cascade="all, delete-orphan", passive_deletes=True, order_by=f"{model}.id"
    )


class InvoiceOwned:
    """A row that belongs to one invoice and goes with it: its own id and the invoice's (indexed)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = invoice_ref()
