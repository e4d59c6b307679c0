"""The invoice: its states, payment statuses and columns (its detail rows: portal.models.invoice_rows)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid as uuid_mod
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    and_,
    case,
    false,
    not_,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from portal.extensions import db
from portal.foundations.database import ZERO, utcnow
from portal.models.columns import count, invoice_rows, money


class InvoiceState(enum.StrEnum):
    """The life of an invoice: New (created, not filled) -> Pending (filled) -> Approved (raised, final).

    The values are what the database stores and every API shows.
    """

    NEW = "New"
    PENDING = "Pending"
    APPROVED = "Approved"


TYPES = ("Manual", "Auto Full", "Auto Partial")
#: What the admin API's invoice-type says of a credit note (stored with the type of the invoice it corrects).
CREDIT_NOTE_TYPE = "Credit Note"
DIRECTIONS = ("originated", "terminated")


class PaymentStatus(enum.StrEnum):
    """One payment vocabulary for every face; exactly one applies to an invoice on a given day.

    draft: not raised yet (New or Pending); credit note: raised with a negative total (the
    operator owes the customer); paid: raised, nothing outstanding; overdue: something
    outstanding after the due date (partially paid or not: being late wins); partially paid:
    something paid and something outstanding, not yet due; open: nothing paid, not yet due.
    Each API maps these to its own documented codes.
    """

    DRAFT = "draft"
    OPEN = "open"
    PARTIALLY_PAID = "partially paid"
    OVERDUE = "overdue"
    PAID = "paid"
    CREDIT_NOTE = "credit note"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# "Unpaid" is not a status but the group of those with something outstanding: what a customer owes
# is the sum over that group, and the list filter of that name shows exactly those invoices.
UNPAID = "unpaid"
UNPAID_STATUSES = (PaymentStatus.OPEN, PaymentStatus.PARTIALLY_PAID, PaymentStatus.OVERDUE)
# The names a list's status filter accepts, in the order people choose from them.
STATUS_FILTERS = (
    UNPAID,
    *(s.value for s in UNPAID_STATUSES),
    PaymentStatus.PAID.value,
    PaymentStatus.CREDIT_NOTE.value,
    PaymentStatus.DRAFT.value,
)
STATUS_FILTER_LABELS = {UNPAID: "All unpaid"} | {s.value: s.label for s in PaymentStatus}

# Invoice columns holding the per-category charge totals (backend API `invoiceCharges*`).
CHARGE_COLUMNS = {
    "one-off": "charges_one_off",
    "recurring": "charges_recurring",
    "refund": "charges_refunds",
    "late fee": "charges_late",
    "interest": "charges_interest",
    "carrier-provided": "charges_carrier_provided",
    "manual billing": "charges_manual_billing",
    "low usage": "charges_low_usage",
    "manual": "charges_manual",
}

_COUNTERS = [
    f"{side}_{name}"
    for side in DIRECTIONS
    for name in ("calls_count", "successful_calls_count", "calls_duration", "billing_duration")
] + ["service_transactions_count"]


# Approved and never delivered in any way (the partial index of the dashboard's "to send" queue).
NOT_DELIVERED_SQL = (
    "state = 'Approved' AND emailed_at IS NULL AND downloaded_at IS NULL AND printed_at IS NULL"
    " AND marked_delivered_at IS NULL"
)
# Approved with a balance due (the partial index of the customer dashboard's outstanding sums).
OWING_SQL = "state = 'Approved' AND outstanding > 0"


class Invoice(db.Model):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("end_date > start_date", name="period_order"),
        CheckConstraint(f"state IN ({', '.join(repr(s.value) for s in InvoiceState)})", name="state"),
        CheckConstraint("invoice_type IN ('Manual', 'Auto Full', 'Auto Partial')", name="invoice_type"),
        CheckConstraint(" AND ".join(f"{c} >= 0" for c in _COUNTERS), name="counters_non_negative"),
        CheckConstraint("amount_spent >= 0 AND amount_earned >= 0", name="amounts_non_negative"),
        CheckConstraint("paid_amount >= 0", name="paid_non_negative"),
        Index("ix_invoices_account_period", "account_id", "start_date", "end_date"),
        Index("ix_invoices_customer_invoice_date", "customer_id", "invoice_date", "id"),
        Index("ix_invoices_customer_start", "customer_id", "start_date", "id"),
        Index("ix_invoices_due_date", "due_date", "id"),
        Index("ix_invoices_state_id", "state", "id"),
        Index("ix_invoices_customer_state_id", "customer_id", "state", "id"),
        Index("ix_invoices_created_at", "created_at", "id"),
        # The dashboard's "to send" queue (portal.reading.overview.NOT_DELIVERED), oldest first: its first ten
        # are read from here instead of sorting every undelivered invoice.
        Index(
            "ix_invoices_not_delivered",
            "invoice_date",
            "id",
            postgresql_where=text(NOT_DELIVERED_SQL),
            sqlite_where=text(NOT_DELIVERED_SQL),
        ),
        Index(
            "ix_invoices_owing",
            "customer_id",
            "account_id",
            postgresql_where=text(OWING_SQL),
            sqlite_where=text(OWING_SQL),
        ),
        # No two invoices of one account overlap: enforced by the database on PostgreSQL,
        # by the service (under the per-account lock) everywhere. A credit note covers the
        # period of the invoice it corrects, so it is left out.
        ExcludeConstraint(
            ("account_id", "="),
            (text("tstzrange(start_date, end_date, '[)')"), "&&"),
            name="ex_invoices_no_overlap",
            using="gist",
            where=text("credited_invoice_id IS NULL"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid_mod.UUID] = mapped_column(unique=True, default=uuid_mod.uuid4)
    reference: Mapped[str] = mapped_column(String(100), default="", index=True)
    invoice_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    billing_run_id: Mapped[int | None] = mapped_column(ForeignKey("billing_runs.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(10), default=InvoiceState.NEW.value)
    invoice_type: Mapped[str] = mapped_column(String(20), default="Manual")
    start_date: Mapped[dt.datetime]
    end_date: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Stamped by SQLAlchemy on every INSERT and UPDATE (ORM flush or Core update()): a change of any
    # column of the invoice changes it, and so does storing, replacing or removing its PDF (an ORM event
    # in portal/models/document.py). The JSON:API's object cache keys on it.
    updated_at: Mapped[dt.datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)
    filled_at: Mapped[dt.datetime | None]
    approved_at: Mapped[dt.datetime | None]

    # Dates of the raised invoice (set on approval).
    invoice_date: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    cutoff_date: Mapped[dt.date | None] = mapped_column(Date)
    transaction_cutoff_date: Mapped[dt.date | None] = mapped_column(Date)

    # Traffic and service totals (filled from CDRs and transactions).
    amount_spent: Mapped[Decimal] = money()
    amount_earned: Mapped[Decimal] = money()
    amount_total: Mapped[Decimal] = money()  # spent - earned
    originated_amount_spent: Mapped[Decimal] = money()
    originated_amount_earned: Mapped[Decimal] = money()
    originated_calls_count: Mapped[int] = count()
    originated_successful_calls_count: Mapped[int] = count()
    originated_calls_duration: Mapped[int] = count()
    originated_billing_duration: Mapped[int] = count()
    originated_first_call_at: Mapped[dt.datetime | None]
    originated_last_call_at: Mapped[dt.datetime | None]
    terminated_amount_spent: Mapped[Decimal] = money()
    terminated_amount_earned: Mapped[Decimal] = money()
    terminated_calls_count: Mapped[int] = count()
    terminated_successful_calls_count: Mapped[int] = count()
    terminated_calls_duration: Mapped[int] = count()
    terminated_billing_duration: Mapped[int] = count()
    terminated_first_call_at: Mapped[dt.datetime | None]
    terminated_last_call_at: Mapped[dt.datetime | None]
    services_amount_spent: Mapped[Decimal] = money()
    services_amount_earned: Mapped[Decimal] = money()
    service_transactions_count: Mapped[int] = count()
    discount_amount: Mapped[Decimal] = money()
    # The account's billing increment the fill used ("first/next" seconds); None: filled before it was stored.
    billing_increment_first: Mapped[int | None]
    billing_increment_next: Mapped[int | None]

    # Charges by category (backend API invoiceCharges*), signed.
    charges_calls: Mapped[Decimal] = money()
    charges_one_off: Mapped[Decimal] = money()
    charges_recurring: Mapped[Decimal] = money()
    charges_refunds: Mapped[Decimal] = money()
    charges_late: Mapped[Decimal] = money()
    charges_interest: Mapped[Decimal] = money()
    charges_carrier_provided: Mapped[Decimal] = money()
    charges_manual_billing: Mapped[Decimal] = money()
    charges_low_usage: Mapped[Decimal] = money()
    charges_manual: Mapped[Decimal] = money()
    charges_non_call: Mapped[Decimal] = money()

    # Amounts of the raised invoice (set on approval, rounded to the currency).
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4), default=ZERO)
    net_amount: Mapped[Decimal] = money()
    vat_amount: Mapped[Decimal] = money()
    reverse_vat_amount: Mapped[Decimal] = money()
    total_amount: Mapped[Decimal] = money()
    paid_amount: Mapped[Decimal] = money()
    paid_date: Mapped[dt.date | None] = mapped_column(Date)
    outstanding: Mapped[Decimal] = money()
    payment_method: Mapped[str | None] = mapped_column(String(32))

    # Presentation and delivery.
    bill_style: Mapped[str] = mapped_column(String(40), default="Full")
    invoice_message: Mapped[str | None] = mapped_column(String(100))
    usage_report_profile: Mapped[str | None] = mapped_column(String(100))
    customer_reference: Mapped[str | None] = mapped_column(String(100))
    purchase_order_number: Mapped[str | None] = mapped_column(String(100))
    online_bill_type: Mapped[str | None] = mapped_column(String(40))
    email_bill_type: Mapped[str | None] = mapped_column(String(40))
    post_bill_type: Mapped[str | None] = mapped_column(String(40))
    fax_bill_type: Mapped[str | None] = mapped_column(String(40))
    emailed_at: Mapped[dt.datetime | None]
    downloaded_at: Mapped[dt.datetime | None]
    printed_at: Mapped[dt.datetime | None]
    marked_delivered_at: Mapped[dt.datetime | None]
    xero_id: Mapped[uuid_mod.UUID | None]
    pdf_error: Mapped[str | None] = mapped_column(Text)

    # Credit notes (rows with credited_invoice_id): the invoice one corrects, and why. On an invoice,
    # credited_amount is the total of its credit notes, which its outstanding amount excludes.
    credited_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    credit_reason: Mapped[str | None] = mapped_column(String(500))
    credited_amount: Mapped[Decimal] = mapped_column(Numeric(20, 6), default=ZERO, server_default="0")
    # Filled only by queries that ask for it (`with_expression(Invoice.has_stored_pdf,
    # portal.documents.service.stored_pdf_exists())`); None otherwise.
    has_stored_pdf: Mapped[bool | None] = query_expression()

    account = relationship("Account", lazy="joined", innerjoin=True)
    customer = relationship("Customer")
    organization = relationship("Organization")
    billing_run = relationship("BillingRun")
    destinations = invoice_rows("InvoiceDestination")
    networks = invoice_rows("InvoiceNetwork")
    service_data = invoice_rows("InvoiceServiceData")
    discounts = invoice_rows("InvoiceDiscount")
    payments = invoice_rows("Payment")
    credited_invoice = relationship("Invoice", remote_side="Invoice.id", foreign_keys=[credited_invoice_id])

    @property
    def is_credit_note(self) -> bool:
        return self.credited_invoice_id is not None

    @property
    def type_label(self) -> str:
        """The type people and the admin API see: "Credit Note" for a credit note, else the invoice type."""
        return CREDIT_NOTE_TYPE if self.is_credit_note else self.invoice_type

    @property
    def is_approved(self) -> bool:
        return self.state == InvoiceState.APPROVED

    @hybrid_property
    def display_amount(self) -> Decimal:
        """The one amount a list or page shows for the invoice (also in SQL, to filter and sort by it).

        Approved: its total (net plus VAT, as raised). Before that: spent minus earned so far,
        the running net (no VAT is computed before approval).
        """
        return self.total_amount if self.is_approved else self.amount_total

    @display_amount.inplace.expression
    @classmethod
    def _display_amount_expression(cls):
        return case((cls.state == InvoiceState.APPROVED, cls.total_amount), else_=cls.amount_total)

    @property
    def is_delivered(self) -> bool:
        return any((self.emailed_at, self.downloaded_at, self.printed_at, self.marked_delivered_at))

    def payment_status(self, today: dt.date) -> PaymentStatus:
        """The invoice's payment status on `today` (see PaymentStatus; the SQL twin is `payment_status_condition`)."""
        if self.state != InvoiceState.APPROVED:
            return PaymentStatus.DRAFT
        if (self.total_amount or ZERO) < 0:
            return PaymentStatus.CREDIT_NOTE
        if (self.outstanding or ZERO) <= 0:
            return PaymentStatus.PAID
        if self.due_date is not None and self.due_date < today:
            return PaymentStatus.OVERDUE
        if (self.paid_amount or ZERO) > 0:
            return PaymentStatus.PARTIALLY_PAID
        return PaymentStatus.OPEN

    def __repr__(self) -> str:
        return f"<Invoice {self.id} {self.state} {self.start_date:%Y-%m-%d}..{self.end_date:%Y-%m-%d}>"


def payment_status_condition(name: str, today: dt.date):
    """SQL twin of Invoice.payment_status: a condition on `invoices` for a status or the `unpaid` group
    (any of STATUS_FILTERS); an unknown name matches nothing. Keep the two side by side."""
    approved = Invoice.state == InvoiceState.APPROVED
    not_credit = Invoice.total_amount >= 0
    owing = and_(approved, not_credit, Invoice.outstanding > 0)
    late = and_(Invoice.due_date.is_not(None), Invoice.due_date < today)
    conditions = {
        PaymentStatus.DRAFT.value: Invoice.state != InvoiceState.APPROVED,
        PaymentStatus.CREDIT_NOTE.value: and_(approved, Invoice.total_amount < 0),
        PaymentStatus.PAID.value: and_(approved, not_credit, Invoice.outstanding <= 0),
        PaymentStatus.OVERDUE.value: and_(owing, late),
        PaymentStatus.PARTIALLY_PAID.value: and_(owing, not_(late), Invoice.paid_amount > 0),
        PaymentStatus.OPEN.value: and_(owing, not_(late), Invoice.paid_amount <= 0),
        UNPAID: owing,
    }
    return conditions.get(name, false())
