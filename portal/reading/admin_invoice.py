"""What the admin invoice page shows of one invoice: its statement, documents, deliveries, links, audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from portal.billing.invoices import get_invoice
from portal.extensions import db
from portal.foundations.dates import local_date
from portal.models import AuditEvent, DownloadLink, EmailDelivery, Invoice, InvoiceDocument
from portal.statement import Statement, build_statement

AUDIT_LIMIT = 200


@dataclass(frozen=True)
class AdminInvoiceDetail:
    invoice: Invoice
    statement: Statement  # draft figures (marked draft) for a New or Pending invoice
    documents: list[InvoiceDocument]
    deliveries: list[EmailDelivery]
    links: list[DownloadLink]
    audit: list[AuditEvent]


def admin_invoice_detail(invoice_id, now: dt.datetime) -> AdminInvoiceDetail:
    """One invoice for the admin page, its statement judged on the day `now` is in the account's
    time zone, and what happened to it (documents, e-mails, download links, the latest audit events).

    Raises:
        NotFound: no invoice with that id.
    """
    invoice = get_invoice(invoice_id)
    documents = db.session.scalars(
        select(InvoiceDocument).where(InvoiceDocument.invoice_id == invoice.id).order_by(InvoiceDocument.kind)
    ).all()
    deliveries = db.session.scalars(
        select(EmailDelivery).where(EmailDelivery.invoice_id == invoice.id).order_by(EmailDelivery.id.desc())
    ).all()
    links = db.session.scalars(
        select(DownloadLink).where(DownloadLink.invoice_id == invoice.id).order_by(DownloadLink.id.desc())
    ).all()
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.invoice_id == invoice.id).order_by(AuditEvent.id.desc()).limit(AUDIT_LIMIT)
    ).all()
    return AdminInvoiceDetail(
        invoice=invoice,
        statement=build_statement(invoice, local_date(now, invoice.account.timezone), with_traffic=True),
        documents=list(documents),
        deliveries=list(deliveries),
        links=list(links),
        audit=list(audit),
    )
