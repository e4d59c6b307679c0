"""Exact counts (portal/reading/exact_count.py): always right, and not counted again while the tables
they read keep their versions, which every write path moves on both databases."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from portal.extensions import db
from portal.models import Customer, Invoice, TableVersion
from portal.reading.exact_count import exact_count, kept, versions_of
from tests.factories import InvoiceFactory
from tests.invoices import account_of_five, other_connection_adds  # noqa: F401 - fixture
from tests.statements import recorded_statements


def counts(statements) -> list[str]:
    return [s for s in statements if "count(" in s.lower()]


def approved(account_id: int):
    return select(Invoice.id).where(Invoice.account_id == account_id, Invoice.state == "Approved")


def invoices_version():
    with db.engine.connect() as conn:
        return conn.scalar(select(TableVersion.version).where(TableVersion.table_name == "invoices"))


def first_approved(account_id: int):
    return select(func.min(Invoice.id)).where(Invoice.account_id == account_id, Invoice.state == "Approved")


def _orm_insert(account):
    InvoiceFactory(
        account=account,
        state="Approved",
        start_date=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
        end_date=dt.datetime(2024, 2, 1, tzinfo=dt.timezone.utc),
    )
    db.session.commit()


def _orm_update(account):
    db.session.get(Invoice, db.session.scalar(first_approved(account.id))).state = "New"
    db.session.commit()


def _orm_delete(account):
    db.session.delete(db.session.get(Invoice, db.session.scalar(first_approved(account.id))))
    db.session.commit()


def _core_update(account):
    with db.engine.begin() as conn:
        conn.execute(
            update(Invoice).where(Invoice.id == first_approved(account.id).scalar_subquery()).values(state="New")
        )


def _core_delete(account):
    with db.engine.begin() as conn:
        conn.execute(delete(Invoice).where(Invoice.id == first_approved(account.id).scalar_subquery()))


def _raw_update(account):
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE invoices SET state = 'New' WHERE id = "
            f"(SELECT min(id) FROM invoices WHERE account_id = {int(account.id)} AND state = 'Approved')"
        )


def _text_delete(account):
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM invoices WHERE id = "
                "(SELECT min(id) FROM invoices WHERE account_id = :a AND state = 'Approved')"
            ),
            {"a": account.id},
        )


def _bulk_insert(account):
    rows = [
        {
            "uuid": uuid.uuid4(),
            "reference": f"bulk {year}",
            "organization_id": account.customer.organization_id,
            "customer_id": account.customer_id,
            "account_id": account.id,
            "currency": account.currency,
            "state": "Approved",
            "invoice_type": "Manual",
            "start_date": dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc),
            "end_date": dt.datetime(year, 2, 1, tzinfo=dt.timezone.utc),
        }
        for year in (2020, 2021)
    ]
    with db.engine.begin() as conn:
        conn.execute(insert(Invoice), rows)


# Every way a write reaches the invoices table: (how, write(account), change in the approved count).
WRITE_PATHS = [
    ("ORM insert", _orm_insert, 1),
    ("ORM update", _orm_update, -1),
    ("ORM delete", _orm_delete, -1),
    ("Core UPDATE", _core_update, -1),
    ("Core DELETE", _core_delete, -1),
    ("raw SQL UPDATE", _raw_update, -1),
    ("text() DELETE", _text_delete, -1),
    ("Core bulk INSERT", _bulk_insert, 2),
    ("another connection's INSERT", other_connection_adds, 1),
]


def test_counts_match_each_statement_and_its_parameters(account_of_five):
    assert exact_count(approved(account_of_five.id)) == 3
    assert exact_count(select(Invoice.id).where(Invoice.account_id == account_of_five.id, Invoice.state == "New")) == 2
    assert exact_count(approved(account_of_five.id + 1000)) == 0
    assert exact_count(approved(account_of_five.id)) == 3


def test_an_unchanged_table_is_not_counted_again(account_of_five):
    with recorded_statements() as seen:
        assert exact_count(approved(account_of_five.id)) == 3
    assert len(counts(seen)) == 1
    db.session.commit()  # a transaction that wrote nothing changes no version
    with recorded_statements() as seen:
        assert exact_count(approved(account_of_five.id)) == 3
        assert exact_count(approved(account_of_five.id)) == 3
    assert counts(seen) == []


@pytest.mark.parametrize("how, write, change", WRITE_PATHS, ids=[path[0] for path in WRITE_PATHS])
def test_every_write_path_moves_the_version_and_the_count_follows(account_of_five, how, write, change):
    """The count is keyed on the invoices table's version, which a trigger moves for every committed
    write whatever statement made it (ORM, Core, text(), the driver's own SQL, a bulk INSERT)."""
    account_id = account_of_five.id
    assert exact_count(approved(account_id)) == 3
    db.session.commit()
    before = invoices_version()
    write(account_of_five)
    db.session.commit()
    assert invoices_version() not in (before, None)
    with recorded_statements() as seen:
        assert exact_count(approved(account_id)) == 3 + change
    assert len(counts(seen)) == 1  # counted again, never served from the old version


def test_a_write_rolled_back_leaves_the_version_and_the_kept_count(account_of_five):
    assert exact_count(approved(account_of_five.id)) == 3
    db.session.commit()
    before = invoices_version()
    with db.engine.connect() as conn:
        conn.execute(update(Invoice).where(Invoice.account_id == account_of_five.id).values(state="New"))
        conn.rollback()
    assert invoices_version() == before
    with recorded_statements() as seen:
        assert exact_count(approved(account_of_five.id)) == 3
    assert counts(seen) == []


def test_own_uncommitted_rows_are_counted_and_never_kept(account_of_five):
    assert exact_count(approved(account_of_five.id)) == 3
    InvoiceFactory(account=account_of_five, state="Approved")  # flushed, not committed (period May 2026)
    assert exact_count(approved(account_of_five.id)) == 4
    db.session.rollback()
    assert exact_count(approved(account_of_five.id)) == 3


def test_own_pending_objects_are_flushed_and_counted_not_kept(account_of_five):
    assert exact_count(approved(account_of_five.id)) == 3
    invoice = db.session.get(Invoice, db.session.scalar(first_approved(account_of_five.id)))
    invoice.state = "New"  # pending in the session, not flushed yet
    assert exact_count(approved(account_of_five.id)) == 2
    db.session.rollback()
    assert exact_count(approved(account_of_five.id)) == 3


def test_a_writer_that_was_running_when_the_count_was_kept_and_commits_later_is_seen(account_of_five):
    account_id = account_of_five.id
    with db.engine.connect() as other:
        other.execute(update(Invoice).where(Invoice.account_id == account_id).values(state="Approved"))
        assert exact_count(approved(account_id)) == 3
        db.session.commit()
        assert exact_count(approved(account_id)) == 3
        other.commit()
    db.session.commit()
    assert exact_count(approved(account_id)) == 5


def test_a_statement_reading_a_table_without_a_version_always_counts(account_of_five):
    named = approved(account_of_five.id).where(Invoice.customer_id.in_(select(Customer.id).where(Customer.name != "")))
    with recorded_statements() as seen:
        assert exact_count(named) == 3
        assert exact_count(named) == 3
    assert len(counts(seen)) == 2


def test_turned_off_it_counts_every_time(app, account_of_five):
    app.config["COUNT_CACHE_SIZE"] = 0
    try:
        with recorded_statements() as seen:
            exact_count(approved(account_of_five.id))
            exact_count(approved(account_of_five.id))
    finally:
        app.config["COUNT_CACHE_SIZE"] = 1000
    assert len(counts(seen)) == 2


def test_a_result_asked_to_wait_for_a_second_sight_is_computed_then_and_kept(account_of_five):
    """`kept(…, sightings=2)`: the first call under a version gets None and computes nothing, the second
    computes and keeps, later ones reuse; a write in between restarts the tally."""
    computed = []

    def compute(columns: list) -> tuple:
        total, *seen = db.session.execute(select(func.count(Invoice.id), *columns)).one()
        computed.append(total)
        return total, seen

    def ask():
        return kept(versions_of(approved(account_of_five.id)), "test", compute, sightings=2)

    assert [ask(), ask(), ask()] == [None, 5, 5]
    assert computed == [5]
    other_connection_adds(account_of_five)
    db.session.commit()
    assert [ask(), ask()] == [None, 6]
    assert computed == [5, 6]


def test_sightings_are_counted_per_statement(account_of_five):
    computed = []

    def ask(account_id: int):
        def compute(columns: list) -> tuple:
            computed.append(account_id)
            return account_id, db.session.execute(select(*columns)).one()

        return kept(versions_of(approved(account_id)), "test", compute, sightings=2)

    assert [ask(account_of_five.id), ask(account_of_five.id + 1), ask(account_of_five.id)] == [
        None,
        None,
        account_of_five.id,
    ]
    assert computed == [account_of_five.id]
