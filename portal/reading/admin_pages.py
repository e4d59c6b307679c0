"""Read models of the admin pages: choices for their forms, billing run pages, stored rows they show."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Account, BillingRun, Customer, DownloadLink, EmailDelivery, Invoice, InvoiceDocument


def customer_names() -> list:
    """(id, name) of every customer, by name: only what a <select> shows (full customers, with their
    organization joined, cost more than the whole invoice page once there are a thousand of them)."""
    return list(db.session.execute(select(Customer.id, Customer.name).order_by(Customer.name, Customer.id)))


def billing_run_page(page: int, per_page: int) -> tuple[list[BillingRun], int, int]:
    """(runs of the page, newest first; the page shown, at most the last; the number of pages)."""
    total = db.session.scalar(select(func.count()).select_from(BillingRun)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    runs = db.session.scalars(
        select(BillingRun)
        .order_by(BillingRun.created_at.desc(), BillingRun.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(runs), page, pages


def account_time_zones(account_ids) -> dict[int, str]:
    """The time zone of each of these accounts (those that still exist)."""
    ids = set(account_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Account.id, Account.timezone).where(Account.id.in_(ids))).all())


def billing_run_invoices(run_id: int, limit: int = 1000) -> list[Invoice]:
    """The first `limit` invoices a billing run created, by id."""
    stmt = select(Invoice).where(Invoice.billing_run_id == run_id).order_by(Invoice.id).limit(limit)
    return list(db.session.scalars(stmt))


def invoice_pdf_error(invoice_id: int) -> str | None:
    """Why the invoice's last PDF rendering failed, as committed; None when it did not."""
    return db.session.scalar(select(Invoice.pdf_error).where(Invoice.id == invoice_id))


def stored_invoice_document(invoice_id: int, kind: str) -> InvoiceDocument | None:
    """The invoice's stored document of this kind (pdf, cdrs …), if any."""
    stmt = select(InvoiceDocument).where(InvoiceDocument.invoice_id == invoice_id, InvoiceDocument.kind == kind)
    return db.session.scalars(stmt).first()


def fresh_email_delivery(delivery_id: int) -> EmailDelivery | None:
    """The e-mail delivery as committed now (a job may have changed it since this session read it)."""
    return db.session.get(EmailDelivery, delivery_id, populate_existing=True)


def invoice_download_link(invoice_id: int, link_id: int) -> DownloadLink | None:
    """The download link with this id if it belongs to the invoice."""
    link = db.session.get(DownloadLink, link_id)
    return link if link is not None and link.invoice_id == invoice_id else None


def named_rows(model) -> list:
    """Every row of a named model (bill styles, attachments, message templates, profiles), by name."""
    return list(db.session.scalars(select(model).order_by(model.name)))


def customer_names_containing(typed: str, limit: int) -> list[str]:
    """Up to `limit` customer names containing `typed` (any case), in name order."""
    return list(
        db.session.scalars(
            select(Customer.name)
            .where(Customer.name.icontains(typed, autoescape=True))
            .order_by(Customer.name)
            .limit(limit)
        )
    )


def customer_name(customer_id: int) -> str | None:
    return db.session.scalar(select(Customer.name).where(Customer.id == customer_id))


def customer_named(name: str) -> bool:
    """A customer has this whole name (any case)."""
    return db.session.scalar(select(select(Customer.id).where(_named(name)).exists())) or False


def _named(name: str):
    return func.lower(Customer.name) == name.lower()


def account_choices_of(customer_id: int | None, customer_name: str, limit: int) -> list:
    """(id, name, invoice_period) of the accounts of the customer given by id, else by its whole name (any
    case); else none."""
    stmt = select(Account.id, Account.name, Account.invoice_period).order_by(Account.name, Account.id).limit(limit)
    if customer_id:
        return list(db.session.execute(stmt.where(Account.customer_id == customer_id)))
    if customer_name:
        matching = select(Customer.id).where(_named(customer_name))
        return list(db.session.execute(stmt.where(Account.customer_id.in_(matching))))
    return []
