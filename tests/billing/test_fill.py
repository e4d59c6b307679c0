"""Filling invoices from CDRs and transactions: the rules, the boundaries and the totals."""

import datetime as dt
from decimal import Decimal
from functools import partial

import pytest

from portal.billing.fill import fill_invoice, reapply_discount_plans, refill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.extensions import db
from portal.foundations.errors import InvalidState
from tests.factories import AFTER_PERIOD as NOW
from tests.factories import PERIOD_END as END
from tests.factories import PERIOD_START as START
from tests.factories import (
    AccountFactory,
    CdrFactory,
    CountryFactory,
    DiscountPlanFactory,
    NetworkFactory,
    ServiceFactory,
    TransactionFactory,
)

D = Decimal


def new_invoice(account):
    return create_invoice(account_id=account.id, start_date=START, end_date=END, now=NOW)


def test_empty_period_fills_with_zeros(app):
    invoice = fill_invoice(new_invoice(AccountFactory()))
    assert invoice.state == "Pending"
    assert invoice.amount_spent == 0 and invoice.amount_earned == 0
    assert invoice.originated_first_call_at is None
    assert invoice.destinations == [] and invoice.networks == [] and invoice.service_data == []


def test_boundaries_start_in_end_out(app):
    account = AccountFactory()
    CdrFactory(customer_acc_id=account.id, time_start=START, customer_price=D("1"))
    CdrFactory(customer_acc_id=account.id, time_start=END - dt.timedelta(microseconds=1), customer_price=D("2"))
    CdrFactory(customer_acc_id=account.id, time_start=END, customer_price=D("4"))
    CdrFactory(customer_acc_id=account.id, time_start=START - dt.timedelta(seconds=1), customer_price=D("8"))
    TransactionFactory(account=account, created_at=START, amount=D("10"))
    TransactionFactory(account=account, created_at=END, amount=D("20"))
    invoice = fill_invoice(new_invoice(account))
    assert invoice.originated_amount_spent == D("3")
    assert invoice.originated_calls_count == 2
    assert invoice.services_amount_spent == D("10")
    assert invoice.originated_first_call_at == START


def test_originated_counts_only_last_cdr_and_terminated_counts_every_attempt(app):
    account, other = AccountFactory(), AccountFactory()
    t = START + dt.timedelta(days=3)
    attempt = partial(CdrFactory, customer_acc_id=account.id, vendor_acc_id=other.id, time_start=t)
    attempt(is_last_cdr=False, customer_price=D("5"), vendor_price=D("1"), success=False)
    attempt(is_last_cdr=True, customer_price=D("0.5"), vendor_price=D("0.25"))
    mine = fill_invoice(new_invoice(account))
    assert mine.originated_calls_count == 1
    assert mine.originated_amount_spent == D("0.5")
    assert mine.terminated_calls_count == 0
    theirs = fill_invoice(new_invoice(other))
    assert theirs.terminated_calls_count == 2
    assert theirs.terminated_successful_calls_count == 1
    assert theirs.terminated_amount_earned == D("1.25")
    assert theirs.terminated_amount_spent == 0
    assert theirs.amount_total == D("-1.25")


def test_reverse_billed_rows_switch_sides(app):
    account = AccountFactory()
    t = START + dt.timedelta(days=1)
    CdrFactory(customer_acc_id=account.id, time_start=t, destination_reverse_billing=True, customer_price=D("3"))
    CdrFactory(vendor_acc_id=account.id, time_start=t, dialpeer_reverse_billing=True, vendor_price=D("2"))
    invoice = fill_invoice(new_invoice(account))
    assert invoice.originated_amount_earned == D("3") and invoice.originated_amount_spent == 0
    assert invoice.terminated_amount_spent == D("2") and invoice.terminated_amount_earned == 0
    assert invoice.amount_spent == D("2") and invoice.amount_earned == D("3")


def test_destination_network_and_service_rows(app):
    account = AccountFactory()
    de = CountryFactory(iso2="DE", name="Germany")
    mobile = NetworkFactory(name="Vodafone DE", country=de)
    t = START + dt.timedelta(days=2)
    german_mobile_call = partial(CdrFactory, customer_acc_id=account.id, time_start=t, network=mobile)
    for prefix, price in (("49151", "0.12"), ("49151", "0.13"), ("49152", "0.20")):
        german_mobile_call(
            dst_prefix=prefix, destination_rate=D("0.1"), customer_price=D(price), duration=61, customer_duration=120
        )
    german_mobile_call(
        dst_prefix="49152",
        destination_rate=D("0.1"),
        customer_price=D("0"),
        success=False,
        duration=0,
        customer_duration=0,
    )
    service = ServiceFactory()
    TransactionFactory(account=account, service=service, amount=D("15"), created_at=t, category="recurring")
    TransactionFactory(account=account, service=service, amount=D("-5"), created_at=t, category="refund")
    TransactionFactory(account=account, service=None, amount=D("2.5"), created_at=t, category="one-off")
    invoice = fill_invoice(new_invoice(account))
    rows = {(r.dst_prefix, r.direction): r for r in invoice.destinations}
    assert rows[("49151", "originated")].calls_count == 2
    assert rows[("49151", "originated")].amount == D("0.25")
    assert rows[("49152", "originated")].calls_count == 2
    assert rows[("49152", "originated")].successful_calls_count == 1
    [network] = invoice.networks
    assert (network.calls_count, network.amount, network.calls_duration) == (4, D("0.45"), 183)
    assert network.billing_duration == 360
    services = {(r.service_id, r.spent): r for r in invoice.service_data}
    assert services[(service.id, True)].amount == D("15")
    assert services[(service.id, False)].amount == D("5")
    assert services[(None, True)].amount == D("2.5")
    assert invoice.services_amount_spent == D("17.5") and invoice.services_amount_earned == D("5")
    assert invoice.service_transactions_count == 3
    assert invoice.charges_recurring == D("15") and invoice.charges_refunds == D("-5")
    assert invoice.charges_one_off == D("2.5") and invoice.charges_non_call == D("12.5")
    assert invoice.amount_total == D("0.45") + D("12.5")


def test_fill_refuses_anything_but_new(app):
    invoice = fill_invoice(new_invoice(AccountFactory()))
    with pytest.raises(InvalidState, match="invoice already filled"):
        fill_invoice(invoice)


def test_refill_picks_up_late_cdrs_and_is_refused_after_approval(app):
    account = AccountFactory()
    invoice = fill_invoice(new_invoice(account))
    CdrFactory(customer_acc_id=account.id, time_start=START + dt.timedelta(days=1), customer_price=D("7"))
    refill_invoice(invoice)
    assert invoice.originated_amount_spent == D("7")
    assert len(invoice.destinations) == 1
    approve_invoice(invoice)
    with pytest.raises(InvalidState):
        refill_invoice(invoice)


def test_percentage_and_free_minute_discounts(app):
    account = AccountFactory()
    DiscountPlanFactory(account=account, kind="percentage", prefixes="44", percent=D("10"))
    DiscountPlanFactory(account=account, kind="free_minutes", prefixes="49", percent=None, free_minutes=1)
    t = START + dt.timedelta(days=1)
    CdrFactory(customer_acc_id=account.id, time_start=t, dst_prefix="447", customer_price=D("2"))
    CdrFactory(
        customer_acc_id=account.id, time_start=t, dst_prefix="4915", customer_price=D("3"), customer_duration=120
    )
    invoice = fill_invoice(new_invoice(account))
    rows = {r.dst_prefix: r for r in invoice.destinations}
    assert rows["447"].amount == D("1.8") and rows["447"].discount == D("0.2")
    assert rows["4915"].amount == D("1.5") and rows["4915"].discount == D("1.5")
    assert invoice.discount_amount == D("1.7")
    assert invoice.originated_amount_spent == D("3.3")
    # Changing the plan and reapplying recomputes from the undiscounted amounts.
    account.discount_plans[0].percent = D("50")
    reapply_discount_plans(invoice)
    rows = {r.dst_prefix: r for r in invoice.destinations}
    assert rows["447"].amount == D("1") and invoice.originated_amount_spent == D("2.5")


def test_approve_sets_number_dates_and_amounts(app):
    account = AccountFactory(vat_rate=D("19"), payment_terms_days=14)
    CdrFactory(customer_acc_id=account.id, time_start=START + dt.timedelta(days=1), customer_price=D("10.004"))
    invoice = fill_invoice(new_invoice(account))
    approve_invoice(invoice, today=dt.date(2026, 6, 2))
    assert invoice.state == "Approved"
    assert invoice.invoice_number == "INV-2026-000001"
    assert invoice.invoice_date == dt.date(2026, 6, 2) and invoice.due_date == dt.date(2026, 6, 16)
    assert invoice.net_amount == D("10.00") and invoice.vat_amount == D("1.90")
    assert invoice.total_amount == D("11.90") and invoice.outstanding == D("11.90")
    with pytest.raises(InvalidState, match="Invoice already approved"):
        approve_invoice(invoice)
    second = new_invoice(AccountFactory())
    with pytest.raises(InvalidState, match="Invoice can't be approved"):
        approve_invoice(second)
    fill_invoice(second)
    approve_invoice(second, today=dt.date(2026, 6, 3))
    assert second.invoice_number == "INV-2026-000002"
    db.session.commit()


def test_postgresql_sums_the_cdrs_without_parallel_workers_and_restores_the_setting_afterwards(app, is_postgresql):
    """The planner misjudges one account's share of a large CDR table and starts parallel workers for a
    read an index scan does in a fraction of the time (bench/fill.py); the fill's CDR sums run serially."""
    if not is_postgresql:
        pytest.skip("parallel plans are PostgreSQL's")
    from sqlalchemy import event, text

    account = AccountFactory()
    CdrFactory(customer_acc_id=account.id, time_start=START, customer_price=D("1"))
    invoice = new_invoice(account)
    seen = []

    def _setting(conn, cursor, statement, parameters, context, executemany):
        if "FROM cdrs" in statement:
            seen.append(cursor.connection.execute("SHOW max_parallel_workers_per_gather").fetchone()[0])

    before = db.session.scalar(text("SHOW max_parallel_workers_per_gather"))
    event.listen(db.engine, "before_cursor_execute", _setting)
    try:
        fill_invoice(invoice)
    finally:
        event.remove(db.engine, "before_cursor_execute", _setting)
    assert seen and set(seen) == {"0"} and before != "0"
    assert db.session.scalar(text("SHOW max_parallel_workers_per_gather")) == before
    assert invoice.originated_amount_spent == D("1")
