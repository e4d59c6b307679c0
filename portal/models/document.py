"""Stored documents of an invoice (PDF, CDR and usage CSV files) and the named templates behind them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Integer, LargeBinary, String, Text, UniqueConstraint, event, update
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.extensions import db
from portal.foundations.database import utcnow
from portal.models.columns import invoice_ref

DOCUMENT_KINDS = ("pdf", "cdrs", "usage")


class InvoiceDocument(db.Model):
    __tablename__ = "invoice_documents"
    __table_args__ = (
        UniqueConstraint("invoice_id", "kind", name="uq_invoice_documents_invoice_kind"),
        CheckConstraint("kind IN ('pdf', 'cdrs', 'usage')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = invoice_ref(index=False)
    kind: Mapped[str] = mapped_column(String(10), default="pdf")
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    # Deferred so that listing documents never loads the bytes.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    bill_style: Mapped[str | None] = mapped_column(String(40))
    template: Mapped[str | None] = mapped_column(String(100))
    render_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    invoice = relationship("Invoice")


@event.listens_for(InvoiceDocument, "after_insert")
@event.listens_for(InvoiceDocument, "after_update")
@event.listens_for(InvoiceDocument, "after_delete")
def _stamp_invoice(mapper, connection, document: InvoiceDocument) -> None:
    """A stored PDF is part of what an invoice shows (its PDF link): storing, replacing or removing
    one stamps the invoice's `updated_at`, in the same flush, as a change of its own columns does."""
    if document.kind == "pdf":
        invoices = InvoiceDocument.__table__.metadata.tables["invoices"]
        connection.execute(update(invoices).where(invoices.c.id == document.invoice_id).values(updated_at=utcnow()))


class BillStyle(db.Model):
    """A named invoice layout: `Full` (with destination tables) or `Summary`."""

    __tablename__ = "bill_styles"
    __table_args__ = (CheckConstraint("layout IN ('full', 'summary')", name="layout"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    layout: Mapped[str] = mapped_column(String(10), default="full")
    description: Mapped[str | None] = mapped_column(String(200))


class MessageTemplate(db.Model):
    """E-mail subject and bodies with placeholders ({customer}, {invoice_number}, …)."""

    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Attachment(db.Model):
    """A named document an admin uploads to attach to invoice e-mails (PDF)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class UsageReportProfile(db.Model):
    """How a usage report CSV sent with an invoice is grouped."""

    __tablename__ = "usage_report_profiles"
    __table_args__ = (CheckConstraint("group_by IN ('destination', 'network')", name="group_by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    group_by: Mapped[str] = mapped_column(String(20), default="destination")
