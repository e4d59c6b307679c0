"""Backend API v1 `PUT` and `DELETE /invoices/{id}`: editable fields, frozen fields, unapproved-only delete."""

from __future__ import annotations

import pytest

from portal.delivery.templates_service import create_bill_style, create_usage_report_profile
from portal.extensions import db
from portal.foundations.permissions import SYSTEM
from portal.models import Invoice
from tests.api.backend_v1.conftest import assert_error
from tests.api.key_clients import pending_invoice, raised_invoice

# One value for each field a PUT may change (the profile must exist: the test creates it).
EVERY_EDITABLE_FIELD = {
    "customerReference": "C-1",
    "purchaseOrderNumber": "PO-2",
    "billStyle": "Summary",
    "invoiceMessage": "Hello",
    "invoiceUsageReportCustomerProfile": "By network",
    "paymentMethod": "Card",
    "cutoffDate": "2026-06-01",
    "transactionCutoffDate": "2026-05-20",
    "onlineBillType": "Full",
    "emailBillType": "Full",
    "postBillType": "Summary",
    "faxBillType": "Summary",
}


def put_ok(api, invoice, fields: dict) -> dict:
    """PUT `fields` on the invoice, expect 200 and return the invoice the API answers with."""
    response = api.put(f"/invoices/{invoice.id}", json=fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_put_changes_editable_fields_and_returns_the_invoice(api, account):
    invoice = pending_invoice(account)
    create_usage_report_profile("By network", "network", actor=SYSTEM)
    db.session.commit()
    body = put_ok(api, invoice, EVERY_EDITABLE_FIELD)
    assert body["customerReference"] == "C-1" and body["billStyle"] == "Summary"
    assert body["invoiceUsageReportCustomerProfile"] == "By network" and body["paymentMethod"] == "Card"
    assert body["cutoffDate"] == "2026-06-01" and body["transactionCutoffDate"] == "2026-05-20"
    assert body["billTypes"] == ["online", "email", "post", "fax"]
    db.session.expire_all()
    stored = db.session.get(Invoice, invoice.id)
    assert stored.purchase_order_number == "PO-2" and stored.fax_bill_type == "Summary"
    cleared = api.put(f"/invoices/{invoice.id}", json={"customerReference": None, "faxBillType": ""}).get_json()
    assert cleared["customerReference"] is None and cleared["faxBillType"] is None


def test_approved_invoice_keeps_frozen_fields(api, account):
    invoice = raised_invoice(account)
    db.session.commit()
    body = assert_error(api.put(f"/invoices/{invoice.id}", json={"billStyle": "Summary"}), 400, 400004)
    assert "bill-style" in body["hint"]
    assert_error(
        api.put(f"/invoices/{invoice.id}", json={"cutoffDate": "2026-01-01", "customerReference": "Z"}), 400, 400004
    )
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).customer_reference is None
    ok = put_ok(api, invoice, {"customerReference": "Z", "invoiceMessage": "Paid by card"})
    assert ok["customerReference"] == "Z"


def test_put_refuses_read_only_unknown_and_badly_typed_fields(api, account):
    invoice = pending_invoice(account)
    db.session.commit()
    for bad in (
        {"total": "1.00"},
        {"id": "5"},
        {"colour": "red"},
        {"billStyle": None},
        {"billStyle": 3},
        {"cutoffDate": "tomorrow"},
        {"customerReference": "x" * 101},
        {"emailBillType": ["Full"]},
    ):
        assert_error(api.put(f"/invoices/{invoice.id}", json=bad), 400, 400003)
    assert_error(api.put(f"/invoices/{invoice.id}", data="[", content_type="application/json"), 400, 400002)
    assert_error(api.put(f"/invoices/{invoice.id}", json=["customerReference"]), 400, 400002)
    assert_error(api.put("/invoices/999999", json={}), 404, 404001)


def test_delete_removes_an_unapproved_invoice(api, account):
    invoice = pending_invoice(account)
    db.session.commit()
    response = api.delete(f"/invoices/{invoice.id}")
    assert response.status_code == 204 and response.data == b""
    assert db.session.get(Invoice, invoice.id) is None
    assert_error(api.delete(f"/invoices/{invoice.id}"), 404, 404001)


def test_delete_refuses_an_approved_invoice(api, account):
    invoice = raised_invoice(account)
    db.session.commit()
    body = assert_error(api.delete(f"/invoices/{invoice.id}"), 400, 400005)
    assert "Approved invoice can't be deleted" in body["hint"]
    assert db.session.get(Invoice, invoice.id) is not None


@pytest.mark.parametrize(
    "field, value",
    [
        ("billStyle", "NoSuchStyle"),
        ("billStyle", "full"),
        ("paymentMethod", "Bitcoin"),
        ("paymentMethod", "card"),
        ("onlineBillType", "Fancy"),
        ("emailBillType", "Fancy"),
        ("postBillType", "Fancy"),
        ("faxBillType", "Fancy"),
        ("invoiceUsageReportCustomerProfile", "By network"),
    ],
)
def test_put_refuses_preset_values_outside_their_list_and_changes_nothing(api, account, field, value):
    invoice = pending_invoice(account)
    db.session.commit()
    before = {
        name: getattr(invoice, name)
        for name in ("customer_reference", "bill_style", "payment_method", "online_bill_type", "usage_report_profile")
    }
    body = assert_error(
        api.put(f"/invoices/{invoice.id}", json={"customerReference": "C-9", field: value}), 400, 400003
    )
    assert body["hint"].startswith(f"{field} - ") and repr(value) in body["hint"]
    db.session.expire_all()
    stored = db.session.get(Invoice, invoice.id)
    assert {name: getattr(stored, name) for name in before} == before


def test_put_accepts_the_preset_values_the_admin_forms_offer(api, account):
    invoice = pending_invoice(account)
    create_bill_style("Carrier", "summary", actor=SYSTEM)
    create_usage_report_profile("By destination", "destination", actor=SYSTEM)
    db.session.commit()
    body = put_ok(
        api,
        invoice,
        {
            "billStyle": "Carrier",
            "postBillType": "Summary",
            "paymentMethod": "Direct debit",
            "invoiceUsageReportCustomerProfile": "By destination",
            "invoiceMessage": "Any text at all",
        },
    )
    assert (body["billStyle"], body["postBillType"], body["paymentMethod"]) == ("Carrier", "Summary", "Direct debit")
    assert body["invoiceUsageReportCustomerProfile"] == "By destination"


def test_create_refuses_preset_values_outside_their_list(api, account):
    body = assert_error(
        api.post(
            f"/customers/{account.customer_id}/invoices",
            json={"startDate": "2026-05-01", "endDate": "2026-06-01", "paymentMethod": "Bitcoin"},
        ),
        400,
        400003,
    )
    assert "paymentMethod" in body["hint"]
    assert db.session.query(Invoice).count() == 0


@pytest.mark.parametrize("field, value", [("cutoffDate", "0001-01-01"), ("transactionCutoffDate", "9999-12-31")])
def test_put_refuses_days_at_the_ends_of_the_calendar(api, account, field, value):
    invoice = pending_invoice(account)
    db.session.commit()
    body = assert_error(api.put(f"/invoices/{invoice.id}", json={field: value}), 400, 400003)
    assert "between 0001-01-02 and 9999-12-30" in body["hint"]
