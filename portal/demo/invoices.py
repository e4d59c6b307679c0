"""Demo invoices, made through the invoice engine: created, filled, approved and paid like real ones.

Every account is invoiced for each whole period of the demo year. The latest invoice of some
accounts is left `New` or `Pending`; older approved invoices are mostly paid, some partially,
some not at all (overdue). Totals only ever come from fill_invoice and approve_invoice.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.billing.payments import record_payment
from portal.demo.customers import deterministic_uuid
from portal.demo.periods import next_period_end, periods_between
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.dates import local_date
from portal.models import Account, InvoiceState

CENT = Decimal("0.01")


@dataclass
class PlannedInvoice:
    account: Account
    start: dt.datetime
    end: dt.datetime
    invoice_type: str
    final_state: str  # New | Pending | Approved
    payment: str  # full | partial | none | auto (decided from the due date)


def plan_invoices(accounts: list[tuple[Account, str]], first: dt.datetime, now: dt.datetime) -> list[PlannedInvoice]:
    """Every whole period of every account within [first, now), oldest period end first.

    `accounts` pairs each account with its role; the latest invoice of every fifth account stays
    New, of the next one Pending. Two customer accounts get an overdue and a partially paid (not yet
    due) invoice so that every state exists at every scale and seed.
    """
    plan: list[PlannedInvoice] = []
    customer_like = [a for a, role in accounts if role == "customer" and a.invoice_period]
    # (account id) -> (which period from the end, payment): an invoice left unpaid long enough to be
    # overdue, and a latest invoice on long terms that is partially paid and not yet due.
    forced: dict[int, tuple[int, str]] = {}
    if len(customer_like) >= 2:
        forced[customer_like[1].id] = (4, "none")
        long_terms = [a for a in customer_like if a.payment_terms_days >= 45] or customer_like[-1:]
        forced[long_terms[0].id] = (1, "partial")
    for index, (account, _role) in enumerate(accounts):
        # Accounts invoiced manually get a manual invoice per calendar month.
        cadence = account.invoice_period or "Monthly"
        periods = periods_between(cadence, account.timezone, first, now)
        if account.invoice_period:
            account.next_invoice_at = next_period_end(cadence, account.timezone, periods[-1][1] if periods else first)
            account.next_invoice_type = "Auto Full"
        last_state = {0: InvoiceState.NEW, 1: InvoiceState.PENDING}.get(index % 5, InvoiceState.APPROVED)
        from_end, forced_payment = forced.get(account.id, (0, "auto"))
        if from_end == 1:
            last_state = InvoiceState.APPROVED
        for n, (start, end) in enumerate(periods):
            latest = n == len(periods) - 1
            payment = forced_payment if n == max(0, len(periods) - from_end) else "auto"
            plan.append(
                PlannedInvoice(
                    account,
                    start,
                    end,
                    "Auto Full" if account.invoice_period else "Manual",
                    last_state if latest else InvoiceState.APPROVED,
                    payment,
                )
            )
    plan.sort(key=lambda p: (p.end, p.account.id))
    return plan


def make_invoice(rng: random.Random, planned: PlannedInvoice, now: dt.datetime, *, render_pdf: bool = True) -> str:
    """Create, fill, approve and pay one planned invoice through the services; return its payment status.

    `render_pdf` False skips the PDF job that approval schedules for its commit (the loader renders
    PDFs at the end; tests that only need the figures).
    """
    account = planned.account
    invoice = create_invoice(
        account_id=account, start_date=planned.start, end_date=planned.end, invoice_type=planned.invoice_type, now=now
    )
    # Reproducible identifiers and timestamps: the services stamp the wall clock,
    # the demo dates each step to when its story says it happened.
    invoice.uuid = deterministic_uuid(rng)
    invoice.created_at = min(planned.end + dt.timedelta(hours=2), utcnow())
    db.session.flush()  # before fill_invoice refreshes the invoice from the database
    if planned.final_state == InvoiceState.NEW:
        return "new"
    fill_invoice(invoice)
    invoice.filled_at = min(planned.end + dt.timedelta(hours=2, minutes=5), utcnow())
    if planned.final_state == InvoiceState.PENDING:
        return "pending"
    today = now.date()
    invoice_date = min(local_date(planned.end, account.timezone) + dt.timedelta(days=rng.randint(1, 3)), today)
    approve_invoice(invoice, today=invoice_date, render_pdf=render_pdf)
    invoice.approved_at = min(
        dt.datetime.combine(invoice_date, dt.time(9, rng.randrange(60)), tzinfo=dt.timezone.utc), utcnow()
    )
    return _pay(rng, invoice, planned.payment, today)


def _pay(rng: random.Random, invoice, plan: str, today: dt.date) -> str:
    if invoice.outstanding <= 0:
        return "nothing due"
    if plan == "auto":
        overdue_possible = invoice.due_date < today
        roll = rng.random()
        if overdue_possible:
            plan = "none" if roll < 0.06 else "partial" if roll < 0.12 else "full"
        else:
            plan = "full" if roll < 0.3 else "none"
    if plan == "none":
        return "overdue" if invoice.due_date < today else "unpaid"
    paid_on = min(invoice.invoice_date + dt.timedelta(days=rng.randint(5, 40)), today)
    if plan == "partial":
        part = (invoice.outstanding * Decimal(rng.randint(30, 70)) / 100).quantize(CENT)
        if part <= 0:
            return "unpaid"
        payment = record_payment(
            invoice,
            amount=part,
            paid_on=paid_on,
            method="Bank transfer",
            reference=f"PART-{invoice.invoice_number}",
            today=today,
        )
        status = "partially paid"
    else:
        payment = record_payment(
            invoice,
            amount=invoice.outstanding,
            paid_on=paid_on,
            method="Bank transfer",
            reference=f"PAY-{invoice.invoice_number}",
            today=today,
        )
        status = "paid"
    payment.created_at = min(dt.datetime.combine(paid_on, dt.time(10), tzinfo=dt.timezone.utc), utcnow())
    return status
