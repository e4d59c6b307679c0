"""Filling an invoice: the period's CDRs and transactions aggregated in SQL into detail rows and totals."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import Integer, func, insert, select, text
from sqlalchemy.sql import literal

from portal.audit import record_event
from portal.billing.discounts import apply_discounts
from portal.billing.invoices import purge_detail_rows
from portal.billing.locks import lock_account, lock_invoice
from portal.billing.traffic import increment_of, traffic_rows, transactions_filter
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.dates import local_midnight
from portal.foundations.errors import InvalidState
from portal.foundations.money import ZERO, money_sum, money_value
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import (
    CHARGE_COLUMNS,
    Invoice,
    InvoiceDestination,
    InvoiceNetwork,
    InvoiceServiceData,
    InvoiceState,
    Transaction,
)

ALREADY_FILLED = "invoice already filled"


def fill_invoice(invoice: Invoice, *, actor: Actor = SYSTEM) -> Invoice:
    """Fill a New invoice from its period's CDRs and transactions; New → Pending.

    Originated rows: CDRs where the account is the customer side and `is_last_cdr`, grouped by
    (prefix, country, network, destination rate, reverse billing). Terminated rows: CDRs where
    the account is the vendor side (every attempt), grouped by the dialpeer's prefix and rate.
    Network rows re-group the destination rows; service rows group transactions by service and
    sign. Discount plans apply to originated charges. Totals are sums of the rows. Each call's
    billed seconds are rounded up to the account's billing increment (portal.billing.traffic), which
    the invoice records.

    Runs under the account's lock (CDRs and transactions of the account are read) and the
    invoice's lock, and decides on the invoice as committed, so it fills exactly once.

    Raises InvalidState(`invoice already filled`) unless the invoice is New; NotFound when
    it was deleted meanwhile.
    """
    require(actor, "invoice.fill")
    lock_account(invoice.account_id)
    invoice = lock_invoice(invoice)
    if invoice.state != InvoiceState.NEW:
        raise InvalidState(ALREADY_FILLED)
    _fill(invoice)
    record_event(actor, "invoice.filled", invoice, invoice_id=invoice.id, amount_total=invoice.amount_total)
    db.session.flush()
    return invoice


def refill_invoice(invoice: Invoice, *, actor: Actor = SYSTEM) -> Invoice:
    """Update the call transactions of an invoice that is not approved: aggregate again from scratch.

    Under the account's and the invoice's lock, judged on the invoice as committed: a
    refill racing an approval either finishes before it (the approval then totals the new
    rows) or finds the invoice approved and changes nothing.

    Raises InvalidState for approved invoices; NotFound when it was deleted meanwhile.
    """
    require(actor, "invoice.refill")
    lock_account(invoice.account_id)
    invoice = lock_invoice(invoice)
    if invoice.is_approved:
        raise InvalidState("Call transactions can only be updated on invoices that are not approved")
    purge_detail_rows(invoice)
    _fill(invoice)
    record_event(actor, "invoice.refilled", invoice, invoice_id=invoice.id, amount_total=invoice.amount_total)
    db.session.flush()
    return invoice


def reapply_discount_plans(invoice: Invoice, *, actor: Actor = SYSTEM) -> Invoice:
    """Recompute discount plan allowances on the filled rows and the totals (Pending invoices only).

    Under the invoice's lock, judged on the invoice as committed, so an approval at the same
    moment either totals the recomputed rows or makes this refuse.

    Raises InvalidState unless the invoice is Pending; NotFound when it was deleted meanwhile.
    """
    require(actor, "invoice.refill")
    invoice = lock_invoice(invoice)
    if invoice.state != InvoiceState.PENDING:
        raise InvalidState("Discount plans can only be reapplied to pending invoices")
    rows = [r for r in invoice.destinations if r.direction == "originated"]
    for row in rows:
        row.amount = row.amount + row.discount
        row.discount = ZERO
    invoice.discounts = apply_discounts(rows, invoice.account.discount_plans)
    db.session.flush()
    _rebuild_networks(invoice)
    _totals(invoice)
    record_event(actor, "invoice.discounts_reapplied", invoice, invoice_id=invoice.id, discount=invoice.discount_amount)
    db.session.flush()
    return invoice


def _fill(invoice: Invoice) -> None:
    dialect = db.session.get_bind().dialect.name
    with _serial_plans(dialect):
        rows = [
            row
            for direction in ("originated", "terminated")
            for row in traffic_rows(
                invoice.account, invoice.start_date, invoice.end_date, direction, dialect, invoice.id
            )
        ]
    # The increment the rows were billed with, as the statement and the PDF name it.
    invoice.billing_increment_first, invoice.billing_increment_next = increment_of(invoice.account)
    invoice.discounts = apply_discounts(
        [r for r in rows if r.direction == "originated"], invoice.account.discount_plans
    )
    db.session.add_all(rows)
    db.session.flush()
    _rebuild_networks(invoice)
    _service_rows(invoice, dialect)
    db.session.flush()
    _totals(invoice)
    _charges(invoice, dialect)
    invoice.state = InvoiceState.PENDING
    invoice.filled_at = utcnow()


@contextmanager
def _serial_plans(dialect: str):
    """On PostgreSQL, the CDR sums of one account are read without parallel workers. The planner
    misjudges how few of a large table's CDRs one account's period holds and starts parallel workers
    (63 ms where the index scan takes 2.5 ms for a year of ~3,500 CDRs in a table of 5 million,
    bench/fill.py). The setting is this transaction's own and goes back to what it was afterwards."""
    if dialect != "postgresql":
        yield
        return
    before = db.session.scalar(text("SELECT current_setting('max_parallel_workers_per_gather')"))
    db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    try:
        yield
    finally:
        db.session.execute(
            text("SELECT set_config('max_parallel_workers_per_gather', :before, true)"), {"before": before}
        )


def _rebuild_networks(invoice: Invoice) -> None:
    """Network rows = destination rows re-grouped by (direction, country, network, rate, spent), in SQL."""
    dialect = db.session.get_bind().dialect.name
    db.session.execute(InvoiceNetwork.__table__.delete().where(InvoiceNetwork.invoice_id == invoice.id))
    d = InvoiceDestination
    group = (d.direction, d.country_id, d.network_id, d.rate, d.spent)
    amount = money_sum(d.amount, dialect)
    if dialect == "sqlite":
        amount = amount / 1000000.0
    source = (
        select(
            literal(invoice.id, Integer),
            *group,
            func.sum(d.calls_count),
            func.sum(d.successful_calls_count),
            func.sum(d.calls_duration),
            func.sum(d.billing_duration),
            amount,
            func.min(d.first_call_at),
            func.max(d.last_call_at),
        )
        .where(d.invoice_id == invoice.id)
        .group_by(*group)
        .order_by(d.direction, d.country_id, d.network_id, d.rate)
    )
    n = InvoiceNetwork.__table__.c
    db.session.execute(
        insert(InvoiceNetwork).from_select(
            [
                n.invoice_id,
                n.direction,
                n.country_id,
                n.network_id,
                n.rate,
                n.spent,
                n.calls_count,
                n.successful_calls_count,
                n.calls_duration,
                n.billing_duration,
                n.amount,
                n.first_call_at,
                n.last_call_at,
            ],
            source,
        )
    )
    db.session.expire(invoice, ["networks"])


def _transactions_filter(invoice: Invoice):
    """Transactions on this invoice: claimed by it, or unclaimed and dated inside its window (up to its
    transaction cutoff date when it has one)."""
    end = invoice.end_date
    if invoice.transaction_cutoff_date is not None:
        end = local_midnight(invoice.transaction_cutoff_date, invoice.account.timezone)
    return transactions_filter(invoice.account_id, invoice.start_date, end, invoice.id)


def _service_rows(invoice: Invoice, dialect: str) -> None:
    t = Transaction
    spent = t.amount > 0
    stmt = (
        select(t.service_id, spent.label("spent"), func.count().label("n"), money_sum(t.amount, dialect).label("sum"))
        .where(_transactions_filter(invoice))
        .group_by(t.service_id, spent)
        .order_by(t.service_id, spent)
    )
    for r in db.session.execute(stmt):
        db.session.add(
            InvoiceServiceData(
                invoice_id=invoice.id,
                service_id=r.service_id,
                spent=bool(r.spent),
                transactions_count=int(r.n),
                amount=abs(money_value(r.sum, dialect)),
            )
        )


def _charges(invoice: Invoice, dialect: str) -> None:
    """Charge totals by transaction category (signed) and for calls."""
    t = Transaction
    for column in CHARGE_COLUMNS.values():
        setattr(invoice, column, ZERO)
    stmt = select(t.category, money_sum(t.amount, dialect)).where(_transactions_filter(invoice)).group_by(t.category)
    non_call = ZERO
    for category, raw in db.session.execute(stmt):
        value = money_value(raw, dialect)
        setattr(invoice, CHARGE_COLUMNS[category], value)
        non_call += value
    invoice.charges_non_call = non_call
    invoice.charges_calls = invoice.originated_amount_spent - invoice.originated_amount_earned


def _totals(invoice: Invoice) -> None:
    """Invoice totals as sums of its rows (read back from the database, so they cannot disagree)."""
    db.session.flush()
    db.session.expire(invoice, ["destinations", "service_data"])
    totals = {
        side: {
            "spent": ZERO,
            "earned": ZERO,
            "calls": 0,
            "ok": 0,
            "duration": 0,
            "billed": 0,
            "first": None,
            "last": None,
        }
        for side in ("originated", "terminated")
    }
    discount = ZERO
    for row in invoice.destinations:
        t = totals[row.direction]
        t["spent" if row.spent else "earned"] += row.amount
        t["calls"] += row.calls_count
        t["ok"] += row.successful_calls_count
        t["duration"] += row.calls_duration
        t["billed"] += row.billing_duration
        if row.first_call_at and (t["first"] is None or row.first_call_at < t["first"]):
            t["first"] = row.first_call_at
        if row.last_call_at and (t["last"] is None or row.last_call_at > t["last"]):
            t["last"] = row.last_call_at
        discount += row.discount
    for side, t in totals.items():
        setattr(invoice, f"{side}_amount_spent", t["spent"])
        setattr(invoice, f"{side}_amount_earned", t["earned"])
        setattr(invoice, f"{side}_calls_count", t["calls"])
        setattr(invoice, f"{side}_successful_calls_count", t["ok"])
        setattr(invoice, f"{side}_calls_duration", t["duration"])
        setattr(invoice, f"{side}_billing_duration", t["billed"])
        setattr(invoice, f"{side}_first_call_at", t["first"])
        setattr(invoice, f"{side}_last_call_at", t["last"])
    services_spent = sum((r.amount for r in invoice.service_data if r.spent), ZERO)
    services_earned = sum((r.amount for r in invoice.service_data if not r.spent), ZERO)
    invoice.services_amount_spent = services_spent
    invoice.services_amount_earned = services_earned
    invoice.service_transactions_count = sum(r.transactions_count for r in invoice.service_data)
    invoice.amount_spent = totals["originated"]["spent"] + totals["terminated"]["spent"] + services_spent
    invoice.amount_earned = totals["originated"]["earned"] + totals["terminated"]["earned"] + services_earned
    invoice.amount_total = invoice.amount_spent - invoice.amount_earned
    invoice.discount_amount = discount
    invoice.charges_calls = invoice.originated_amount_spent - invoice.originated_amount_earned
