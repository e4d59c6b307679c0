"""Credit notes: an approved invoice stays final; a credit note corrects it, in full, for some of its lines, or by
an amount, and reduces what is still owed on it.

A credit note is an invoice row that refers to the invoice it corrects (`credited_invoice_id`),
numbered from a series of its own (`issue_credit_note_number`), dated and raised when issued,
with its amounts negative (it is money back: its payment status is "credit note"). Its lines
are stored (`CreditNoteLine`) so that its PDF and e-invoice (EN 16931 type 381) show what was
credited however the invoice's lines are presented later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from portal.audit import record_event
from portal.billing.locks import lock_invoice
from portal.billing.numbering import issue_credit_note_number
from portal.documents.einvoice_lines import StatementLine, statement_lines
from portal.documents.labels import CREDIT_LINE, CREDIT_LINE_FOR
from portal.documents.tasks import enqueue_render_pdf
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.dates import local_date
from portal.foundations.errors import FieldError, InvalidState, ValidationFailed
from portal.foundations.i18n import in_language
from portal.foundations.money import round_currency
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.foundations.text import SINGLE_LINE_MESSAGE, is_single_line
from portal.jobs import call_after_commit
from portal.models import CreditNoteLine, Invoice, InvoiceState
from portal.statement import build_statement

MODES = ("full", "lines", "amount")
REASON_LIMIT = 500
# A statement line's key as stored: cut to the column (a long service name would not fit), compared cut too.
KEY_LENGTH = CreditNoteLine.__table__.c.source_key.type.length
# What a credit note takes over as it is from the invoice it corrects: parties, period, terms, references.
TAKEN_FROM_INVOICE = (
    "account",
    "customer_id",
    "organization_id",
    "customer",
    "organization",
    "currency",
    "invoice_type",
    "start_date",
    "end_date",
    "cutoff_date",
    "bill_style",
    "vat_rate",
    "payment_method",
    "customer_reference",
    "purchase_order_number",
)


@dataclass(frozen=True)
class Creditable:
    """What is left to credit on an invoice: its net not yet credited and its lines not yet credited."""

    net: Decimal
    lines: list[StatementLine]
    credited_keys: frozenset[str]
    credit_notes: list[Invoice]

    @property
    def untouched(self) -> bool:
        return not self.credit_notes


def credit_notes_of(invoice: Invoice) -> list[Invoice]:
    """The credit notes issued against an invoice, oldest first.

    Issuing one moves the invoice's credited amount by its total, never zero (issue_credit_note): an
    invoice with nothing credited has none, and is not asked."""
    if not invoice.credited_amount:
        return []
    return list(
        db.session.scalars(select(Invoice).where(Invoice.credited_invoice_id == invoice.id).order_by(Invoice.id))
    )


def creditable(invoice: Invoice) -> Creditable:
    """What can still be credited on `invoice` (read in the caller's transaction)."""
    notes = credit_notes_of(invoice)
    ids = [note.id for note in notes]
    credited_net = Decimal(0)
    keys: set[str] = set()
    if ids:
        credited_net = -sum((note.net_amount for note in notes), Decimal(0))
        keys = set(
            db.session.scalars(
                select(CreditNoteLine.source_key).where(
                    CreditNoteLine.credit_note_id.in_(ids), CreditNoteLine.source_key.is_not(None)
                )
            )
        )
    lines = statement_lines(build_statement(invoice, invoice.invoice_date), invoice)
    return Creditable(invoice.net_amount - credited_net, lines, frozenset(keys), notes)


def issue_credit_note(
    invoice: Invoice,
    *,
    mode: str,
    reason: str,
    line_keys=(),
    amount=None,
    actor: Actor = SYSTEM,
    today: dt.date | None = None,
    render_pdf: bool = True,
) -> Invoice:
    """Issue a credit note against an approved invoice.

    The invoice is locked and re-read first, so two credit notes at once are judged one after
    the other (together they never credit more than the invoice). The credit note's number is
    issued in the same transaction (`issue_credit_note_number`): no gaps, no duplicates. The
    invoice's outstanding amount drops by the credit note's total (it may go below zero when
    the invoice was already paid: the customer is owed that much).

    Args:
        invoice: the invoice (or its id) to credit.
        mode: `full` (every line; only while nothing of it was credited), `lines` (the lines
            named by `line_keys`, keys of `portal.documents.einvoice_lines.statement_lines`, each at
            what it was charged), or `amount` (a net amount before VAT, at most what is left).
        reason: why (shown on the credit note and in its e-invoice), required.
        actor: who issues it (needs `invoice.credit`).
        today: the credit note's date (default: today in the account's time zone).
        render_pdf: render its PDF once the transaction commits (a queued job).

    Returns the flushed credit note (an Invoice with `is_credit_note`).

    Raises:
        PermissionDenied: the actor may not issue credit notes.
        InvalidState: the invoice is not approved, is itself a credit note, or has nothing left to credit.
        ValidationFailed: `mode`, `reason`, `lines` or `amount` is missing or wrong.
        NotFound: the invoice was deleted meanwhile.
    """
    require(actor, "invoice.credit")
    invoice = lock_invoice(invoice)
    if not invoice.is_approved:
        raise InvalidState("Only an approved invoice can be credited")
    if invoice.is_credit_note:
        raise InvalidState("A credit note can't be credited")
    with in_language(invoice.customer.language):  # the stored line details read as the customer's documents do
        left = creditable(invoice)
    if invoice.net_amount <= 0 or left.net <= 0:
        raise InvalidState("Nothing is left to credit on this invoice")
    errors: list[FieldError] = []
    reason_text = _reason(reason, errors)
    if mode not in MODES:
        errors.append(FieldError("mode", "must be one of " + ", ".join(MODES)))
        raise ValidationFailed(errors)
    if mode == "full":
        lines = _full_lines(left, errors)
    elif mode == "lines":
        lines = _chosen_lines(left, line_keys, errors)
    else:
        lines = _amount_line(invoice, left, amount, reason_text, errors)
    if errors:
        raise ValidationFailed(errors)

    net = sum((line.net_amount for line in lines), Decimal(0))
    credit_note = _credit_note(invoice, net, reason_text, today)
    db.session.add(credit_note)
    db.session.flush()
    for line in lines:
        line.credit_note_id = credit_note.id
        db.session.add(line)
    invoice.credited_amount = (invoice.credited_amount or Decimal(0)) - credit_note.total_amount
    invoice.outstanding = invoice.total_amount - invoice.paid_amount - invoice.credited_amount
    details = {
        "number": credit_note.invoice_number,
        "credited_invoice": invoice.invoice_number,
        "mode": mode,
        "total": credit_note.total_amount,
        "reason": reason_text,
    }
    record_event(actor, "invoice.credit_note_issued", credit_note, invoice_id=credit_note.id, **details)
    db.session.flush()
    if render_pdf:
        call_after_commit(enqueue_render_pdf, credit_note.id)
    return credit_note


def _reason(reason, errors: list[FieldError]) -> str | None:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        errors.append(FieldError("reason", "can't be blank"))
        return None
    if len(text) > REASON_LIMIT:
        errors.append(FieldError("reason", f"is too long (maximum is {REASON_LIMIT} characters)"))
    elif not is_single_line(text):
        errors.append(FieldError("reason", SINGLE_LINE_MESSAGE))
    return text


def _line_of(statement: StatementLine, position: int) -> CreditNoteLine:
    return CreditNoteLine(
        position=position,
        source_key=statement.key[:KEY_LENGTH],
        name=statement.name[:200],
        description=(statement.description or "")[:200] or None,
        quantity=statement.quantity,
        unit_code=statement.unit_code,
        net_amount=statement.charged,
    )


def _full_lines(left: Creditable, errors: list[FieldError]) -> list[CreditNoteLine]:
    if not left.untouched:
        errors.append(FieldError("mode", "a full credit is only possible while nothing of the invoice was credited"))
        return []
    return [_line_of(line, n) for n, line in enumerate((s for s in left.lines if s.charged), start=1)]


def _chosen_lines(left: Creditable, line_keys, errors: list[FieldError]) -> list[CreditNoteLine]:
    keys = [key for key in dict.fromkeys(line_keys or ()) if key]
    by_key = {line.key: line for line in left.lines}
    if not keys:
        errors.append(FieldError("lines", "choose at least one line"))
        return []
    chosen = []
    for key in keys:
        line = by_key.get(key)
        if line is None:
            errors.append(FieldError("lines", f"{key} is not a line of this invoice"))
        elif key[:KEY_LENGTH] in left.credited_keys:
            errors.append(FieldError("lines", f"{line.name} was already credited"))
        elif line.charged <= 0:
            errors.append(FieldError("lines", f"{line.name} charged nothing"))
        else:
            chosen.append(line)
    if chosen and sum((line.charged for line in chosen), Decimal(0)) > left.net:
        errors.append(FieldError("lines", f"together they are more than what is left to credit ({left.net:.2f})"))
    return [_line_of(line, n) for n, line in enumerate(chosen, start=1)]


def _amount_line(
    invoice: Invoice, left: Creditable, amount, reason: str | None, errors: list[FieldError]
) -> list[CreditNoteLine]:
    try:
        value = Decimal(str(amount).strip())
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.append(FieldError("amount", "is invalid"))
        return []
    if value != round_currency(value, invoice.currency):
        errors.append(FieldError("amount", "has more decimals than the currency"))
    elif value <= 0:
        errors.append(FieldError("amount", "must be greater than 0"))
    elif value > left.net:
        errors.append(FieldError("amount", f"is more than what is left to credit ({left.net:.2f})"))
    else:
        name = CREDIT_LINE_FOR % {"reason": reason} if reason else CREDIT_LINE  # English: documents translate it
        return [CreditNoteLine(position=1, name=name[:200], quantity=Decimal(1), unit_code="C62", net_amount=value)]
    return []


def _credit_note(invoice: Invoice, net: Decimal, reason: str, today: dt.date | None) -> Invoice:
    now = utcnow()
    vat = round_currency(net * invoice.vat_rate / 100, invoice.currency)
    zero = round_currency(0, invoice.currency)
    reverse = invoice.customer.reverse_charge  # as approval and the e-invoice decide it
    copied = {name: getattr(invoice, name) for name in TAKEN_FROM_INVOICE}
    credit_note = Invoice(
        **copied,
        state=InvoiceState.APPROVED.value,
        created_at=now,
        filled_at=now,
        approved_at=now,
        invoice_date=today or local_date(now, invoice.account.timezone),
        amount_spent=zero,
        amount_earned=net,
        amount_total=-net,
        net_amount=-net,
        vat_amount=zero if reverse else -vat,
        reverse_vat_amount=-vat if reverse else zero,
        total_amount=-(net + (zero if reverse else vat)),
        paid_amount=zero,
        outstanding=zero,
        credited_invoice=invoice,
        credit_reason=reason,
    )
    issue_credit_note_number(credit_note)
    credit_note.reference = credit_note.invoice_number
    return credit_note
