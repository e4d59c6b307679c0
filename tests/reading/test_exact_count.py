"""Exact counts (portal/reading/exact_count.py): always right, and on PostgreSQL not counted again while
nothing has been committed since."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update

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


def _raw_update(conn, account_id):
    conn.exec_driver_sql(
        f"UPDATE invoices SET state = 'New' WHERE account_id = {int(account_id)} AND state = 'Approved' "
        "AND id = (SELECT min(id) FROM invoices WHERE state = 'Approved')"
    )


def _text_delete(conn, account_id):
    conn.execute(
        text(
            "DELETE FROM invoices WHERE id = (SELECT min(id) FROM invoices "
            "WHERE account_id = :a AND state = 'Approved')"
        ),
        {"a": account_id},
    )


def _core_update(conn, account_id):
    conn.execute(
        update(Invoice)
        .where(Invoice.id == select(func.min(Invoice.id)).where(Invoice.account_id == account_id).scalar_subquery())
        .values(state="Approved")
    )


# Every way a write reaches PostgreSQL, from another connection: (how, change in the approved count).
WRITE_PATHS = [
    ("raw SQL UPDATE", _raw_update, -1),
    ("text() DELETE", _text_delete, -1),
    ("Core UPDATE", _core_update, 0),
]


@pytest.mark.parametrize("how, write, change", WRITE_PATHS, ids=[path[0] for path in WRITE_PATHS])
def test_every_write_path_of_another_connection_moves_the_snapshot_the_count_is_kept_on(
    account_of_five, is_postgresql, how, write, change
):
    """The count is keyed on the MVCC snapshot, which any committed write moves, whatever statement made
    it (ORM, Core, text(), the driver's own SQL): no write path can leave a stale count behind."""
    account_id = account_of_five.id
    assert exact_count(approved(account_id)) == 3
    db.session.commit()
    with db.engine.begin() as conn:
        write(conn, account_id)
    db.session.commit()
    with recorded_statements() as seen:
        assert exact_count(approved(account_id)) == 3 + change
    assert len(counts(seen)) == 1  # counted again, never served from the old snapshot


def test_a_writer_that_was_running_when_the_count_was_kept_and_commits_later_is_seen(account_of_five, is_postgresql):
    if not is_postgresql:
        pytest.skip("SQLite has no snapshot to key a count on: it always counts")
    account_id = account_of_five.id
    with db.engine.connect() as other:
        other.begin()
        other.execute(update(Invoice).where(Invoice.account_id == account_id).values(state="Approved"))
        assert exact_count(approved(account_id)) == 3  # the writer holds an id: it is in this snapshot
        db.session.commit()
        assert exact_count(approved(account_id)) == 3
        other.commit()
    db.session.commit()
    assert exact_count(approved(account_id)) == 5
