"""Backend API v1 `POST /customers/{id}/invoices`: account choice, period from the cut-off, options, errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from portal.extensions import db
from portal.models import Invoice, Transaction
from tests.api.backend_v1.conftest import BASE, assert_error
from tests.api.key_clients import raised_invoice
from tests.factories import UTC, AccountFactory, CdrFactory, TransactionFactory


def first_of_this_month() -> dt.date:
    return dt.datetime.now(UTC).date().replace(day=1)


def call(account, when: dt.datetime, price="0.200000"):
    return CdrFactory(customer_acc_id=account.id, time_start=when, customer_price=Decimal(price))


def test_default_cutoff_is_the_start_of_this_month_and_period_starts_at_the_first_call(api, account):
    cutoff = first_of_this_month()
    first_call = dt.datetime.combine(cutoff - dt.timedelta(days=40), dt.time(15, 30), tzinfo=UTC)
    call(account, first_call)
    call(account, first_call + dt.timedelta(days=2))
    call(account, dt.datetime.combine(cutoff, dt.time(0, 5), tzinfo=UTC))  # after the cut-off
    db.session.commit()
    response = api.post(f"/customers/{account.customer_id}/invoices", json={})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"].endswith(f"{BASE}/invoices/{body['id']}")
    assert body["cutoffDate"] == cutoff.isoformat()
    assert body["startDate"] == first_call.date().isoformat() and body["endDate"] == cutoff.isoformat()
    assert body["status"] == ["unsent"]
    assert body["invoiceChargesCalls"] == "0.40" and body["invoiceCallCount"] == 2  # filled at once
    assert db.session.get(Invoice, int(body["id"])).state == "Pending"


def test_period_starts_where_the_last_invoice_ended(api, account):
    raised_invoice(account, dt.datetime(2026, 5, 1, tzinfo=UTC), dt.datetime(2026, 6, 1, tzinfo=UTC))
    call(account, dt.datetime(2026, 6, 10, tzinfo=UTC))
    db.session.commit()
    body = api.post(f"/customers/{account.customer_id}/invoices", json={"cutoffDate": "2026-08-01"}).get_json()
    assert (body["startDate"], body["endDate"], body["cutoffDate"]) == ("2026-06-01", "2026-08-01", "2026-08-01")
    assert body["invoiceChargesCalls"] == "0.20"


def test_cutoff_is_midnight_in_the_account_time_zone(api, customer):
    account = AccountFactory(customer=customer, timezone="Europe/Berlin")
    call(account, dt.datetime(2026, 3, 5, 12, tzinfo=UTC))
    call(account, dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC))  # 1 April 00:30 in Berlin: excluded
    db.session.commit()
    body = api.post(f"/customers/{customer.id}/invoices", json={"cutoffDate": "2026-04-01"}).get_json()
    invoice = db.session.get(Invoice, int(body["id"]))
    assert invoice.end_date == dt.datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    assert invoice.start_date == dt.datetime(2026, 3, 4, 23, 0, tzinfo=UTC)
    assert body["invoiceCallCount"] == 1


def test_explicit_period_and_options_are_used(api, account):
    outside = TransactionFactory(
        account=account, amount=Decimal("5.00"), category="manual", created_at=dt.datetime(2026, 1, 5, tzinfo=UTC)
    )
    TransactionFactory(
        account=account, amount=Decimal("7.00"), category="recurring", created_at=dt.datetime(2026, 2, 20, tzinfo=UTC)
    )  # after the transaction cut-off
    db.session.commit()
    response = api.post(
        f"/customers/{account.customer_id}/invoices",
        json={
            "account": account.id,
            "startDate": "2026-02-01",
            "endDate": "2026-03-01",
            "transactionCutoffDate": "2026-02-15",
            "_includeTransactionIDs": [outside.id],
            "customerReference": "Q1",
            "purchaseOrderNumber": "PO-1",
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["startDate"], body["endDate"]) == ("2026-02-01", "2026-03-01")
    assert body["transactionCutoffDate"] == "2026-02-15"
    assert body["invoiceChargesManual"] == "5.00" and body["invoiceChargesRecurring"] == "0.00"
    assert body["customerReference"] == "Q1" and body["purchaseOrderNumber"] == "PO-1"
    assert db.session.get(Transaction, outside.id).invoice_id == int(body["id"])


def test_customer_with_several_accounts_must_name_one(api, customer, account):
    second = AccountFactory(customer=customer)
    call(second, dt.datetime(2026, 4, 2, tzinfo=UTC))
    db.session.commit()
    path = f"/customers/{customer.id}/invoices"
    assert_error(api.post(path, json={"cutoffDate": "2026-05-01"}), 400, 400503)
    body = api.post(path, json={"account": str(second.id), "cutoffDate": "2026-05-01"}).get_json()
    assert body["accountID"] == str(second.id)


def test_account_of_another_customer_is_refused(api, account, other_account):
    call(other_account, dt.datetime(2026, 4, 2, tzinfo=UTC))
    db.session.commit()
    body = assert_error(
        api.post(
            f"/customers/{account.customer_id}/invoices", json={"account": other_account.id, "cutoffDate": "2026-05-01"}
        ),
        400,
        400003,
    )
    assert "account" in body["hint"]
    assert db.session.query(Invoice).count() == 0


def test_missing_parameters_are_400503(api, account):
    db.session.commit()
    path = f"/customers/{account.customer_id}/invoices"
    assert_error(api.post(path, json={"startDate": "2026-02-01"}), 400, 400503)
    assert_error(api.post(path, json={"endDate": "2026-02-01"}), 400, 400503)
    # Nothing to start from: no invoice, call or transaction before the cut-off.
    body = assert_error(api.post(path, json={"cutoffDate": "2026-05-01"}), 400, 400503)
    assert "startDate" in body["hint"]


def test_engine_refusals_are_400003(api, account, customer):
    raised_invoice(account, dt.datetime(2026, 5, 1, tzinfo=UTC), dt.datetime(2026, 6, 1, tzinfo=UTC))
    auto = AccountFactory(customer=customer, invoice_period="Monthly")
    db.session.commit()
    path = f"/customers/{account.customer_id}/invoices"
    overlap = assert_error(
        api.post(path, json={"account": account.id, "startDate": "2026-05-15", "endDate": "2026-06-15"}), 400, 400003
    )
    assert "have invoice inside provided period" in overlap["hint"]
    already = assert_error(api.post(path, json={"account": account.id, "cutoffDate": "2026-06-01"}), 400, 400003)
    assert "already invoiced" in already["hint"]
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    assert (
        "future"
        in assert_error(
            api.post(path, json={"account": account.id, "startDate": "2026-07-01", "endDate": future}), 400, 400003
        )["hint"]
    )
    order = assert_error(
        api.post(path, json={"account": account.id, "startDate": "2026-08-01", "endDate": "2026-07-01"}), 400, 400003
    )
    assert "must be greater than start date" in order["hint"]
    manual = assert_error(
        api.post(path, json={"account": auto.id, "startDate": "2026-01-01", "endDate": "2026-02-01"}), 400, 400003
    )
    assert "auto generation" in manual["hint"]


def test_bad_bodies_are_refused_with_codes(api, account):
    call(account, dt.datetime(2026, 4, 2, tzinfo=UTC))
    db.session.commit()
    path = f"/customers/{account.customer_id}/invoices"
    assert_error(api.post(path, data="{not json", content_type="application/json"), 400, 400002)
    assert_error(api.post(path, json=[1, 2]), 400, 400002)
    assert_error(api.post(path, json="text"), 400, 400002)
    for bad in (
        {"account": "abc"},
        {"account": True},
        {"account": [1]},
        {"cutoffDate": "01/05/2026"},
        {"cutoffDate": 20260501},
        {"transactionCutoffDate": "2026-02-30"},
        {"startDate": 5, "endDate": 6},
        {"startDate": "soon", "endDate": "2026-02-01"},
        {"_includeTransactionIDs": "1,2"},
        {"_includeTransactionIDs": [1, "x"]},
        {"_includeTransactionIDs": [999999]},
        {"total": "1.00"},
        {"customerReference": 5},
        {"customerReference": "x" * 101},
        {"billStyle": None},
    ):
        assert_error(api.post(path, json={"cutoffDate": "2026-05-01", **bad}), 400, 400003)
    assert db.session.query(Invoice).count() == 0


def test_unknown_customer_is_404_and_low_level_is_403002(api, key_client, account):
    call(account, dt.datetime(2026, 4, 2, tzinfo=UTC))
    db.session.commit()
    assert_error(api.post("/customers/987654/invoices", json={}), 404, 404001)
    assert_error(
        key_client(level=1).post(f"/customers/{account.customer_id}/invoices", json={"cutoffDate": "2026-05-01"}),
        403,
        403002,
    )


def test_an_account_id_in_other_digits_is_refused_not_read_as_another_account(api, customer):
    # int("٣") is 3: read that way, these digits would name account 3.
    account = AccountFactory(id=3, customer=customer)
    call(account, dt.datetime(2026, 4, 2, tzinfo=UTC))
    db.session.commit()
    path = f"/customers/{customer.id}/invoices"
    for text in ("٣", "²", "+3", "0_3"):
        assert_error(api.post(path, json={"account": text, "cutoffDate": "2026-05-01"}), 400, 400003)
    assert db.session.query(Invoice).count() == 0
