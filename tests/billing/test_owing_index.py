"""The customer dashboard's outstanding sums read only the invoices still owed, not the customer's whole
history: on PostgreSQL through the partial index of owing invoices (migration 0240)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from bench._data import populate_in_database
from portal.extensions import db
from portal.models import Invoice
from portal.models.invoice import UNPAID, payment_status_condition


def test_the_outstanding_sums_of_a_customer_read_its_owing_invoices_through_their_own_index(app, is_postgresql):
    if not is_postgresql:
        pytest.skip("the plan is PostgreSQL's (SQLite gets the same partial index from the migration)")
    # 2,000 invoices, 1,000 of them the heavy customer's over 1,000 days: all but the last 60 days paid.
    populate_in_database(
        db, customers=20, accounts_per_customer=1, invoices=2000, heavy_invoices=1000, progress=lambda line: None
    )
    db.session.execute(text("ANALYZE invoices"))
    owing = payment_status_condition(UNPAID, date(2026, 12, 6))
    stmt = (
        select(Invoice.currency, func.sum(Invoice.outstanding), func.count())
        .where(Invoice.customer_id == 1, owing)
        .group_by(Invoice.currency)
    )
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = "\n".join(db.session.execute(text("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)).scalars())
    assert "ix_invoices_owing" in plan, plan
    assert db.session.execute(stmt).one()[2] == 40  # the 60 most recent days, less every third one paid
