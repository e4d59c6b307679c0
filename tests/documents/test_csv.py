"""CDR CSV export: the invoice's own calls only, in time order, local times, lazily streamed."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
from decimal import Decimal

from portal.delivery.invoice_files import cdrs_file
from portal.documents.csv import BATCH, CDR_COLUMNS, invoice_has_cdrs, iter_invoice_cdrs_csv
from portal.extensions import db
from tests.documents.conftest import END, START, make_invoice
from tests.factories import AccountFactory, CdrFactory


def rows(invoice):
    return list(csv.reader(io.StringIO("".join(iter_invoice_cdrs_csv(invoice)))))


def test_rows_are_the_invoices_calls_in_time_order_with_local_times(app):
    account = AccountFactory(timezone="Europe/Berlin")
    other = AccountFactory()
    invoice = make_invoice(destinations=0, account=account)
    CdrFactory(customer_acc_id=account.id, time_start=START + dt.timedelta(days=2), dst_number="492", dst_prefix="49")
    CdrFactory(customer_acc_id=account.id, time_start=START, dst_number="491", customer_price=Decimal("0.5"))
    CdrFactory(customer_acc_id=account.id, time_start=END, dst_number="outside-end")
    CdrFactory(customer_acc_id=account.id, time_start=START - dt.timedelta(seconds=1), dst_number="before")
    CdrFactory(customer_acc_id=account.id, time_start=START, dst_number="rerouted", is_last_cdr=False)
    CdrFactory(customer_acc_id=other.id, time_start=START, dst_number="other-account")
    CdrFactory(vendor_acc_id=account.id, time_start=START, dst_number="terminated")
    CdrFactory(vendor_acc_id=other.id, time_start=START, dst_number="terminated-other")
    db.session.commit()
    table = rows(invoice)
    assert tuple(table[0]) == CDR_COLUMNS
    assert [(r[2], r[11]) for r in table[1:]] == [
        ("491", "originated"),
        ("492", "originated"),
        ("terminated", "terminated"),
    ]
    assert table[1][0] == "2026-05-01T02:00:00+02:00"  # Berlin summer time
    assert table[1][9] in ("0.500000", "0.5") and table[1][10] == "true"
    assert {r[12] for r in table[1:]} == {invoice.currency} and invoice.currency == account.currency
    assert invoice_has_cdrs(invoice)


def test_header_names_direction_and_currency_after_the_first_columns(app):
    assert CDR_COLUMNS[:11] == (
        "time", "src", "dst", "prefix", "country", "network", "duration", "billed_duration", "rate", "price", "success"
    )  # fmt: skip
    assert CDR_COLUMNS[11:] == ("direction", "currency")


def test_terminated_calls_are_shown_as_the_vendor_side_bills_them(app):
    account = AccountFactory(currency="USD")
    invoice = make_invoice(destinations=0, account=account, render=False)
    CdrFactory(
        vendor_acc_id=account.id,
        time_start=START,
        dst_number="=cmd|' /C calc'!A0",
        dst_prefix="1",
        dialpeer_prefix="1212",
        dialpeer_rate=Decimal("0.004"),
        vendor_duration=66,
        customer_duration=60,
        vendor_price=Decimal("0.0044"),
        customer_price=Decimal("9"),
        is_last_cdr=False,  # a terminated attempt counts whether or not it was the last
    )
    db.session.commit()
    [header, line] = rows(invoice)
    assert line[2] == "'=cmd|' /C calc'!A0"  # still neutralised
    assert (line[3], line[7]) == ("1212", "66")
    assert Decimal(line[8]) == Decimal("0.004") and Decimal(line[9]) == Decimal("0.0044")
    assert line[11:] == ["terminated", "USD"]
    assert invoice_has_cdrs(invoice)


def test_empty_period_has_only_the_header(app):
    invoice = make_invoice(destinations=0, render=False)
    assert rows(invoice) == [list(CDR_COLUMNS)]
    assert not invoice_has_cdrs(invoice)


def test_generator_is_lazy_and_streams_in_order(app):
    account = AccountFactory()
    invoice = make_invoice(destinations=0, account=account, render=False)
    for n in range(2500):  # more than one fetch batch
        CdrFactory(customer_acc_id=account.id, time_start=START + dt.timedelta(minutes=n), dst_number=str(n))
    db.session.commit()
    stream = iter_invoice_cdrs_csv(invoice)
    assert inspect.getgeneratorstate(stream) == inspect.GEN_CREATED  # no call has been read yet
    assert next(stream) == ",".join(CDR_COLUMNS) + "\r\n"
    first = next(stream)
    assert inspect.getgeneratorstate(stream) == inspect.GEN_SUSPENDED
    # One chunk per fetch batch, each made of whole lines.
    assert first.endswith("\r\n") and first.count("\r\n") == BATCH
    lines = first.splitlines() + [line for chunk in stream for line in chunk.splitlines()]
    assert [line.split(",")[2] for line in lines] == [str(n) for n in range(2500)]


def test_the_emailed_cdr_file_has_the_same_columns(app):
    account = AccountFactory(currency="EUR")
    invoice = make_invoice(destinations=0, account=account, render=False)
    CdrFactory(customer_acc_id=account.id, time_start=START, dst_number="491")
    CdrFactory(vendor_acc_id=account.id, time_start=START, dst_number="492")
    db.session.commit()
    _name, _type, data = cdrs_file(invoice)
    [header, *lines] = csv.reader(io.StringIO(data.decode("utf-8")))
    assert tuple(header) == CDR_COLUMNS
    assert [line[11:] for line in lines] == [["originated", "EUR"], ["terminated", "EUR"]]
