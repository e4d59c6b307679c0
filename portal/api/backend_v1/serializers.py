"""The backend API v1 invoice object: every documented field, money as decimal strings, dates YYYY-MM-DD."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from operator import attrgetter
from types import SimpleNamespace

from sqlalchemy import select

from portal.foundations.database import utcnow
from portal.foundations.dates import local_date
from portal.foundations.money import ZERO, round_currency
from portal.models import Account, Customer, Invoice, PaymentStatus
from portal.reading.listed_invoice import ListedInvoice
from portal.statement import statement_figures

# API field -> invoice column, for the fields PUT may change (portal.billing.invoices.EDITABLE_FIELDS).
EDITABLE_API_FIELDS = {
    "customerReference": "customer_reference",
    "purchaseOrderNumber": "purchase_order_number",
    "billStyle": "bill_style",
    "invoiceMessage": "invoice_message",
    "invoiceUsageReportCustomerProfile": "usage_report_profile",
    "paymentMethod": "payment_method",
    "cutoffDate": "cutoff_date",
    "transactionCutoffDate": "transaction_cutoff_date",
    "onlineBillType": "online_bill_type",
    "emailBillType": "email_bill_type",
    "postBillType": "post_bill_type",
    "faxBillType": "fax_bill_type",
}
DATE_FIELDS = ("cutoffDate", "transactionCutoffDate")

CHARGE_FIELDS = {
    "invoiceChargesOneOff": "charges_one_off",
    "invoiceChargesRecurring": "charges_recurring",
    "invoiceChargesCalls": "charges_calls",
    "invoiceChargesRefunds": "charges_refunds",
    "invoiceChargesLate": "charges_late",
    "invoiceChargesInterest": "charges_interest",
    "invoiceChargesCarrierProvided": "charges_carrier_provided",
    "invoiceChargesManualBilling": "charges_manual_billing",
    "invoiceChargesLowUsage": "charges_low_usage",
    "invoiceChargesManual": "charges_manual",
    "invoiceChargesNonCall": "charges_non_call",
}
# API field -> the statement's figure (portal.statement.Figures): for an invoice not approved yet these
# are its draft figures from the filled lines, where the stored columns still say 0.00.
AMOUNT_FIELDS = {
    "invoiceAmount": "net",
    "invoiceVAT": "vat",
    "invoiceReverseVAT": "reverse_vat",
    "total": "total",
    "paidAmount": "paid",
    "outstanding": "balance_due",
}
BILL_TYPE_FIELDS = {
    "online": "online_bill_type",
    "email": "email_bill_type",
    "post": "post_bill_type",
    "fax": "fax_bill_type",
}
STATUS_FLAGS = (
    "approved",
    "unsent",
    "emailed",
    "downloaded",
    "printed",
    "delivered",
    "paid",
    "partiallyPaid",
    "overdue",
    "creditNote",
)


def money(value: Decimal | None, currency: str) -> str:
    return str(round_currency(value or ZERO, currency))


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# Payment status -> the documented payment flag; a credit note leaves nothing to pay.
PAYMENT_FLAGS = {
    PaymentStatus.PAID: ["paid"],
    PaymentStatus.CREDIT_NOTE: ["paid"],
    PaymentStatus.PARTIALLY_PAID: ["partiallyPaid"],
    PaymentStatus.OVERDUE: ["overdue"],
}


def status_flags(invoice: Invoice, today: dt.date) -> list[str]:
    """Flags in STATUS_FLAGS order: approved or unsent, each delivery kind, the payment state, and creditNote for a
    credit note (issued against an invoice; listed with the invoices)."""
    flags = ["approved" if invoice.is_approved else "unsent"]
    if invoice.emailed_at:
        flags.append("emailed")
    if invoice.downloaded_at:
        flags.append("downloaded")
    if invoice.printed_at:
        flags.append("printed")
    if invoice.is_delivered:
        flags.append("delivered")
    flags += PAYMENT_FLAGS.get(invoice.payment_status(today), [])
    if invoice.credited_invoice_id is not None:
        flags.append("creditNote")
    return flags


# What a list reads of each page's invoices: the invoice columns `invoice_json` and the model's rules it
# calls read, and of its customer and account only what `invoice_json` reads, joined in the same
# statement, as rows (portal.reading.listed_invoice: no ORM objects).
_LISTED_COLUMNS = (
    *("id", "customer_id", "account_id", "invoice_number", "billing_run_id", "currency", "state"),
    *("start_date", "end_date", "invoice_date", "cutoff_date", "transaction_cutoff_date", "due_date", "paid_date"),
    *("payment_method", "originated_calls_count", "originated_billing_duration", "amount_total", "vat_rate"),
    *("net_amount", "vat_amount", "reverse_vat_amount", "total_amount", "paid_amount", "outstanding"),
    *("emailed_at", "downloaded_at", "printed_at", "marked_delivered_at", "credited_invoice_id"),
    *EDITABLE_API_FIELDS.values(),
    *CHARGE_FIELDS.values(),
)
LIST_ROWS = (
    select(
        *(getattr(Invoice, name) for name in dict.fromkeys(_LISTED_COLUMNS)),
        Customer.payment_method.label("customer_payment_method"),
        Customer.reverse_charge.label("customer_reverse_charge"),
        Account.timezone.label("account_timezone"),
    )
    .join(Customer, Customer.id == Invoice.customer_id)
    .join(Account, Account.id == Invoice.account_id)
)


def listed_invoice(values: dict) -> ListedInvoice:
    """A row of LIST_ROWS (its values by column name) as `invoice_json` reads it."""
    return ListedInvoice(
        values,
        customer=SimpleNamespace(
            payment_method=values["customer_payment_method"], reverse_charge=values["customer_reverse_charge"]
        ),
        account=SimpleNamespace(timezone=values["account_timezone"]),
    )


_CHARGES = attrgetter(*CHARGE_FIELDS.values())  # the charge columns, read in one call


def invoice_json(invoice: Invoice | ListedInvoice, now: dt.datetime | None = None) -> dict:
    """The documented invoice object (plus accountID, currency, startDate, endDate); its payment
    status as of `now` (default: the current time; a list passes one time for its page)."""
    tz = invoice.account.timezone
    currency = invoice.currency
    body: dict = {
        "id": str(invoice.id),
        "customerID": str(invoice.customer_id),
        "accountID": str(invoice.account_id),
        "invoiceNumber": invoice.invoice_number,
        "billingRun": invoice.billing_run_id,
        "currency": currency,
        "startDate": local_date(invoice.start_date, tz).isoformat(),
        "endDate": local_date(invoice.end_date, tz).isoformat(),
        "invoiceDate": day(invoice.invoice_date),
        "cutoffDate": day(invoice.cutoff_date),
        "transactionCutoffDate": day(invoice.transaction_cutoff_date),
        "dueDate": day(invoice.due_date),
        "paidDate": day(invoice.paid_date),
        # As documented: the customer's method unless the invoice names its own.
        "paymentMethod": invoice.payment_method or invoice.customer.payment_method,
    }
    today = local_date(now or utcnow(), tz)
    figures = statement_figures(invoice, today)
    for name, figure in AMOUNT_FIELDS.items():
        body[name] = money(getattr(figures, figure), currency)
    body["invoiceCallCount"] = int(invoice.originated_calls_count or 0)
    # Whole minutes, half a minute rounds up.
    body["invoiceCallMinutes"] = (int(invoice.originated_billing_duration or 0) + 30) // 60
    for name, value in zip(CHARGE_FIELDS, _CHARGES(invoice)):
        body[name] = money(value, currency)
    body.update(
        {
            "status": status_flags(invoice, today),
            "billStyle": invoice.bill_style,
            "invoiceMessage": invoice.invoice_message,
            "invoiceUsageReportCustomerProfile": invoice.usage_report_profile,
            "customerReference": invoice.customer_reference,
            "purchaseOrderNumber": invoice.purchase_order_number,
            "onlineBillType": invoice.online_bill_type,
            "emailBillType": invoice.email_bill_type,
            "postBillType": invoice.post_bill_type,
            "faxBillType": invoice.fax_bill_type,
            "billTypes": [kind for kind, column in BILL_TYPE_FIELDS.items() if getattr(invoice, column)],
        }
    )
    return body
