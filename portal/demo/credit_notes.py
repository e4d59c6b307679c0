"""Demo credit notes, issued through the credit-note service like an admin would: in full, for a line, for an amount.

A newcomer signing in as a demo customer user finds them in the invoice list, on the invoice they
correct and in its balance. They are issued against raised invoices nothing was paid on yet, so
each only lowers what is owed, preferably of the customers the demo customer users belong to.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select

from portal.billing.credit_notes import creditable, issue_credit_note
from portal.demo.customers import deterministic_uuid
from portal.extensions import db
from portal.foundations.permissions import Actor
from portal.models import Customer, Invoice, InvoiceState

MANAGER = Actor("manager@telco.example", kind="admin", level=4)  # a demo admin of the level that credits
CENT = Decimal("0.01")
#: (mode, reason) of each demo credit note, in the order they are issued.
CREDIT_NOTES = (
    ("full", "Invoice raised on the wrong account: cancelled in full"),
    ("lines", "Charged after the service ended: credited"),
    ("amount", "Goodwill credit for the network outage"),
)


def _candidates(preferred: list[Customer]) -> list[Invoice]:
    """Raised invoices with something to credit and nothing paid, of the preferred customers first, newest first."""
    rank = {customer.id: n for n, customer in enumerate(preferred)}
    invoices = db.session.scalars(
        select(Invoice).where(
            Invoice.state == InvoiceState.APPROVED,
            Invoice.credited_invoice_id.is_(None),
            Invoice.net_amount > 0,
            Invoice.paid_amount == 0,
        )
    ).all()
    return sorted(invoices, key=lambda i: (rank.get(i.customer_id, len(rank)), -i.invoice_date.toordinal(), i.id))


def _what(mode: str, invoice: Invoice, rng: random.Random) -> dict | None:
    """The line keys or amount a credit of `mode` takes on `invoice` (None when it has nothing to offer)."""
    if mode == "full":
        return {}
    if mode == "lines":
        left = creditable(invoice)
        lines = [line for line in left.lines if 0 < line.charged <= left.net]
        charges = [line for line in lines if line.key.startswith("charges:")] or lines
        return {"line_keys": [charges[0].key]} if charges else None
    amount = (invoice.net_amount * rng.randint(10, 30) / 100).quantize(CENT)
    return {"amount": str(amount)} if amount > 0 else None


def issue_demo_credit_notes(rng: random.Random, preferred: list[Customer], today: dt.date) -> int:
    """Issue the demo's credit notes (`CREDIT_NOTES`), each against another invoice; return how many were issued."""
    candidates = _candidates(preferred)
    used: set[int] = set()
    for mode, reason in CREDIT_NOTES:
        for invoice in candidates:
            what = None if invoice.id in used else _what(mode, invoice, rng)
            if what is None:
                continue
            issued_on = min(invoice.invoice_date + dt.timedelta(days=rng.randint(3, 20)), today)
            note = issue_credit_note(
                invoice, mode=mode, reason=reason, actor=MANAGER, today=issued_on, render_pdf=False, **what
            )
            note.uuid = deterministic_uuid(rng)  # reproducible, like the demo's invoices
            used.add(invoice.id)
            break
    return len(used)
