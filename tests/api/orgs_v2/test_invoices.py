"""Orgs API v2 `GET /v2/orgs/{orgId}/accounts/{accountId}/invoices`: the InvoiceInfoList, window, errors, keys,
and the PDF its `path` names, fetched with the same key; listing writes and renders nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from portal.billing.payments import record_payment
from portal.extensions import db
from portal.models import AuditEvent, DownloadLink, InvoiceDocument
from tests.api.jsonapi.conftest import add_pdf, pdf_bytes  # noqa: F401 - pdf_bytes is a fixture
from tests.api.key_clients import bearer, make_key, pending_invoice, raised_invoice
from tests.factories import UTC, AccountFactory, CustomerFactory, OrganizationFactory


def month(y, m):
    return dt.datetime(y, m, 1, tzinfo=UTC)


@pytest.fixture
def setup(app, pdf_bytes):
    """Account (Madrid time, post delivery) with three raised invoices (two with a stored PDF) and one unsent,
    and another customer."""
    customer = CustomerFactory()
    account = AccountFactory(customer=customer, timezone="Europe/Madrid", delivery_mode="post", vat_rate=Decimal("21"))
    old = raised_invoice(account, month(2024, 1), month(2024, 2), today=dt.date(2024, 2, 3), vat_rate=Decimal("21"))
    paid = raised_invoice(account, month(2026, 1), month(2026, 2), today=dt.date(2026, 2, 3), vat_rate=Decimal("21"))
    record_payment(paid, amount=paid.total_amount, paid_on=dt.date(2026, 2, 10))
    due = raised_invoice(account, month(2026, 2), month(2026, 3), today=dt.date(2026, 3, 3), vat_rate=Decimal("21"))
    pending_invoice(account, month(2026, 3), month(2026, 4))
    for invoice in (paid, due):
        add_pdf(invoice, pdf_bytes)
    other_account = AccountFactory(customer=CustomerFactory())
    other = raised_invoice(other_account, month(2026, 1), month(2026, 2), today=dt.date(2026, 2, 3))
    add_pdf(other, pdf_bytes)
    db.session.commit()
    return {
        "account": account,
        "old": old,
        "paid": paid,
        "due": due,
        "other_account": other_account,
        "other": other,
        "customer": customer,
    }


def pdf_path(invoice, org="telco"):
    return f"/v2/orgs/{org}/accounts/{invoice.account_id}/invoices/{invoice.uuid}.pdf"


def url(account_id, org="telco", query=""):
    return f"/v2/orgs/{org}/accounts/{account_id}/invoices" + (f"?{query}" if query else "")


def test_window_lists_raised_invoices_with_every_documented_field(client, setup):
    key = make_key(level=3, scopes="read")
    response = client.get(
        url(setup["account"].id, query="start_date=2026-01-01&end_date=2026-12-31"), headers=bearer(key)
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["account_id"] == setup["account"].id
    assert body["period_date"] == {"start_date": "2026-01-01", "end_date": "2026-12-31"}
    due, paid = body["invoices"]  # newest first; the unsent one and the 2024 one are left out
    assert set(due) == {"value", "delivery_mode", "date", "pay_date", "number", "path", "status", "cycle"}
    assert due["number"] == setup["due"].invoice_number and paid["number"] == setup["paid"].invoice_number
    assert due["value"] == 0.36 and isinstance(due["value"], float)  # 0.30 + 21 % VAT, as a JSON number
    assert due["delivery_mode"] == "post"
    # 2026-03-03 starts at 23:00 UTC the day before in Madrid (the seed's 22:00Z in summer).
    assert due["date"] == "2026-03-02T23:00:00Z" and due["pay_date"] == "2026-04-01T22:00:00Z"
    assert due["status"] == {"id": 3, "value": "OVERDUE"} and paid["status"] == {"id": 2, "value": "PAID"}
    assert due["cycle"] == {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"}
    assert due["path"] == pdf_path(setup["due"]) and paid["path"] == pdf_path(setup["paid"])


def _table_counts() -> dict:
    return {model.__name__: db.session.query(model).count() for model in (DownloadLink, AuditEvent, InvoiceDocument)}


def test_listing_again_and_again_writes_nothing_renders_nothing_and_answers_the_same(client, setup, monkeypatch):
    def no_rendering(*args, **kwargs):
        raise AssertionError("the list rendered a PDF")

    monkeypatch.setattr("portal.documents.service.render_invoice_pdf", no_rendering)
    key = make_key(level=5, scopes="read,write")
    before = _table_counts()
    bodies = [
        client.get(url(setup["account"].id, query="start_date=2024-01-01"), headers=bearer(key)).get_json()
        for _ in range(5)
    ]
    db.session.expire_all()
    assert _table_counts() == before
    assert all(body == bodies[0] for body in bodies)
    assert [i["path"] for i in bodies[0]["invoices"]] == [pdf_path(setup["due"]), pdf_path(setup["paid"]), None]


@pytest.mark.parametrize("header", ["authorization", "x-api-key"])
def test_path_is_fetched_with_the_callers_own_key_any_number_of_times(client, setup, pdf_bytes, header):
    key = make_key(level=1, scopes="read")
    headers = bearer(key) if header == "authorization" else {"x-api-key": key}
    body = client.get(
        url(setup["account"].id, query="start_date=2026-03-01&end_date=2026-03-31"), headers=headers
    ).get_json()
    path = body["invoices"][0]["path"]
    for _ in range(2):
        download = client.get(path, headers=headers)
        assert download.status_code == 200 and download.mimetype == "application/pdf"
        assert download.data == pdf_bytes
        assert download.headers["Content-Disposition"] == f'attachment; filename="{setup["due"].invoice_number}.pdf"'
    assert db.session.query(DownloadLink).count() == 0
    error(client.get(path), 401)
    error(client.get(path, headers=bearer(make_key(scopes="write"))), 403)


def test_pdf_path_of_an_invoice_outside_the_keys_reach_or_without_a_pdf_is_404(client, setup):
    key = make_key(customer=setup["customer"], scopes="read", level=1)
    error(client.get(pdf_path(setup["other"]), headers=bearer(key)), 404)  # another customer's
    error(client.get(pdf_path(setup["old"]), headers=bearer(key)), 404)  # no PDF stored yet
    wrong_account = f"/v2/orgs/telco/accounts/{setup['other_account'].id}/invoices/{setup['due'].uuid}.pdf"
    error(client.get(wrong_account, headers=bearer(make_key())), 404)
    error(client.get(pdf_path(setup["due"], org="nobody"), headers=bearer(make_key())), 404)
    error(
        client.get(
            f"/v2/orgs/telco/accounts/{setup['account'].id}/invoices/not-a-uuid.pdf", headers=bearer(make_key())
        ),
        404,
    )


def test_default_window_is_the_last_twelve_months_and_is_echoed(client, setup):
    key = make_key(level=3)
    body = client.get(url(setup["account"].id), headers=bearer(key)).get_json()
    today = dt.datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Europe/Madrid")).date()
    assert body["period_date"] == {
        "start_date": (today - relativedelta(months=12)).isoformat(),
        "end_date": today.isoformat(),
    }
    only_start = client.get(url(setup["account"].id, query="start_date=2024-01-01"), headers=bearer(key)).get_json()
    assert only_start["period_date"] == {"start_date": "2024-01-01", "end_date": today.isoformat()}
    assert len(only_start["invoices"]) == 3
    only_end = client.get(url(setup["account"].id, query="end_date=2024-06-30"), headers=bearer(key)).get_json()
    assert only_end["period_date"] == {"start_date": "2023-06-30", "end_date": "2024-06-30"}
    assert [i["number"] for i in only_end["invoices"]] == [setup["old"].invoice_number]


def test_status_ids_cover_unpaid_and_partially_paid(client, setup):
    invoice = raised_invoice(setup["account"], month(2026, 4), month(2026, 5), today=dt.datetime.now(UTC).date())
    db.session.commit()
    key = make_key(level=3)
    query = f"start_date={invoice.invoice_date - dt.timedelta(days=1)}"
    first = client.get(url(setup["account"].id, query=query), headers=bearer(key)).get_json()["invoices"][0]
    assert first["status"] == {"id": 1, "value": "UNPAID"}
    record_payment(invoice, amount=Decimal("0.10"), paid_on=invoice.invoice_date)
    db.session.commit()
    first = client.get(url(setup["account"].id, query=query), headers=bearer(key)).get_json()["invoices"][0]
    assert first["status"] == {"id": 4, "value": "PARTIALLY_PAID"}


def test_x_api_key_header_is_accepted_and_quoted_dates_too(client, setup):
    key = make_key(level=3)
    response = client.get(
        url(setup["account"].id, query="start_date='2026-01-01'&end_date='2026-12-31'"),
        headers={"x-api-key": key, "Accept": "application/json"},
    )
    assert response.status_code == 200 and len(response.get_json()["invoices"]) == 2


def test_path_is_null_while_no_pdf_is_stored_whatever_the_keys_level(client, setup):
    for level in (1, 5):
        body = client.get(
            url(setup["account"].id, query="start_date=2024-01-01&end_date=2024-12-31"),
            headers=bearer(make_key(level=level)),
        ).get_json()
        assert [i["path"] for i in body["invoices"]] == [None]


def error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"code", "message"} and body["code"] == status and body["message"]
    return body


@pytest.mark.parametrize(
    "query",
    [
        "start_date=2026-13-01",
        "end_date=yesterday",
        "start_date=2026/01/01",
        "start_date=2026-02-30",
        "start_date=2026-06-01&end_date=2026-05-31",
        "start_date=2010-01-01&end_date=2026-01-01",
        "start_date=9999-12-31",
        "end_date=9999-12-31",
        "start_date=9999-12-31&end_date=9999-12-31",
        "end_date=0001-01-01",
        "start_date=0001-01-01&end_date=0001-12-31",
    ],
)
def test_bad_dates_and_inverted_or_huge_windows_are_400(client, setup, query):
    error(client.get(url(setup["account"].id, query=query), headers=bearer(make_key())), 400)


def test_unknown_org_or_account_is_404(client, setup):
    key = make_key()
    OrganizationFactory(slug="othertelco", name="Other")
    db.session.commit()
    error(client.get(url(setup["account"].id, org="nobody"), headers=bearer(key)), 404)
    error(client.get(url(setup["account"].id, org="othertelco"), headers=bearer(key)), 404)
    error(client.get(url(99999999), headers=bearer(key)), 404)
    error(client.get(url("abc"), headers=bearer(key)), 404)
    error(client.get(url(10**30), headers=bearer(key)), 404)


def test_customer_key_sees_only_its_own_accounts(client, setup):
    key = make_key(customer=setup["customer"], scopes="read", level=1)
    own = client.get(url(setup["account"].id, query="start_date=2026-01-01"), headers=bearer(key))
    assert own.status_code == 200 and len(own.get_json()["invoices"]) == 2
    assert [i["path"] for i in own.get_json()["invoices"]] == [pdf_path(setup["due"]), pdf_path(setup["paid"])]
    error(client.get(url(setup["other_account"].id, query="start_date=2026-01-01"), headers=bearer(key)), 404)


def test_other_methods_are_405(client, setup):
    key = make_key()
    for method in ("post", "put", "delete", "patch"):
        response = getattr(client, method)(url(setup["account"].id), headers=bearer(key))
        error(response, 405)
        assert "GET" in response.headers["Allow"]


def test_missing_bad_or_revoked_keys_are_401_and_scope_is_403(client, setup):
    error(client.get(url(setup["account"].id)), 401)
    error(client.get(url(setup["account"].id), headers={"x-api-key": "tlp_nope_nope"}), 401)
    error(client.get(url(setup["account"].id), headers={"Authorization": "Token abc"}), 401)
    error(client.get(url(setup["account"].id), headers=bearer(make_key(scopes="write"))), 403)
