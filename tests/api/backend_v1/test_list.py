"""Backend API v1 invoice lists: raised by default, the flags, the filters, pagination and bad values."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.extensions import db
from portal.models import Invoice
from tests.api.backend_v1.conftest import assert_error
from tests.api.key_clients import pending_invoice, raised_invoice
from tests.factories import UTC
from tests.statements import loaded_objects, recorded_statements


def ordered_ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert isinstance(response.get_json(), list)
    return [int(i["id"]) for i in response.get_json()]


def ids(response):
    return sorted(ordered_ids(response))


def month(m):
    return dt.datetime(2026, m, 1, tzinfo=UTC)


@pytest.fixture
def book(account, other_account):
    """Raised invoices for Jan, Feb, Mar (Feb emailed), an unsent one for Apr, one of another customer."""
    jan = raised_invoice(account, month(1), month(2), today=dt.date(2026, 2, 3))
    feb = raised_invoice(account, month(2), month(3), today=dt.date(2026, 3, 3))
    feb.emailed_at = dt.datetime(2026, 3, 4, tzinfo=UTC)
    mar = raised_invoice(account, month(3), month(4), today=dt.date(2026, 4, 3))
    apr = pending_invoice(account, month(4), month(5))
    other = raised_invoice(other_account, month(1), month(2), today=dt.date(2026, 2, 5))
    db.session.commit()
    return {"jan": jan.id, "feb": feb.id, "mar": mar.id, "apr": apr.id, "other": other.id}


def test_lists_only_raised_invoices_by_default_newest_first(api, book):
    assert ordered_ids(api.get("/invoices")) == [book["other"], book["mar"], book["feb"], book["jan"]]
    assert ordered_ids(api.get("/invoices?sort=id")) == [book["jan"], book["feb"], book["mar"], book["other"]]
    assert ids(api.get("/invoices/")) == [book["jan"], book["feb"], book["mar"], book["other"]]


def test_a_page_costs_the_same_statements_however_many_rows_it_holds(api, account, other_account):
    """The page's rows are read in one statement with what the serializer reads of their customer
    and account: no statement per row (a page of 2 and a page of 12 send the same statements)."""
    for m in range(1, 12):
        for acc in (account, other_account):
            raised_invoice(acc, month(m), month(m + 1), today=dt.date(2026, m, 28))
    db.session.commit()
    api.get("/invoices?perPage=2")  # the key's last use is written once, on the first request
    sent = {}
    for size in (2, 12):
        with recorded_statements() as seen:
            body = api.get(f"/invoices?perPage={size}").get_json()
        assert len(body) == size and all(row["paymentMethod"] for row in body)
        # The exact count is left out: the second page may reuse the first one's (exact_count).
        sent[size] = [s.split()[0] for s in seen if "count(" not in s.lower()]
    # The key; the page (its ids and rows); the versions the count is kept under.
    assert sent[2] == sent[12] == ["SELECT", "SELECT", "SELECT"]


def test_the_list_body_is_compact_json_with_sorted_keys(api, book):
    response = api.get("/invoices?perPage=1")
    assert response.mimetype == "application/json"
    text = response.get_data(as_text=True)
    row = response.get_json()[0]
    assert list(row) == sorted(row) and text.startswith('[{"accountID":') and ": " not in text


def test_customer_list_holds_only_that_customer(api, book, account):
    assert ids(api.get(f"/customers/{account.customer_id}/invoices")) == [book["jan"], book["feb"], book["mar"]]


def test_unsent_lists_only_unsent_and_include_unsent_lists_all(api, book):
    assert ids(api.get("/invoices?unsent")) == [book["apr"]]
    assert ids(api.get("/invoices?unsent=true")) == [book["apr"]]
    assert ids(api.get("/invoices?includeUnsent=1")) == sorted(book.values())
    assert ids(api.get("/invoices?includeUnsent=0")) == [book["jan"], book["feb"], book["mar"], book["other"]]


def test_undelivered_leaves_out_delivered_invoices(api, book):
    assert ids(api.get("/invoices?undelivered=1")) == [book["jan"], book["mar"], book["other"]]
    # An unsent invoice has not been delivered either, but "undelivered" lists raised invoices only.
    assert ids(api.get("/invoices?undelivered&includeUnsent")) == [book["jan"], book["mar"], book["other"]]


def test_invoice_number_is_an_exact_match_returning_one_or_none(api, book):
    number = api.get(f"/invoices/{book['feb']}").get_json()["invoiceNumber"]
    assert ids(api.get("/invoices", query_string={"invoiceNumber": number})) == [book["feb"]]
    assert ids(api.get("/invoices", query_string={"invoiceNumber": number[:-1]})) == []
    assert ids(api.get("/invoices", query_string={"invoiceNumber": number + "0"})) == []


def test_invoice_date_window_is_inclusive(api, book):
    assert ids(api.get("/invoices?minDate=2026-03-03")) == [book["feb"], book["mar"]]
    assert ids(api.get("/invoices?maxDate=2026-03-03")) == [book["jan"], book["feb"], book["other"]]
    assert ids(api.get("/invoices?minDate=2026-02-04&maxDate=2026-03-03")) == [book["feb"], book["other"]]


def test_due_date_window_is_inclusive(api, book):
    # Due 30 days after the invoice date: Jan -> 03-05, other -> 03-07, Feb -> 04-02, Mar -> 05-03.
    assert ids(api.get("/invoices?minDueDate=2026-04-02")) == [book["feb"], book["mar"]]
    assert ids(api.get("/invoices?maxDueDate=2026-04-02&minDueDate=2026-03-08")) == [book["feb"]]


def test_created_since_uses_the_creation_time(api, book):
    from portal.models import Invoice

    for invoice_id, created in (
        (book["jan"], "2026-02-01T10:00:00+00:00"),
        (book["feb"], "2026-03-01T10:00:00+00:00"),
        (book["mar"], "2026-04-01T10:00:00+00:00"),
        (book["other"], "2026-01-01T10:00:00+00:00"),
    ):
        db.session.get(Invoice, invoice_id).created_at = dt.datetime.fromisoformat(created)
    db.session.commit()
    assert ids(api.get("/invoices?createdSince=2026-03-01")) == [book["feb"], book["mar"]]
    assert ids(api.get("/invoices", query_string={"createdSince": "2026-03-01T10:00:01Z"})) == [book["mar"]]
    assert ids(api.get("/invoices", query_string={"createdSince": "2026-03-01T11:00:00+01:00"})) == [
        book["feb"],
        book["mar"],
    ]


def test_pagination_keeps_the_array_and_reports_the_total(api, book):
    response = api.get("/invoices?perPage=2&sort=id")
    assert ordered_ids(response) == [book["jan"], book["feb"]]
    assert response.headers["X-Total-Count"] == "4"
    assert response.headers["X-Page"] == "1" and response.headers["X-Per-Page"] == "2"
    assert 'rel="next"' in response.headers["Link"] and "page=2" in response.headers["Link"]
    second = api.get("/invoices?perPage=2&page=2&sort=id")
    assert ordered_ids(second) == [book["mar"], book["other"]]
    assert 'rel="prev"' in second.headers["Link"] and 'rel="next"' not in second.headers["Link"]
    assert ids(api.get("/invoices?perPage=2&page=3")) == []


@pytest.mark.parametrize(
    "query",
    [
        "perPage=201",
        "perPage=0",
        "page=0",
        "page=-1",
        "perPage=abc",
        "page=99999999999999999999",
        "sort=colour",
        "minDate=2026-13-01",
        "maxDate=yesterday",
        "minDueDate=2026/01/01",
        "maxDueDate=2026-02-30",
        "createdSince=not-a-date",
        "unsent=maybe",
        "includeUnsent=2",
        "undelivered=yes please",
        "minDate=2026-03-01&maxDate=2026-02-01",
        "minDueDate=2026-03-01&maxDueDate=2026-02-01",
    ],
)
def test_bad_query_values_are_400001(api, account, query):
    assert_error(api.get("/invoices?" + query), 400, 400001)


def test_unknown_customer_is_404(api, book):
    assert_error(api.get("/customers/999999/invoices"), 404, 404001)


def test_a_page_is_read_as_rows_not_invoice_objects(api, account):
    """The list reads the columns it shows as rows (portal.reading.listed_invoice): building and
    tracking an ORM object per invoice was half its Python."""
    for m in range(1, 4):
        raised_invoice(account, month(m), month(m + 1), today=dt.date(2026, m, 28))
    db.session.commit()
    with loaded_objects(Invoice) as built:
        body = api.get("/invoices?perPage=2&sort=id").get_json()
    assert len(body) == 2 and built == []
    assert body[0]["status"][0] == "approved" and body[0]["total"] and body[0]["startDate"]
