"""Backend API v1 `GET /invoices/{id}`: every documented field with its type, status flags and bill types."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from portal.billing.payments import record_payment
from portal.extensions import db
from tests.api.backend_v1.conftest import assert_error
from tests.api.key_clients import pending_invoice, raised_invoice
from tests.factories import UTC, TransactionFactory

DOCUMENTED = [
    "invoiceNumber",
    "billingRun",
    "invoiceDate",
    "cutoffDate",
    "transactionCutoffDate",
    "dueDate",
    "paidDate",
    "paymentMethod",
    "invoiceAmount",
    "invoiceVAT",
    "invoiceReverseVAT",
    "total",
    "paidAmount",
    "outstanding",
    "invoiceCallCount",
    "invoiceCallMinutes",
    "invoiceChargesOneOff",
    "invoiceChargesRecurring",
    "invoiceChargesCalls",
    "invoiceChargesRefunds",
    "invoiceChargesLate",
    "invoiceChargesInterest",
    "invoiceChargesCarrierProvided",
    "invoiceChargesManualBilling",
    "invoiceChargesLowUsage",
    "invoiceChargesManual",
    "invoiceChargesNonCall",
    "status",
    "billStyle",
    "invoiceMessage",
    "invoiceUsageReportCustomerProfile",
    "customerReference",
    "purchaseOrderNumber",
    "onlineBillType",
    "emailBillType",
    "postBillType",
    "faxBillType",
    "id",
    "customerID",
    "billTypes",
]


def test_raised_invoice_has_every_documented_field_with_its_value(api, account):
    TransactionFactory(
        account=account, category="recurring", amount=Decimal("10.00"), created_at=dt.datetime(2026, 5, 3, tzinfo=UTC)
    )
    TransactionFactory(
        account=account, category="one-off", amount=Decimal("2.50"), created_at=dt.datetime(2026, 5, 4, tzinfo=UTC)
    )
    TransactionFactory(
        account=account, category="refund", amount=Decimal("-1.25"), created_at=dt.datetime(2026, 5, 5, tzinfo=UTC)
    )
    invoice = raised_invoice(
        account,
        customer_reference="REF-7",
        purchase_order_number="PO-9",
        email_bill_type="Full",
        online_bill_type="Summary",
        invoice_message="Thanks",
        vat_rate=Decimal("20"),
    )
    db.session.commit()
    body = api.get(f"/invoices/{invoice.id}").get_json()
    assert set(DOCUMENTED) <= set(body)
    assert body["id"] == str(invoice.id) and body["customerID"] == str(account.customer_id)
    assert body["invoiceNumber"] == invoice.invoice_number and body["invoiceNumber"].startswith("INV-2026-")
    assert body["billingRun"] is None
    assert body["invoiceDate"] == "2026-06-02" and body["dueDate"] == "2026-07-02"
    assert body["cutoffDate"] == "2026-06-01" and body["transactionCutoffDate"] is None
    assert body["paidDate"] is None and body["paymentMethod"] == "Bank transfer"
    # 3 calls at 0.10 + 10.00 + 2.50 - 1.25 = 11.55 net, 20 % VAT.
    assert body["invoiceAmount"] == "11.55" and body["invoiceVAT"] == "2.31" and body["invoiceReverseVAT"] == "0.00"
    assert body["total"] == "13.86" and body["paidAmount"] == "0.00" and body["outstanding"] == "13.86"
    assert body["invoiceCallCount"] == 3 and body["invoiceCallMinutes"] == 5  # 270 s
    assert body["invoiceChargesCalls"] == "0.30" and body["invoiceChargesRecurring"] == "10.00"
    assert body["invoiceChargesOneOff"] == "2.50" and body["invoiceChargesRefunds"] == "-1.25"
    assert body["invoiceChargesNonCall"] == "11.25" and body["invoiceChargesLate"] == "0.00"
    for name in (
        "invoiceChargesInterest",
        "invoiceChargesCarrierProvided",
        "invoiceChargesManualBilling",
        "invoiceChargesLowUsage",
        "invoiceChargesManual",
    ):
        assert body[name] == "0.00"
    assert body["status"] == ["approved", "overdue"]  # due 2026-07-02, long past
    assert body["billStyle"] == "Full" and body["invoiceMessage"] == "Thanks"
    assert body["invoiceUsageReportCustomerProfile"] is None
    assert body["customerReference"] == "REF-7" and body["purchaseOrderNumber"] == "PO-9"
    assert body["emailBillType"] == "Full" and body["onlineBillType"] == "Summary"
    assert body["postBillType"] is None and body["faxBillType"] is None
    assert body["billTypes"] == ["online", "email"]
    assert body["startDate"] == "2026-05-01" and body["endDate"] == "2026-06-01" and body["currency"] == "EUR"


def test_status_flags_follow_delivery_and_payment(api, account):
    invoice = raised_invoice(account, today=dt.date.today())
    db.session.commit()
    assert api.get(f"/invoices/{invoice.id}").get_json()["status"] == ["approved"]
    invoice.emailed_at = invoice.printed_at = dt.datetime.now(UTC)
    record_payment(invoice, amount=Decimal("0.10"), paid_on=dt.date.today())
    db.session.commit()
    assert api.get(f"/invoices/{invoice.id}").get_json()["status"] == [
        "approved",
        "emailed",
        "printed",
        "delivered",
        "partiallyPaid",
    ]
    record_payment(invoice, amount=invoice.outstanding, paid_on=dt.date.today())
    db.session.commit()
    body = api.get(f"/invoices/{invoice.id}").get_json()
    assert "paid" in body["status"] and body["outstanding"] == "0.00"
    assert body["paidDate"] == dt.date.today().isoformat()


def test_unsent_invoice_is_flagged_unsent_without_number(api, account):
    invoice = pending_invoice(account)
    db.session.commit()
    body = api.get(f"/invoices/{invoice.id}").get_json()
    assert body["status"] == ["unsent"] and body["invoiceNumber"] is None and body["invoiceDate"] is None
    assert body["invoiceChargesCalls"] == "0.30"


def test_unknown_invoice_is_404001(api, app):
    assert_error(api.get("/invoices/424242"), 404, 404001)
    assert_error(api.get("/invoices/abc"), 404, 404001)
