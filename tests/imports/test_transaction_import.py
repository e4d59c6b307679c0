"""`flask transactions import`: charges and credits with services, bad rows by line, --skip-bad."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.imports.errors import ImportRejected
from portal.imports.transactions import import_transactions
from portal.models import Transaction
from tests.factories import AccountFactory, ServiceFactory

UTC = dt.timezone.utc
HEADER = "account_id,service,category,amount,created_at,description"


@pytest.fixture
def account(session):
    account = AccountFactory(currency="GBP")
    session.commit()
    return account


@pytest.fixture
def rental(session, account):
    service = ServiceFactory(name="Number range rental", account_id=account.id)
    session.commit()
    return service


@pytest.fixture
def foreign(session):
    """A service of another account."""
    service = ServiceFactory(name="Port", account_id=AccountFactory().id)
    session.commit()
    return service


def write(tmp_path, lines, header=HEADER):
    """A transactions CSV file: `header`, then `lines`."""
    path = tmp_path / "transactions.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def count():
    return db.session.scalar(select(func.count()).select_from(Transaction))


def test_a_good_file_imports_charges_and_credits_with_services(tmp_path, account, rental, runner):
    lines = [
        f"{account.id},Number range rental,recurring,120.00,2026-05-01T01:00:00+01:00,Rental May 2026",
        f'{account.id},{rental.id},Refund,-60,2026-05-14T09:00:00Z,"Credit note, outage"',
        f"{account.id},,one-off,750.5,2026-05-20T10:00:00Z,",
    ]
    result = runner.invoke(args=["transactions", "import", str(write(tmp_path, lines))])
    assert result.exit_code == 0, result.output
    assert "Imported 3 transactions." in result.output
    rows = db.session.scalars(select(Transaction).order_by(Transaction.created_at)).all()
    assert [(r.category, r.amount, r.service_id) for r in rows] == [
        ("recurring", Decimal("120.00"), rental.id),
        ("refund", Decimal("-60"), rental.id),
        ("one-off", Decimal("750.5"), None),
    ]
    assert rows[0].created_at == dt.datetime(2026, 5, 1, tzinfo=UTC)
    assert rows[1].description == "Credit note, outage" and rows[2].description is None


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(tmp_path, account, foreign, runner):
    lines = [
        f"{account.id},,recurring,10,2026-05-01T00:00:00Z,ok",
        f"{account.id},,subscription,10,2026-05-01T00:00:00Z,bad category",
        f"{account.id},,recurring,0,2026-05-01T00:00:00Z,zero",
        f"{account.id},,recurring,ten,2026-05-01T00:00:00Z,words",
        "777777,,recurring,10,2026-05-01T00:00:00Z,unknown account",
        f"{account.id},{foreign.id},recurring,10,2026-05-01T00:00:00Z,another account's service",
        f"{account.id},Fax line,recurring,10,2026-05-01T00:00:00Z,unknown service",
        f"{account.id},,recurring,10,2026-05-01T00:00:00,naive",
        ",,recurring,10,2026-05-01T00:00:00Z,no account",
    ]
    result = runner.invoke(args=["transactions", "import", str(write(tmp_path, lines))])
    assert result.exit_code == 1
    out = result.output
    assert "line 3: category must be one of one-off, recurring" in out
    assert "line 4: amount must not be zero" in out
    assert "line 5: amount is not a decimal number: 'ten'" in out
    assert "line 6: account_id 777777 is not a known account" in out
    assert f"line 7: service {foreign.id} belongs to another account" in out
    assert f"line 8: service 'Fax line' is not a service of account {account.id}" in out
    assert "line 9: created_at has no UTC offset" in out
    assert "line 10: account_id can't be blank" in out
    assert "line 2:" not in out
    assert "8 bad rows: nothing was imported" in out
    assert count() == 0


def test_skip_bad_imports_the_good_rows(tmp_path, account):
    lines = [
        f"{account.id},,recurring,10,2026-05-01T00:00:00Z,ok",
        f"{account.id},,late fee,abc,2026-05-01T00:00:00Z,bad",
        f"{account.id},,late fee,5.25,2026-05-02T00:00:00Z,ok",
    ]
    result = import_transactions(write(tmp_path, lines), skip_bad=True)
    db.session.commit()
    assert result.imported == 2 and [b.line for b in result.bad_rows] == [3]
    assert count() == 2


def test_line_numbers_count_quoted_line_breaks(tmp_path, account):
    lines = [
        f'{account.id},,manual,10,2026-05-01T00:00:00Z,"first line\nsecond line"',
        f"{account.id},,manual,,2026-05-01T00:00:00Z,blank amount",
    ]
    with pytest.raises(ImportRejected) as caught:
        import_transactions(write(tmp_path, lines))
    assert [(b.line, b.reason) for b in caught.value.bad_rows] == [(4, "amount can't be blank")]


def test_missing_columns_are_a_clear_error(tmp_path, session, runner):
    path = write(tmp_path, ["1,10"], header="account_id,amount")
    result = runner.invoke(args=["transactions", "import", str(path)])
    assert result.exit_code == 1
    assert "missing columns: category, created_at" in result.output


def test_a_binary_file_is_not_a_csv(tmp_path, session, runner):
    path = tmp_path / "t.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00zipfile")
    result = runner.invoke(args=["transactions", "import", str(path)])
    assert result.exit_code == 1 and "not a CSV file" in result.output
