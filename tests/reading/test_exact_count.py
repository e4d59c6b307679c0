"""Exact counts (portal/reading/exact_count.py): always right, and on PostgreSQL not counted again while
nothing has been committed since."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Invoice
from portal.reading.exact_count import exact_count
from tests.factories import InvoiceFactory
from tests.invoices import account_of_five, other_connection_adds  # noqa: F401 - fixture
from tests.statements import recorded_statements


def counts(statements) -> list[str]:
    return [s for s in statements if "count(" in s.lower()]


def approved(account_id: int):
    return select(Invoice.id).where(Invoice.account_id == account_id, Invoice.state == "Approved")


def test_counts_match_each_statement_and_its_parameters(account_of_five):
    assert exact_count(approved(account_of_five.id)) == 3
    assert exact_count(select(Invoice.id).where(Invoice.account_id == account_of_five.id, Invoice.state == "New")) == 2
    assert exact_count(approved(account_of_five.id + 1000)) == 0
    assert exact_count(approved(account_of_five.id)) == 3


def test_a_commit_from_another_connection_counts_at_once(account_of_five):
    assert exact_count(approved(account_of_five.id)) == 3
    db.session.commit()  # end the transaction: the next statement takes a new snapshot
    other_connection_adds(account_of_five)
    assert exact_count(approved(account_of_five.id)) == 4
    with db.engine.begin() as conn:
        conn.execute(update(Invoice).where(Invoice.reference == "elsewhere").values(state="New"))
    db.session.commit()
    assert exact_count(approved(account_of_five.id)) == 3


def test_own_uncommitted_rows_are_counted_and_never_kept(account_of_five):
    assert exact_count(approved(account_of_five.id)) == 3
    InvoiceFactory(account=account_of_five, state="Approved")  # flushed, not committed (period May 2026)
    assert exact_count(approved(account_of_five.id)) == 4
    db.session.rollback()
    assert exact_count(approved(account_of_five.id)) == 3


def test_postgresql_does_not_count_again_under_the_same_snapshot(account_of_five, is_postgresql):
    if not is_postgresql:
        pytest.skip("SQLite has no snapshot to key a count on: it always counts")
    account_id = account_of_five.id
    with recorded_statements() as seen:
        assert exact_count(approved(account_id)) == 3
    assert len(counts(seen)) == 1
    db.session.commit()  # a transaction that wrote nothing leaves the snapshot as it was
    with recorded_statements() as seen:
        assert exact_count(approved(account_id)) == 3
        assert exact_count(approved(account_id)) == 3
    assert counts(seen) == []
    other_connection_adds(account_of_five)
    with recorded_statements() as seen:
        assert exact_count(approved(account_id)) == 4
        assert exact_count(approved(account_id)) == 4
    assert len(counts(seen)) == 1


def test_turned_off_it_counts_every_time(app, account_of_five):
    app.config["COUNT_CACHE_SIZE"] = 0
    try:
        with recorded_statements() as seen:
            exact_count(approved(account_of_five.id))
            exact_count(approved(account_of_five.id))
    finally:
        app.config["COUNT_CACHE_SIZE"] = 1000
    assert len(counts(seen)) == 2
