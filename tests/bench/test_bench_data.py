"""The bench data leaves the database usable by the app: rows it wrote with explicit ids do not stand in the
way of rows the app creates afterwards (PostgreSQL's id sequences are moved past them)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from bench._data import PAID_AFTER_DAYS, populate, populate_in_database
from bench.fill import cdrs_in_database
from portal.extensions import db
from portal.models import Account, Cdr, Customer, Invoice, InvoiceDestination


def test_rows_created_after_the_bench_data_get_fresh_ids(app):
    populate(db, customers=3, accounts_per_customer=2, invoices=12, heavy_invoices=4, progress=lambda line: None)
    customer = Customer(organization_id=1, name="Created Later", email="later@example.com")
    db.session.add(customer)
    db.session.flush()
    account = Account(customer_id=customer.id, name="Later", currency="EUR", timezone="UTC")
    db.session.add(account)
    db.session.commit()
    assert customer.id == 4 and account.id == 7
    assert db.session.query(Invoice).count() == 12 and db.session.query(InvoiceDestination).count() == 60


def test_invoices_generated_by_postgresql_are_laid_out_as_populate_writes_them_and_add_up(app, is_postgresql):
    if not is_postgresql:
        pytest.skip("the generation in the database is PostgreSQL's (INSERT … SELECT from generate_series)")
    counts = populate_in_database(
        db, customers=3, accounts_per_customer=2, invoices=140, heavy_invoices=130, progress=lambda line: None
    )
    assert counts == {"invoices": 140, "accounts": 6, "customers": 3}
    invoices = db.session.scalars(select(Invoice).order_by(Invoice.id)).all()
    # As populate: the heavy customer's two accounts hold 130 invoices, the other four accounts the other 10;
    # the n-th invoice of an account covers the n-th day before 2026-11-01, ids oldest first.
    per_account = Counter(i.account_id for i in invoices)
    assert per_account == {1: 65, 2: 65, 3: 3, 4: 3, 5: 2, 6: 2}
    assert [i.end_date.date() for i in invoices] == sorted(i.end_date.date() for i in invoices)
    assert {i.end_date.date() for i in invoices if i.account_id == 1} == {
        date(2026, 11, 1) - timedelta(days=n) for n in range(65)
    }
    for invoice in invoices:
        assert invoice.state == "Approved" and invoice.customer_id == invoice.account.customer_id
        assert invoice.currency == invoice.account.currency and invoice.organization_id == 1
        assert (invoice.end_date - invoice.start_date).days == 1 and invoice.invoice_date == invoice.end_date.date()
        assert len(invoice.destinations) == 5 and len(invoice.networks) == 5 and len(invoice.service_data) == 1
        assert sum(d.amount for d in invoice.destinations) == invoice.originated_amount_spent
        assert sum(n.amount for n in invoice.networks) == invoice.originated_amount_spent
        assert invoice.originated_calls_count == sum(d.calls_count for d in invoice.destinations)
        assert invoice.amount_total == invoice.originated_amount_spent + Decimal(25)
        assert invoice.net_amount == invoice.amount_total.quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert invoice.total_amount == invoice.net_amount + invoice.vat_amount
        assert invoice.paid_amount + invoice.outstanding == invoice.total_amount
        # Paid: every third, and every invoice older than PAID_AFTER_DAYS (a customer owes its recent ones).
        age = (date(2026, 11, 1) - invoice.invoice_date).days
        assert (invoice.paid_amount > 0) == (age % 3 == 0 or age >= PAID_AFTER_DAYS)
    # The app's own rows come after the generated ones.
    account = Account(customer_id=1, name="Later", currency="EUR", timezone="UTC")
    db.session.add(account)
    db.session.flush()
    db.session.add(InvoiceDestination(invoice_id=1, direction="originated", spent=True))
    db.session.commit()
    assert account.id == 7


def test_cdrs_generated_by_postgresql_lie_in_the_period_in_time_order_over_every_account(app, is_postgresql):
    if not is_postgresql:
        pytest.skip("the generation in the database is PostgreSQL's (INSERT … SELECT from generate_series)")
    populate(db, customers=2, accounts_per_customer=2, invoices=0, heavy_invoices=0, progress=lambda line: None)
    start, end = datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 2, 1, tzinfo=timezone.utc)
    cdrs_in_database(db, [1, 2, 3], 4, 3000, start, end)
    cdrs = db.session.scalars(select(Cdr).order_by(Cdr.id)).all()
    assert len(cdrs) == 3000 and all(start <= c.time_start < end for c in cdrs)
    assert [c.time_start for c in cdrs] == sorted(c.time_start for c in cdrs)
    assert all(800 < n < 1200 for n in Counter(c.customer_acc_id for c in cdrs).values())
    assert {c.vendor_acc_id for c in cdrs} == {4} and len({c.dst_prefix for c in cdrs}) == 9
    answered = [c for c in cdrs if c.success]
    assert 0.55 < len(answered) / len(cdrs) < 0.7 and 100 < sum(c.duration for c in answered) / len(answered) < 200
    assert all(c.duration == c.customer_duration == 0 for c in cdrs if not c.success)
    for c in answered:
        assert c.customer_duration == -(-c.duration // 60) * 60 or c.duration == 0
        assert c.customer_price == (c.destination_rate * c.customer_duration / 60).quantize(Decimal("0.000001"))
