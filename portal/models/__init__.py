"""The domain model, one module per aggregate; importing this package registers every table."""

from portal.models.account import INVOICE_PERIODS, Account, DiscountPlan, account_invoice_contacts
from portal.models.audit import AuditEvent
from portal.models.billing_run import BillingRun
from portal.models.bulk_approval import BulkApproval, BulkApprovalItem
from portal.models.catalog import Country, Network, Service
from portal.models.cdr import TRANSACTION_CATEGORIES, Cdr, Transaction
from portal.models.customer import DELIVERY_FORMATS, Contact, Customer
from portal.models.delivery import DownloadLink, EmailDelivery
from portal.models.document import Attachment, BillStyle, InvoiceDocument, MessageTemplate, UsageReportProfile
from portal.models.invoice import (
    CHARGE_COLUMNS,
    CREDIT_NOTE_TYPE,
    STATUS_FILTER_LABELS,
    STATUS_FILTERS,
    TYPES,
    UNPAID,
    UNPAID_STATUSES,
    Invoice,
    InvoiceState,
    PaymentStatus,
    payment_status_condition,
)
from portal.models.invoice_rows import (
    CreditNoteLine,
    InvoiceDestination,
    InvoiceDiscount,
    InvoiceNetwork,
    InvoiceServiceData,
    Payment,
)
from portal.models.numbering import CreditNoteNumberCounter, InvoiceNumberCounter
from portal.models.organization import Organization
from portal.models.table_version import VERSIONED_TABLES, TableVersion
from portal.models.user import AdminUser, ApiKey, CustomerUser, customer_user_accounts

__all__ = [
    "VERSIONED_TABLES",
    "TableVersion",
    "INVOICE_PERIODS",
    "Account",
    "DiscountPlan",
    "account_invoice_contacts",
    "AuditEvent",
    "BillingRun",
    "BulkApproval",
    "BulkApprovalItem",
    "Country",
    "Network",
    "Service",
    "TRANSACTION_CATEGORIES",
    "Cdr",
    "Transaction",
    "Contact",
    "DELIVERY_FORMATS",
    "Customer",
    "DownloadLink",
    "EmailDelivery",
    "Attachment",
    "BillStyle",
    "InvoiceDocument",
    "MessageTemplate",
    "UsageReportProfile",
    "CHARGE_COLUMNS",
    "CREDIT_NOTE_TYPE",
    "CreditNoteLine",
    "CreditNoteNumberCounter",
    "STATUS_FILTER_LABELS",
    "STATUS_FILTERS",
    "UNPAID",
    "UNPAID_STATUSES",
    "TYPES",
    "Invoice",
    "InvoiceDestination",
    "InvoiceState",
    "InvoiceDiscount",
    "InvoiceNetwork",
    "InvoiceNumberCounter",
    "InvoiceServiceData",
    "Payment",
    "PaymentStatus",
    "payment_status_condition",
    "Organization",
    "AdminUser",
    "ApiKey",
    "CustomerUser",
    "customer_user_accounts",
]
