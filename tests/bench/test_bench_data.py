"""The bench data leaves the database usable by the app: rows it wrote with explicit ids do not stand in the
way of rows the app creates afterwards (PostgreSQL's id sequences are moved past them)."""

from __future__ import annotations

from bench._data import populate
from portal.extensions import db
from portal.models import Account, Customer, Invoice, InvoiceDestination


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
