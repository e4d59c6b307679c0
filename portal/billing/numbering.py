"""Invoice numbers: unique, gap-free per organization and year, in a configurable format."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import text

from portal.extensions import db
from portal.foundations.errors import InvalidState
from portal.models import Invoice


def issue_invoice_number(invoice: Invoice) -> str:
    """Give the invoice the next number of its organization and year, exactly once.

    Call only inside the approving transaction, after the approval is won (the invoice
    locked and found Pending): the counter row is incremented in that same transaction, so
    the number is issued exactly when the approval commits. A rollback gives it back, and
    other approvals of the organization wait on the counter row until this transaction ends,
    so the numbers of one organization and year have no gaps and no duplicates.

    The format comes from `PORTAL_INVOICE_NUMBER_FORMAT` with the placeholders `{year}`,
    `{seq}`, `{org}`, `{customer_id}` and `{account_id}`.

    Returns the number (also set on `invoice.invoice_number`).

    Raises InvalidState when the invoice already has a number (a number is never replaced).
    """
    if invoice.invoice_number:
        raise InvalidState("Invoice already has a number")
    invoice.invoice_number = _next_number(invoice)
    return invoice.invoice_number


def issue_credit_note_number(credit_note: Invoice) -> str:
    """Give a credit note the next number of its own series (organization and year), exactly once.

    The same rules as `issue_invoice_number`, on a counter of its own
    (`credit_note_number_counters`): call it inside the transaction that issues the credit
    note, after its invoice is locked; the numbers have no gaps and no duplicates. The format
    is `PORTAL_CREDIT_NOTE_NUMBER_FORMAT` with the same placeholders.

    Raises InvalidState when the credit note already has a number.
    """
    if credit_note.invoice_number:
        raise InvalidState("Credit note already has a number")
    credit_note.invoice_number = _next_number(
        credit_note, "credit_note_number_counters", current_app.config["CREDIT_NOTE_NUMBER_FORMAT"]
    )
    return credit_note.invoice_number


def _next_number(invoice: Invoice, counters: str = "invoice_number_counters", fmt: str | None = None) -> str:
    # Atomic on both databases: the counter row stays locked until the transaction ends. One statement
    # (an upsert that counts up) rather than an insert-if-missing and then an update: one round trip less.
    year = invoice.invoice_date.year
    seq = db.session.execute(
        text(
            f"INSERT INTO {counters} AS c (organization_id, year, last_value) "  # nosec B608 - one of two table names
            "VALUES (:org, :year, 1) ON CONFLICT (organization_id, year) "
            "DO UPDATE SET last_value = c.last_value + 1 RETURNING last_value"
        ),
        {"org": invoice.organization_id, "year": year},
    ).scalar_one()
    fmt = fmt or current_app.config["INVOICE_NUMBER_FORMAT"]
    return fmt.format(
        year=year,
        seq=seq,
        # The organization is loaded only for a format that names it.
        org=invoice.organization.slug if "{org" in fmt else "",
        customer_id=invoice.customer_id,
        account_id=invoice.account_id,
    )
