"""Backend API v1 invoice actions served by the billing engine: refill, discounts, unknown actions, parameters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.models import DownloadLink, EmailDelivery, Invoice
from tests.api.backend_v1.conftest import assert_error
from tests.api.key_clients import pending_invoice, raised_invoice
from tests.factories import UTC, CdrFactory, DiscountPlanFactory, InvoiceFactory


def test_unknown_or_missing_action_is_400501(api, account):
    invoice = pending_invoice(account)
    db.session.commit()
    body = assert_error(api.post(f"/invoices/{invoice.id}?action=explode"), 400, 400501)
    assert "generateDownloadLink" in body["hint"]
    assert_error(api.post(f"/invoices/{invoice.id}"), 400, 400501)
    assert_error(api.post(f"/invoices/{invoice.id}?action="), 400, 400501)


def test_action_on_unknown_invoice_is_404(api, app):
    assert_error(api.post("/invoices/31337?action=updateCallTransactions"), 404, 404001)


def test_action_body_must_be_a_json_object(api, account):
    invoice = pending_invoice(account)
    db.session.commit()
    assert_error(
        api.post(f"/invoices/{invoice.id}?action=updateCallTransactions", data="{", content_type="application/json"),
        400,
        400002,
    )


def test_update_call_transactions_refills_an_unsent_invoice(api, account):
    invoice = pending_invoice(account)
    CdrFactory(
        customer_acc_id=account.id, time_start=dt.datetime(2026, 5, 20, tzinfo=UTC), customer_price=Decimal("1.000000")
    )
    db.session.commit()
    response = api.post(f"/invoices/{invoice.id}?action=updateCallTransactions")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["id"] == str(invoice.id) and body["invoiceCallCount"] == 4 and body["invoiceChargesCalls"] == "1.30"


def test_update_call_transactions_fails_on_a_raised_invoice(api, account):
    invoice = raised_invoice(account)
    db.session.commit()
    body = assert_error(api.post(f"/invoices/{invoice.id}?action=updateCallTransactions"), 400, 400502)
    assert "not approved" in body["hint"]


def test_reapply_discount_plans_recomputes_a_pending_invoice(api, account):
    invoice = pending_invoice(account)
    DiscountPlanFactory(account=account, percent=Decimal("50"), prefixes="49")
    db.session.commit()
    response = api.post(f"/invoices/{invoice.id}?action=reapplyDiscountPlans")
    assert response.status_code == 200 and response.get_json()["id"] == str(invoice.id)
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).discount_amount == Decimal("0.15")


def test_reapply_discount_plans_fails_unless_pending(api, account):
    raised = raised_invoice(account)
    new = InvoiceFactory(
        account=account, start_date=dt.datetime(2026, 6, 1, tzinfo=UTC), end_date=dt.datetime(2026, 7, 1, tzinfo=UTC)
    )
    db.session.commit()
    assert_error(api.post(f"/invoices/{raised.id}?action=reapplyDiscountPlans"), 400, 400502)
    assert_error(api.post(f"/invoices/{new.id}?action=reapplyDiscountPlans"), 400, 400502)


def test_refill_needs_level_two(key_client, account):
    invoice = pending_invoice(account)
    db.session.commit()
    assert_error(key_client(level=1).post(f"/invoices/{invoice.id}?action=updateCallTransactions"), 403, 403002)


@pytest.mark.parametrize(
    "params",
    [
        {"expiryHours": 5},
        {"expiryHours": 0},
        {"expiryHours": 721},
        {"expiryHours": "72x"},
        {"expiryHours": True},
        {"expiryHours": 72.5},
        {"expiryHours": [72]},
        {"maxUses": 3},
        {"maxUses": 0},
        {"maxUses": -1},
        {"maxUses": "many"},
        {"expiryHours": 24, "maxUses": 100},
        {"maxUses": "2"},
        {"maxUses": " 1"},
        {"expiryHours": "72"},
        {"maxUses": 2.0},
        {"maxUses": {"n": 2}},
    ],
)
def test_download_link_parameters_outside_the_list_are_400504_not_clamped(api, account, params):
    invoice = raised_invoice(account)
    db.session.commit()
    body = assert_error(api.post(f"/invoices/{invoice.id}?action=generateDownloadLink", json=params), 400, 400504)
    assert ("1, 6, 24, 72, 168, 336, 720" in body["hint"]) or ("1, 2" in body["hint"])


def test_download_link_parameters_in_the_query_string_are_read_as_numbers(api, account):
    invoice = raised_invoice(account)
    db.session.commit()
    response = api.post(f"/invoices/{invoice.id}?action=generateDownloadLink&maxUses=2&expiryHours=6")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["max_uses"] == 2
    assert_error(api.post(f"/invoices/{invoice.id}?action=generateDownloadLink&maxUses=3"), 400, 400504)


@pytest.mark.parametrize(
    "action, body",
    [
        ("email", {"emails": ["accounts@example.com"]}),
        ("emailCdrs", {"to": "accounts@example.com"}),
        ("generateDownloadLink", {"maxUse": 2}),
        ("linkToXero", {"xeroId": "550e8400-e29b-41d4-a716-446655440000"}),
        ("recreate", {"force": True}),
        ("updateCallTransactions", {"x": 1}),
    ],
)
def test_action_parameters_the_action_does_not_document_are_400504(api, account, action, body):
    invoice = raised_invoice(account)
    db.session.commit()
    hint = assert_error(api.post(f"/invoices/{invoice.id}?action={action}", json=body), 400, 400504)["hint"]
    assert hint.startswith(f"{next(iter(body))} - is not a parameter of the {action} action")
    db.session.expire_all()
    stored = db.session.get(Invoice, invoice.id)
    assert stored.emailed_at is None and stored.xero_id is None
    assert db.session.query(DownloadLink).count() == 0 and db.session.query(EmailDelivery).count() == 0
