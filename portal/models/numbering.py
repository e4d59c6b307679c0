"""The yearly number series of an organization: invoice numbers and credit note numbers."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class _YearlySeries:
    """The last number issued per organization and year; bumped atomically when a number is given."""

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class InvoiceNumberCounter(_YearlySeries, db.Model):
    """Last invoice number issued per organization and year; bumped atomically on approval."""

    __tablename__ = "invoice_number_counters"


class CreditNoteNumberCounter(_YearlySeries, db.Model):
    """Last credit note number issued per organization and year: a series of its own, bumped like invoice numbers."""

    __tablename__ = "credit_note_number_counters"
