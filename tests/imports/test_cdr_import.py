"""`flask cdrs import`: good files import exactly, bad rows are reported by line and nothing is imported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.billing.fill import fill_invoice
from portal.billing.invoices import create_invoice
from portal.extensions import db
from portal.imports import rows as import_rows
from portal.imports.cdrs import import_cdrs
from portal.imports.errors import ImportRejected
from portal.models import Cdr
from tests.factories import AccountFactory, CountryFactory, NetworkFactory

UTC = dt.timezone.utc
HEADER = (
    "time_start,duration,customer_duration,vendor_duration,success,customer_account_id,vendor_account_id,"
    "customer_price,vendor_price,dst_prefix,dialpeer_prefix,country,network,destination_rate,dialpeer_rate,"
    "destination_reverse_billing,dialpeer_reverse_billing,src_number,dst_number,is_last_cdr"
)


@pytest.fixture
def accounts(session):
    customer, vendor = AccountFactory(), AccountFactory()
    country = CountryFactory(iso2="DE", name="Germany")
    NetworkFactory(name="Telekom Deutschland Mobile", country=country)
    session.commit()
    return customer, vendor


def write(tmp_path, lines, name="cdrs.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cdr_count():
    return db.session.scalar(select(func.count()).select_from(Cdr))


def good_lines(c, v):
    return [
        HEADER,
        f"2026-05-01T00:00:00Z,65,66,65,true,{c.id},{v.id},0.107250,0.052000,49151,49151,DE,"
        "Telekom Deutschland Mobile,0.099000,0.048000,false,false,441234567890,4915112345678,true",
        f"2026-05-01 01:30:00+02:00,0,,,FALSE,{c.id},{v.id},0,0,4930,4930,de,,0.004500,0.002000,0,0,,,0",
        f"2026-05-31T23:59:59.5Z,120,,,,{c.id},,0.2,,4930,,,,,,,,,,",
    ]


def test_windows_line_ends_and_a_byte_order_mark_are_fine(tmp_path, accounts):
    c, v = accounts
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(good_lines(c, v)) + "\r\n").encode("utf-8"))
    assert import_cdrs(path).imported == 3


def test_a_good_file_imports_every_row_with_its_values(tmp_path, accounts):
    c, v = accounts
    result = import_cdrs(write(tmp_path, good_lines(c, v)))
    db.session.commit()
    assert result.imported == 3 and result.bad_rows == []
    rows = db.session.scalars(select(Cdr).order_by(Cdr.time_start)).all()
    second, first, third = rows  # sorted by time: the +02:00 row is the earliest
    # 01:30 at +02:00 is 23:30 UTC the day before.
    assert second.time_start == dt.datetime(2026, 4, 30, 23, 30, tzinfo=UTC)
    assert second.success is False and second.is_last_cdr is False and second.network_id is None
    assert second.country_id == first.country_id is not None
    assert first.time_start == dt.datetime(2026, 5, 1, tzinfo=UTC)
    assert (first.customer_duration, first.vendor_duration, first.success) == (66, 65, True)
    assert first.customer_price == Decimal("0.107250") and first.network_id is not None
    # Empty optional cells take the documented defaults.
    assert (third.customer_duration, third.vendor_duration, third.success, third.is_last_cdr) == (120, 120, True, True)
    assert third.vendor_acc_id is None and third.vendor_price == 0
    assert third.time_start == dt.datetime(2026, 5, 31, 23, 59, 59, 500000, tzinfo=UTC)


def test_imported_cdrs_are_invoiced_with_half_open_periods(tmp_path, accounts):
    c, v = accounts
    import_cdrs(write(tmp_path, good_lines(c, v)))
    db.session.commit()
    invoice = create_invoice(account_id=c.id, start_date="2026-05-01", end_date="2026-06-01")
    fill_invoice(invoice)
    # The CDR at exactly 00:00 on the 1st is in; the one at 23:30 on 30 April is out.
    assert invoice.originated_calls_count == 2
    assert invoice.originated_amount_spent == Decimal("0.307250")
    assert invoice.originated_first_call_at == dt.datetime(2026, 5, 1, tzinfo=UTC)


BAD_CASES = [
    ("2026-05-01T10:00:00,60,,,,{c},{v},0.1,0.05", "time_start has no UTC offset"),
    ("yesterday,60,,,,{c},{v},0.1,0.05", "time_start is not an ISO 8601 timestamp"),
    ("0001-01-01T00:00:00+05:00,60,,,,{c},{v},0.1,0.05", "time_start is out of range"),
    ("2026-05-01T10:00:00Z,-5,,,,{c},{v},0.1,0.05", "duration must not be negative"),
    ("2026-05-01T10:00:00Z,1.5,,,,{c},{v},0.1,0.05", "duration is not a whole number"),
    ("2026-05-01T10:00:00Z,60,,,maybe,{c},{v},0.1,0.05", "success is not a boolean"),
    ("2026-05-01T10:00:00Z,60,,,,999999,{v},0.1,0.05", "customer_account_id 999999 is not a known account"),
    ("2026-05-01T10:00:00Z,60,,,,{c},abc,0.1,0.05", "vendor_account_id is not an id"),
    ('2026-05-01T10:00:00Z,60,,,,{c},{v},"0,1",0.05', "customer_price is not a decimal number"),
    ("2026-05-01T10:00:00Z,60,,,,{c},{v},0.1234567,0.05", "customer_price has more than 6 decimal places"),
    ("2026-05-01T10:00:00Z,60,,,,{c},{v},-0.1,0.05", "customer_price must not be negative"),
    ("2026-05-01T10:00:00Z,60,,,,{c},{v},1e3,0.05", "customer_price is not a decimal number"),
    ("2026-05-01T10:00:00Z,60,,,,,,0.1,0.05", "customer_account_id or vendor_account_id is required"),
    (",60,,,,{c},{v},0.1,0.05", "time_start can't be blank"),
    ("2026-05-01T10:00:00Z,60,,,,{c},{v},0.1", "has 8 fields, the header has 9"),
]
SHORT_HEADER = (
    "time_start,duration,customer_duration,vendor_duration,success,customer_account_id,"
    "vendor_account_id,customer_price,vendor_price"
)


@pytest.mark.parametrize("line, reason", BAD_CASES)
def test_each_kind_of_bad_row_is_reported_with_its_reason(tmp_path, accounts, line, reason):
    c, v = accounts
    lines = [SHORT_HEADER, f"2026-05-01T09:00:00Z,60,,,,{c.id},{v.id},0.1,0.05", line.format(c=c.id, v=v.id)]
    with pytest.raises(ImportRejected) as caught:
        import_cdrs(write(tmp_path, lines))
    assert [(b.line, reason in b.reason) for b in caught.value.bad_rows] == [(3, True)], caught.value.bad_rows
    db.session.commit()
    assert cdr_count() == 0


def test_cli_lists_every_bad_row_by_line_and_imports_nothing(tmp_path, accounts, runner):
    c, v = accounts
    lines = [SHORT_HEADER] + [f"2026-05-01T09:00:{n:02d}Z,60,,,,{c.id},{v.id},0.1,0.05" for n in range(5)]
    lines[2] = f"2026-05-01T09:00:00,60,,,,{c.id},{v.id},0.1,0.05"
    lines[5] = f"2026-05-01T09:00:00Z,60,,,,{c.id},424242,0.1,0.05"
    result = runner.invoke(args=["cdrs", "import", str(write(tmp_path, lines))])
    assert result.exit_code == 1
    assert "line 3: time_start has no UTC offset" in result.output
    assert "line 6: vendor_account_id 424242 is not a known account" in result.output
    assert "2 bad rows: nothing was imported" in result.output
    assert cdr_count() == 0


def test_skip_bad_imports_the_good_rows_and_lists_the_bad_ones(tmp_path, accounts, runner):
    c, v = accounts
    lines = [SHORT_HEADER] + [f"2026-05-01T09:00:{n:02d}Z,60,,,,{c.id},{v.id},0.1,0.05" for n in range(5)]
    lines[4] = f"2026-05-01T09:00:00Z,sixty,,,,{c.id},{v.id},0.1,0.05"
    result = runner.invoke(args=["cdrs", "import", str(write(tmp_path, lines)), "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert "skipped line 5: duration is not a whole number" in result.output
    assert "Imported 4 CDRs, skipped 1 bad rows." in result.output
    assert cdr_count() == 4


def test_a_bad_row_in_a_later_chunk_rolls_back_the_earlier_chunks(tmp_path, accounts, monkeypatch):
    c, v = accounts
    monkeypatch.setattr(import_rows, "CHUNK_ROWS", 3)
    lines = [SHORT_HEADER] + [f"2026-05-01T09:00:{n:02d}Z,60,,,,{c.id},{v.id},0.1,0.05" for n in range(10)]
    lines[9] = f"2026-05-01T09:00:00Z,60,,,,{c.id},{v.id},0.1,zero"
    with pytest.raises(ImportRejected) as caught:
        import_cdrs(write(tmp_path, lines))
    assert [b.line for b in caught.value.bad_rows] == [10]
    db.session.commit()
    assert cdr_count() == 0
    result = import_cdrs(write(tmp_path, lines), skip_bad=True)
    db.session.commit()
    assert result.imported == 9 and cdr_count() == 9


def test_missing_columns_are_named(tmp_path, accounts, runner):
    path = write(tmp_path, ["time_start,duration,customer_account_id", "2026-05-01T09:00:00Z,60,1"])
    result = runner.invoke(args=["cdrs", "import", str(path)])
    assert result.exit_code == 1
    assert "missing columns: vendor_account_id" in result.output


def test_unknown_and_repeated_columns_are_named(tmp_path, accounts):
    path = write(tmp_path, [SHORT_HEADER + ",duration,colour", "x"])
    with pytest.raises(ImportRejected, match="unknown columns: colour; repeated columns: duration"):
        import_cdrs(path)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"%PDF-1.7\n\x00\x01\x02binary", "not a CSV file"),
        (b"", "The file is empty"),
        (b"hello world\nthis is a letter\n", "not an import CSV file"),
        (
            b"time_start;duration;customer_account_id;vendor_account_id\n2026-05-01T09:00:00Z;60;1;2\n",
            "separated by commas (this file uses semicolons)",
        ),
        (b"time_start,duration,customer_account_id,vendor_account_id\n\xff\xfe\xfa,1,2,3\n", "not a UTF-8 CSV file"),
    ],
)
def test_files_that_are_not_cdr_csv_files_are_refused(tmp_path, accounts, runner, content, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    result = runner.invoke(args=["cdrs", "import", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert cdr_count() == 0


def test_header_only_file_is_refused(tmp_path, accounts):
    with pytest.raises(ImportRejected, match="no CDRs"):
        import_cdrs(write(tmp_path, [SHORT_HEADER]))


def test_unknown_country_and_network_are_bad_rows(tmp_path, accounts):
    c, v = accounts
    lines = [
        "time_start,duration,customer_account_id,vendor_account_id,country,network",
        f"2026-05-01T09:00:00Z,60,{c.id},{v.id},XX,",
        f"2026-05-01T09:00:00Z,60,{c.id},{v.id},DE,Nowhere Mobile",
        f"2026-05-01T09:00:00Z,60,{c.id},{v.id},DE,99999",
    ]
    with pytest.raises(ImportRejected) as caught:
        import_cdrs(write(tmp_path, lines))
    reasons = {b.line: b.reason for b in caught.value.bad_rows}
    assert "country 'XX' is not a known ISO 3166 code" in reasons[2]
    assert "network 'Nowhere Mobile' is not a known network" in reasons[3]
    assert "network 99999 is not a known network id" in reasons[4]
