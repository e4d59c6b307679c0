"""Two writers at once cannot create overlapping invoices: the service lock, and on PostgreSQL the exclusion
constraint."""

import datetime as dt
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from portal.billing.invoices import OVERLAP, create_invoice
from portal.extensions import db
from portal.foundations.errors import Conflict, ValidationFailed
from portal.models import BillingRun, Invoice
from tests.factories import AccountFactory

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 1, tzinfo=UTC)


def _race(app, account_id, periods):
    """Create one invoice per period, each in its own thread, app context and session, released together."""
    barrier = threading.Barrier(len(periods))
    results = [None] * len(periods)

    def worker(index, start, end):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                invoice = create_invoice(account_id=account_id, start_date=start, end_date=end, now=NOW)
                db.session.commit()
                results[index] = ("created", invoice.id)
            except (ValidationFailed, Conflict) as exc:
                db.session.rollback()
                results[index] = (type(exc).__name__, exc.message)
            except Exception as exc:  # anything else is a leak the test must report
                db.session.rollback()
                results[index] = ("leaked", repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, s, e)) for i, (s, e) in enumerate(periods)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_creates_for_overlapping_periods_only_one_succeeds(app, attempt):
    account = AccountFactory()
    db.session.commit()
    results = _race(app, account.id, [("2026-05-01", "2026-06-01"), ("2026-05-15", "2026-06-15")])

    # The loser waited for the winner's lock (PostgreSQL advisory lock; SQLite write lock, which
    # pysqlite takes at the lock's UPDATE, so no stale read snapshot) and then saw its invoice.
    assert sorted(r[0] for r in results) == ["ValidationFailed", "created"], results
    assert [r[1] for r in results if r[0] == "ValidationFailed"] == [OVERLAP]
    db.session.expire_all()
    assert db.session.query(Invoice).filter_by(account_id=account.id).count() == 1


def test_four_concurrent_creates_of_mutually_overlapping_periods_leave_one_invoice(app):
    account = AccountFactory()
    db.session.commit()
    periods = [
        ("2026-05-01", "2026-06-01"),
        ("2026-05-10", "2026-06-10"),
        ("2026-04-20", "2026-05-20"),
        ("2026-05-12", "2026-05-13"),
    ]  # every pair shares 12 May
    results = _race(app, account.id, periods)
    assert sorted(r[0] for r in results) == ["ValidationFailed"] * 3 + ["created"], results
    db.session.expire_all()
    assert db.session.query(Invoice).filter_by(account_id=account.id).count() == 1


def test_concurrent_creates_for_touching_periods_both_succeed(app):
    account = AccountFactory()
    db.session.commit()
    results = _race(app, account.id, [("2026-05-01", "2026-06-01"), ("2026-06-01", "2026-07-01")])
    assert [r[0] for r in results] == ["created", "created"], results
    db.session.expire_all()
    assert db.session.query(Invoice).filter_by(account_id=account.id).count() == 2


def _period_params(start: dt.date, end: dt.date) -> dict:
    """The parameters of `_copy_with_period_sql`: a new uuid and the period [start, end) from midnight UTC."""
    return {
        "uuid": uuid.uuid4(),
        "start": dt.datetime.combine(start, dt.time(), tzinfo=UTC),
        "end": dt.datetime.combine(end, dt.time(), tzinfo=UTC),
    }


def _copy_with_period_sql(source_id: int) -> text:
    """An INSERT … SELECT that copies an invoice row with a new id, uuid and period, bypassing the service."""
    columns = [c.name for c in Invoice.__table__.columns if c.name != "id"]
    overrides = {
        "uuid": ":uuid",
        "start_date": ":start",
        "end_date": ":end",
        "reference": "'raw'",
        "invoice_number": "NULL",
    }
    select_list = ", ".join(overrides.get(c, c) for c in columns)
    return text(
        f"INSERT INTO invoices ({', '.join(columns)}) SELECT {select_list} FROM invoices WHERE id = {source_id}"
    )


@pytest.fixture
def invoice_and_raw_copy(app, is_postgresql):
    """`invoice_and_raw_copy(start, end)` → a committed invoice of a new account for that period, and a raw INSERT
    that copies it with the dates `_period_params` gives. PostgreSQL only: the exclusion constraint lives there."""
    if not is_postgresql:
        pytest.skip("the exclusion constraint exists on PostgreSQL only")

    def make(start: str, end: str):
        invoice = create_invoice(account_id=AccountFactory().id, start_date=start, end_date=end, now=NOW)
        db.session.commit()
        return invoice, _copy_with_period_sql(invoice.id)

    return make


def test_postgresql_exclusion_constraint_rejects_raw_overlapping_insert(invoice_and_raw_copy):
    invoice, insert = invoice_and_raw_copy("2026-05-01", "2026-06-01")

    with db.engine.connect() as conn:
        with pytest.raises(IntegrityError) as exc_info:
            conn.execute(insert, _period_params(dt.date(2026, 5, 20), dt.date(2026, 6, 10)))
        assert "ex_invoices_no_overlap" in str(exc_info.value.orig)
        conn.rollback()
        # A touching period passes the same constraint.
        conn.execute(insert, _period_params(dt.date(2026, 6, 1), dt.date(2026, 7, 1)))
        conn.commit()
    assert db.session.query(Invoice).filter_by(account_id=invoice.account_id).count() == 2


def test_postgresql_exclusion_constraint_stops_two_concurrent_raw_inserts(invoice_and_raw_copy, database_url):
    invoice, insert = invoice_and_raw_copy("2026-01-01", "2026-02-01")
    engine = create_engine(database_url)
    outcome = {}
    try:
        first = engine.connect()
        first.execute(insert, _period_params(dt.date(2026, 5, 1), dt.date(2026, 6, 1)))

        def second_insert():
            with engine.connect() as second:
                try:
                    second.execute(insert, _period_params(dt.date(2026, 5, 10), dt.date(2026, 5, 20)))
                    second.commit()
                    outcome["second"] = "inserted"
                except IntegrityError as exc:
                    outcome["second"] = str(exc.orig)

        thread = threading.Thread(target=second_insert)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), "the second insert should wait for the first transaction"
        first.commit()
        first.close()
        thread.join(timeout=30)
    finally:
        engine.dispose()
    assert "ex_invoices_no_overlap" in outcome["second"]
    assert db.session.query(Invoice).filter_by(account_id=invoice.account_id).count() == 2


def test_two_billing_runs_at_once_invoice_each_period_exactly_once(app):
    from portal.billing.runs import execute_billing_run, start_billing_run

    account_ids = [
        AccountFactory(
            invoice_period="Daily", next_invoice_at=dt.datetime(2026, 5, 2, tzinfo=UTC), next_invoice_type="Auto Full"
        ).id
        for _ in range(4)
    ]
    run_ids = [start_billing_run(run_at=dt.datetime(2026, 5, 5, 6, tzinfo=UTC)).id for _ in range(2)]
    db.session.commit()
    barrier = threading.Barrier(2)
    errors = []

    def execute(run_id):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                execute_billing_run(run_id)
            except Exception as exc:  # reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=execute, args=(run_id,)) for run_id in run_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    db.session.expire_all()
    for account_id in account_ids:
        invoices = db.session.query(Invoice).filter_by(account_id=account_id).order_by(Invoice.start_date).all()
        assert [(i.start_date.day, i.end_date.day) for i in invoices] == [(1, 2), (2, 3), (3, 4), (4, 5)]
    runs = [db.session.get(BillingRun, run_id) for run_id in run_ids]
    assert sum(r.invoices_created for r in runs) == 16
    assert all(r.status == "done" and r.failures == [] for r in runs)


def test_sqlite_lock_timeout_becomes_a_clean_conflict(app, is_postgresql, database_url):
    if is_postgresql:
        pytest.skip("PostgreSQL waits on the advisory lock; SQLite gives up after its busy timeout")
    account = AccountFactory()
    db.session.commit()
    other = create_engine(database_url)
    try:
        with other.connect() as holder:
            holder.exec_driver_sql("BEGIN IMMEDIATE")  # another writer holds the database write lock
            connection = db.session.connection()
            connection.exec_driver_sql("PRAGMA busy_timeout = 50")
            try:
                with pytest.raises(Conflict) as exc_info:
                    create_invoice(account_id=account.id, start_date="2026-05-01", end_date="2026-06-01", now=NOW)
            finally:
                # Restore on this very connection before it goes back to the pool, or later
                # tests that draw it would give up on locks after 50 ms.
                connection.exec_driver_sql("PRAGMA busy_timeout = 15000")
            assert "try again" in exc_info.value.message
            db.session.rollback()
            holder.exec_driver_sql("ROLLBACK")
    finally:
        other.dispose()
    create_invoice(account_id=account.id, start_date="2026-05-01", end_date="2026-06-01", now=NOW)
    db.session.commit()
    assert db.session.query(Invoice).filter_by(account_id=account.id).count() == 1
