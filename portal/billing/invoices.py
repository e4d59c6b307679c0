"""Invoice lifecycle: create, approve, update editable fields, delete.

Every function adds and flushes; the caller commits. Errors carry the exact messages
every face shows (see docs/invoice-rules.md "Invoice rules").
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.exc import IntegrityError

from portal.audit import record_event
from portal.billing.locks import lock_account, lock_invoice
from portal.billing.numbering import issue_invoice_number
from portal.documents.service import render_invoice_document
from portal.documents.tasks import enqueue_render_pdf
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.dates import BadDate, local_date, parse_moment
from portal.foundations.errors import ErrorCode, FieldError, InvalidState, NotFound, ValidationFailed
from portal.foundations.ids import row_id
from portal.foundations.money import round_currency
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.jobs import call_after_commit
from portal.models import (
    Account,
    Invoice,
    InvoiceDestination,
    InvoiceDiscount,
    InvoiceDocument,
    InvoiceNetwork,
    InvoiceServiceData,
    InvoiceState,
    Transaction,
)
from portal.statement import vat_amounts

OVERLAP = "have invoice inside provided period"
IN_FUTURE = "end_time can't be in future"
START_NOT_BEFORE_END = "start_time must be less then end_time"

# Fields of a not-yet-approved invoice that people may edit (backend API PUT, admin form).
EDITABLE_FIELDS = (
    "customer_reference",
    "purchase_order_number",
    "bill_style",
    "invoice_message",
    "usage_report_profile",
    "payment_method",
    "cutoff_date",
    "transaction_cutoff_date",
    "online_bill_type",
    "email_bill_type",
    "post_bill_type",
    "fax_bill_type",
)
# Presentation fields that stay editable after approval (they change no amount).
EDITABLE_AFTER_APPROVAL = ("customer_reference", "purchase_order_number", "invoice_message", "payment_method")


def get_invoice(invoice_id, *, lock: bool = False) -> Invoice:
    """The invoice with this id, or NotFound; with `lock`, locked and re-read (`lock_invoice`)."""
    pk = row_id(invoice_id)
    if pk is None:
        raise NotFound(f"The record identified by {invoice_id} could not be found.")
    if lock:
        return lock_invoice(pk)
    invoice = db.session.scalars(select(Invoice).where(Invoice.id == pk)).first()
    if invoice is None:
        raise NotFound(f"The record identified by {invoice_id} could not be found.")
    return invoice


def _taken_from_account(account) -> dict:
    """What a new invoice takes from its account and customer as they are when it is created."""
    customer = account.customer
    return {
        "account": account,
        "customer_id": account.customer_id,
        "organization_id": customer.organization_id,
        "currency": account.currency,
        "bill_style": account.bill_style,
        "vat_rate": account.vat_rate,
        "payment_method": customer.payment_method,
    }


def create_invoice(
    *,
    account_id,
    start_date,
    end_date,
    actor: Actor = SYSTEM,
    invoice_type: str = "Manual",
    now: dt.datetime | None = None,
    billing_run_id: int | None = None,
    cutoff_date: dt.date | None = None,
    transaction_cutoff_date: dt.date | None = None,
    include_transaction_ids: list[int] | None = None,
    **fields,
) -> Invoice:
    """Create an invoice in state New for an account and the half-open period [start, end).

    Args:
        account_id: the account (id or Account); blank or unknown is an error.
        start_date, end_date: text, date or datetime; dates without a time are midnight in
            the account's time zone.
        invoice_type: Manual (only for accounts without an invoice period), Auto Full or Auto Partial.
        now: the current time (for tests and billing runs at a chosen moment).
        include_transaction_ids: transactions of the account claimed by this invoice whatever their date.
        fields: any of EDITABLE_FIELDS.

    Returns the flushed Invoice (reference filled in).

    Raises:
        ValidationFailed: with the field messages `account - can't be blank`,
            `start-date - can't be blank`, `end-date - can't be blank`, `start-date - is invalid`,
            `end-date - is invalid`, `end-date - must be greater than start date`,
            `account - have invoices auto generation enabled`, or a base error
            `end_time can't be in future`, `have invoice inside provided period`.
        PermissionDenied: the actor may not create invoices.
    """
    require(actor, "invoice.create")
    now = now or utcnow()
    errors: list[FieldError] = []
    account = account_id if isinstance(account_id, Account) else _find_account(account_id)
    if account is None:
        errors.append(FieldError("account", "can't be blank"))
    tz = account.timezone if account else "UTC"
    start = _read_moment(start_date, "start-date", tz, errors)
    end = _read_moment(end_date, "end-date", tz, errors)
    if start and end and end <= start:
        errors.append(FieldError("end-date", "must be greater than start date"))
    if account is not None and invoice_type == "Manual" and account.invoice_period:
        errors.append(FieldError("account", "have invoices auto generation enabled"))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        errors.extend(FieldError(name.replace("_", "-"), "is not allowed") for name in sorted(unknown))
    if errors:
        raise ValidationFailed(errors)

    lock_account(account.id)
    if start >= end:
        raise ValidationFailed.single(None, START_NOT_BEFORE_END)
    if end > now:
        raise ValidationFailed.single(None, IN_FUTURE)
    if overlapping_invoice_ids(account.id, start, end):
        raise ValidationFailed.single(None, OVERLAP)

    cutoffs = {"cutoff_date": cutoff_date, "transaction_cutoff_date": transaction_cutoff_date}
    invoice = Invoice(
        **_taken_from_account(account),
        state=InvoiceState.NEW,
        invoice_type=invoice_type,
        start_date=start,
        end_date=end,
        created_at=now if billing_run_id else utcnow(),
        billing_run_id=billing_run_id,
        **cutoffs,
        **fields,
    )
    db.session.add(invoice)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        # The PostgreSQL exclusion constraint caught an overlap the lock did not (defence in depth).
        if "ex_invoices_no_overlap" in str(exc.orig):
            raise ValidationFailed.single(None, OVERLAP) from None
        raise
    invoice.reference = render_reference(account.invoice_ref_template, invoice.id)
    if include_transaction_ids:
        _claim_transactions(invoice, include_transaction_ids)
    record_event(
        actor,
        "invoice.created",
        invoice,
        invoice_id=invoice.id,
        type=invoice_type,
        start=start.isoformat(),
        end=end.isoformat(),
    )
    db.session.flush()
    return invoice


def overlapping_invoice_ids(account_id: int, start: dt.datetime, end: dt.datetime) -> list[int]:
    """Ids of the account's invoices whose period overlaps [start, end); touching is fine."""
    stmt = select(Invoice.id).where(
        Invoice.account_id == account_id,
        or_(
            and_(Invoice.start_date < start, Invoice.end_date > start),
            and_(Invoice.start_date >= start, Invoice.start_date < end),
        ),
    )
    return list(db.session.scalars(stmt))


def render_reference(template: str | None, invoice_id: int) -> str:
    return (template or "$id").replace("$id", str(invoice_id))


def approve_invoice(
    invoice: Invoice, *, actor: Actor = SYSTEM, today: dt.date | None = None, render_pdf: bool = True
) -> Invoice:
    """Raise a Pending invoice: number, invoice and due dates, net, VAT, total, outstanding.

    Atomic: the invoice is locked and re-read first (`lock_invoice`), so of two approvals at
    once exactly one wins and the other gets `Invoice already approved`; the number is issued
    after that, in the same transaction (`issue_invoice_number`), so no loser burns one. A
    PDF stored before approval is a draft and is removed. The PDF is never rendered here:
    with `render_pdf` (the default) `portal.documents.tasks.enqueue_render_pdf` is called
    once the approving transaction commits (inline without a queue, else on a worker), and
    not at all if it rolls back. Every face therefore only calls this and commits.

    Args:
        invoice: the invoice (or its id) to approve.
        actor: who approves (needs `invoice.approve`).
        today: the invoice date (default: today in the account's time zone).
        render_pdf: schedule the PDF for after the commit (the demo loader renders later itself).

    Returns the approved Invoice (flushed, not committed).

    Raises:
        InvalidState: `Invoice already approved` or `Invoice can't be approved` (not Pending).
        NotFound: the invoice was deleted meanwhile.
        PermissionDenied: the actor may not approve.
    """
    require(actor, "invoice.approve")
    invoice = lock_invoice(invoice)
    if invoice.state == InvoiceState.APPROVED:
        raise InvalidState("Invoice already approved")
    if invoice.state != InvoiceState.PENDING:
        raise InvalidState("Invoice can't be approved")
    # One flush at the end, not one before each lazy load and query below (bulk approvals
    # run this 500 times in a request).
    with db.session.no_autoflush:
        account = invoice.account
        invoice.state = InvoiceState.APPROVED
        invoice.approved_at = utcnow()
        invoice.invoice_date = today or local_date(invoice.approved_at, account.timezone)
        invoice.due_date = invoice.invoice_date + dt.timedelta(days=account.payment_terms_days)
        if invoice.cutoff_date is None:
            invoice.cutoff_date = local_date(invoice.end_date, account.timezone)
        issue_invoice_number(invoice)
        net = round_currency(invoice.amount_total, invoice.currency)
        invoice.net_amount = net
        invoice.vat_amount, invoice.reverse_vat_amount = vat_amounts(
            net, invoice.vat_rate, bool(invoice.customer.reverse_charge), invoice.currency
        )
        invoice.total_amount = net + invoice.vat_amount
        invoice.outstanding = invoice.total_amount - invoice.paid_amount
        # A PDF rendered while the invoice was Pending says DRAFT and has no number; the job
        # scheduled below only renders invoices without one.
        for draft in db.session.scalars(
            select(InvoiceDocument).where(InvoiceDocument.invoice_id == invoice.id, InvoiceDocument.kind == "pdf")
        ):
            db.session.delete(draft)
        details = {"number": invoice.invoice_number, "total": invoice.total_amount}
        record_event(actor, "invoice.approved", invoice, invoice_id=invoice.id, **details)
    db.session.flush()
    if render_pdf:
        call_after_commit(enqueue_render_pdf, invoice.id)
    return invoice


def update_invoice(invoice: Invoice, changes: dict, *, actor: Actor = SYSTEM) -> Invoice:
    """Change editable fields. After approval only presentation fields that change no amount.

    The invoice is locked and re-read first, so an edit racing an approval is judged
    against the committed state.

    Raises ValidationFailed for unknown fields or fields frozen by approval, NotFound when
    the invoice was deleted meanwhile.
    """
    require(actor, "invoice.update")
    invoice = lock_invoice(invoice)
    allowed = EDITABLE_AFTER_APPROVAL if invoice.is_approved else EDITABLE_FIELDS
    errors = [
        FieldError(name.replace("_", "-"), "can't be changed on an approved invoice", ErrorCode.FROZEN)
        if name in EDITABLE_FIELDS
        else FieldError(name.replace("_", "-"), "is not allowed")
        for name in changes
        if name not in allowed
    ]
    if errors:
        raise ValidationFailed(errors)
    for name, value in changes.items():
        setattr(invoice, name, value)
    record_event(actor, "invoice.updated", invoice, invoice_id=invoice.id, fields=sorted(changes))
    db.session.flush()
    return invoice


def delete_invoice(invoice: Invoice, *, actor: Actor = SYSTEM) -> None:
    """Delete an invoice that is not approved, with its rows and documents.

    The invoice is locked and re-read first: of a delete and an approval at once exactly
    one wins, and a second delete finds nothing.

    Raises InvalidState for an approved invoice (approved invoices are final), NotFound
    when it is already deleted.
    """
    require(actor, "invoice.delete")
    invoice = lock_invoice(invoice)
    if invoice.is_approved:
        raise InvalidState("Approved invoice can't be deleted")
    record_event(
        actor,
        "invoice.deleted",
        invoice,
        invoice_id=None,
        reference=invoice.reference,
        account_id=invoice.account_id,
        start=invoice.start_date.isoformat(),
        end=invoice.end_date.isoformat(),
    )
    db.session.execute(
        Transaction.__table__.update().where(Transaction.invoice_id == invoice.id).values(invoice_id=None)
    )
    db.session.delete(invoice)
    db.session.flush()


def _find_account(account_id) -> Account | None:
    if account_id in (None, ""):
        return None
    pk = row_id(account_id)
    return db.session.get(Account, pk) if pk is not None else None


def _read_moment(value, field: str, tz: str, errors: list[FieldError]) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(FieldError(field, "can't be blank"))
        return None
    try:
        return parse_moment(value, tz)
    except BadDate:
        errors.append(FieldError(field, "is invalid"))
        return None


def _claim_transactions(invoice: Invoice, ids: list[int]) -> None:
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError):
        raise ValidationFailed.single("_includeTransactionIDs", "is invalid") from None
    found = set(
        db.session.scalars(
            select(Transaction.id).where(
                Transaction.id.in_(wanted),
                Transaction.account_id == invoice.account_id,
                Transaction.invoice_id.is_(None),
            )
        )
    )
    missing = wanted - found
    if missing:
        raise ValidationFailed.single(
            "_includeTransactionIDs",
            "unknown or already invoiced transactions: " + ", ".join(str(i) for i in sorted(missing)),
        )
    db.session.execute(Transaction.__table__.update().where(Transaction.id.in_(found)).values(invoice_id=invoice.id))


def purge_detail_rows(invoice: Invoice) -> None:
    """Remove the filled rows of an invoice (before a refill)."""
    for model in (InvoiceDestination, InvoiceNetwork, InvoiceServiceData, InvoiceDiscount):
        db.session.execute(delete(model).where(model.invoice_id == invoice.id))
    db.session.expire(invoice, ["destinations", "networks", "service_data", "discounts"])


def recreate_documents(invoice: Invoice, *, actor: Actor) -> InvoiceDocument | None:
    """Render the invoice's documents again (the backend `recreate` action and the admin button).

    Returns the new PDF document, or None when rendering failed (the reason is in
    `invoice.pdf_error`).

    The invoice is locked and re-read first, so the documents show the invoice as committed:
    an approval at the same moment waits, and then replaces a draft PDF made here.

    Raises:
        PermissionDenied: the actor may not recreate documents ("invoice.recreate").
        InvalidState: the invoice is New (not filled yet); Pending and Approved are allowed.
        NotFound: the invoice was deleted meanwhile.
    """
    require(actor, "invoice.recreate")
    invoice = lock_invoice(invoice)
    if invoice.state not in (InvoiceState.PENDING, InvoiceState.APPROVED):
        raise InvalidState("Invoice documents can't be created before the invoice is filled")
    record_event(actor, "invoice.documents_recreated", invoice, invoice_id=invoice.id)
    return render_invoice_document(invoice, actor=actor)
