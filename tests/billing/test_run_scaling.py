"""Billing runs at scale: the anomaly report and the progress count cost the same whatever the run's size."""

import datetime as dt
from decimal import Decimal

from portal.billing.anomalies import find_anomalies
from portal.billing.runs import execute_billing_run, start_billing_run
from portal.extensions import db
from tests.factories import AccountFactory, CdrFactory, InvoiceFactory
from tests.statements import recorded_statements as counted_statements

UTC = dt.timezone.utc


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


def accounts_with_history(count, first_name):
    for n in range(count):
        account = AccountFactory(
            name=f"{first_name} {n}",
            invoice_period="Monthly",
            next_invoice_at=at(2026, 6, 1),
            next_invoice_type="Auto Full",
        )
        for month in (2, 3, 4):
            InvoiceFactory(
                account=account,
                start_date=at(2026, month, 1),
                end_date=at(2026, month + 1, 1),
                state="Approved",
                amount_total=Decimal("100"),
            )
        CdrFactory(customer_acc_id=account.id, time_start=at(2026, 5, 10), customer_price=Decimal(300 + n))
    db.session.commit()


def run_at(moment):
    billing_run = start_billing_run(run_at=moment)
    db.session.commit()
    return execute_billing_run(billing_run.id)


def test_anomaly_report_reads_the_history_of_a_whole_run_in_constant_queries(app):
    accounts_with_history(1, "Small run")
    small = run_at(at(2026, 6, 2))
    db.session.expire_all()
    with counted_statements() as small_statements:
        small_report = find_anomalies(small.id)

    accounts_with_history(5, "Large run")
    large = run_at(at(2026, 6, 2))
    db.session.expire_all()
    with counted_statements() as large_statements:
        large_report = find_anomalies(large.id)

    assert len(small_report) == 1 and len(large_report) == 5
    assert {a["average"] for a in large_report} == {"100.00"}
    assert len(large_statements) == len(small_statements)


def test_run_counts_every_invoice_it_creates_across_accounts_and_periods(app):
    for n in range(3):
        account = AccountFactory(
            name=f"Daily {n}",
            invoice_period="Daily",
            next_invoice_at=at(2026, 6, 2),
            next_invoice_type="Auto Full",
            timezone="UTC",
            max_call_duration=0,
        )
        CdrFactory(customer_acc_id=account.id, time_start=at(2026, 6, 1, 12), customer_price=Decimal("1"))
    db.session.commit()

    result = run_at(at(2026, 6, 4, 1))

    assert (result.accounts_done, result.invoices_created) == (3, 9)
