"""Streamed CSV exports through a real server: every row arrives and the chunked response ends cleanly.

The body of a streamed response is sent after the request's own database session is gone, so
these tests go through `live_server` and read every response to its end: `requests` raises
ChunkedEncodingError when a chunked body is cut instead of ended.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import requests

from portal.customer import exports
from portal.extensions import db
from tests.bulk import approved_invoices, calls
from tests.factories import PASSWORD, AccountFactory, CustomerFactory, CustomerUserFactory
from tests.live import signed_in_session

UTC = dt.timezone.utc


@pytest.fixture
def customer_account(app):
    """(customer user, account) of a customer with one UTC account; committed."""
    customer = CustomerFactory(name="Streaming Voice")
    account = AccountFactory(customer=customer, name="Streaming main", currency="EUR", timezone="UTC")
    user = CustomerUserFactory(customer=customer, email="streams@customer.example")
    db.session.commit()
    return user, account


def read_to_the_end(http, url: str):
    """The response and its whole body, read chunk by chunk (a cut chunked body raises here)."""
    response = http.get(url, stream=True, timeout=60)
    body = b"".join(response.iter_content(chunk_size=65536))
    return response, body


def checked_out() -> int:
    return db.engine.pool.checkedout()


def test_invoice_csv_of_2000_invoices_has_every_row_and_ends_cleanly(live_server, customer_account):
    user, account = customer_account
    approved_invoices(account, 2000)
    db.session.commit()
    http = signed_in_session(live_server.url, user.email, PASSWORD)
    before = checked_out()
    response, body = read_to_the_end(http, f"{live_server.url}/portal/invoices.csv?sort=number&direction=asc")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Transfer-Encoding"] == "chunked"
    text = body.decode("utf-8-sig")
    assert text.endswith(",1999.50,overdue\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2000
    assert [r["invoice_number"] for r in rows] == [f"INV-{n:06d}" for n in range(2000)]
    first, last = rows[0], rows[-1]
    assert (first["account"], first["period_start"], first["period_end"], first["total"], first["status"]) == (
        "Streaming main",
        "2020-01-01",
        "2020-01-01",
        "0.50",
        "overdue",
    )
    assert (last["period_start"], last["total"], last["outstanding"]) == ("2025-06-22", "1999.50", "1999.50")
    assert checked_out() == before  # the stream's own connection is back in the pool


def test_a_small_invoice_csv_ends_cleanly_every_time(live_server, customer_account):
    user, account = customer_account
    approved_invoices(account, 44)
    db.session.commit()
    http = signed_in_session(live_server.url, user.email, PASSWORD)
    for _ in range(10):
        response, body = read_to_the_end(http, f"{live_server.url}/portal/invoices.csv")
        assert response.status_code == 200
        assert body.count(b"\r\n") == 45 and body.endswith(b"\r\n")


def test_cdr_csv_of_100k_calls_has_every_row_and_ends_cleanly(live_server, customer_account):
    user, account = customer_account
    [invoice] = approved_invoices(account, 1)
    calls(account, invoice.start_date, 100_000, spacing=dt.timedelta(milliseconds=800))
    db.session.commit()
    http = signed_in_session(live_server.url, user.email, PASSWORD)
    before = checked_out()
    response, body = read_to_the_end(http, f"{live_server.url}/portal/invoices/{invoice.uuid}/cdrs.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="cdrs-INV-000000.csv"'
    assert body.endswith(b"\r\n")
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines.pop() == "" and len(lines) == 100_001
    assert lines[0] == (
        "time,src,dst,prefix,country,network,duration,billed_duration,rate,price,success,direction,currency"
    )
    first, last = next(csv.reader([lines[1]])), next(csv.reader([lines[-1]]))
    assert first[:3] == ["2020-01-01T00:00:00+00:00", "+49300000000", "+491500000000"]
    assert first[6:8] == ["0", "0"] and Decimal(first[9]) == 0 and first[10] == "false"
    assert last[:3] == ["2020-01-01T22:13:19.200000+00:00", "+49300099999", "+491500099999"]
    assert last[6] == str(99_999 % 600) and Decimal(last[9]) == Decimal("0.099999") and last[10] == "true"
    assert first[11:] == last[11:] == ["originated", invoice.currency]
    assert checked_out() == before


def test_a_failure_mid_stream_breaks_the_download_instead_of_ending_it(live_server, customer_account, monkeypatch):
    user, account = customer_account
    approved_invoices(account, 300)
    db.session.commit()
    original, seen = exports._line, []

    def fails_at_the_150th(invoice, today):
        seen.append(invoice.id)
        if len(seen) == 150:
            raise RuntimeError("the database went away")
        return original(invoice, today)

    monkeypatch.setattr(exports, "_line", fails_at_the_150th)
    http = signed_in_session(live_server.url, user.email, PASSWORD)
    before = checked_out()
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        read_to_the_end(http, f"{live_server.url}/portal/invoices.csv")
    assert checked_out() == before
