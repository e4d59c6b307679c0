"""The `invoices` resource: the admin field set (integer ids) and the customer field set (uuid ids)."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import lazyload, with_expression

from portal.api.jsonapi.resources import Attr, Filter, Rel, Resource, register
from portal.customers.scope import customer_invoices
from portal.documents.service import stored_pdf_exists
from portal.extensions import db
from portal.models import (
    CREDIT_NOTE_TYPE,
    TYPES,
    Account,
    Invoice,
    InvoiceDestination,
    InvoiceNetwork,
    InvoiceServiceData,
    InvoiceState,
    PaymentStatus,
)


def _attr(name: str, kind: str, **kw) -> Attr:
    return Attr(name, kind, getattr(Invoice, name.replace("-", "_")), **kw)


def _traffic(side: str, *, earned: bool) -> list[Attr]:
    attrs = [_attr(f"{side}-amount-spent", "money")]
    if earned:
        attrs.append(_attr(f"{side}-amount-earned", "money"))
    attrs += [
        _attr(f"{side}-calls-count", "integer"),
        _attr(f"{side}-successful-calls-count", "integer"),
        _attr(f"{side}-calls-duration", "integer"),
        _attr(f"{side}-billing-duration", "integer"),
        _attr(f"{side}-first-call-at", "nullable_timestamp"),
        _attr(f"{side}-last-call-at", "nullable_timestamp"),
    ]
    return attrs


def load_pdf_ids(invoices: list, ctx) -> None:
    """For invoices not read by the primary query (e.g. one just created): which have a stored PDF."""
    known = ctx.extras.setdefault("pdf_ids", set())
    ids = [i.id for i in invoices if i.has_stored_pdf is None]
    for start in range(0, len(ids), 500):
        stmt = select(Invoice.id).where(Invoice.id.in_(ids[start : start + 500]), stored_pdf_exists())
        known.update(db.session.scalars(stmt))


def has_pdf(invoice, ctx) -> bool:
    if invoice.has_stored_pdf is not None:
        return invoice.has_stored_pdf
    return invoice.id in ctx.extras.get("pdf_ids", ())


def _invoice_type(invoice, ctx) -> str:
    # A credit note is listed with the invoices, marked by its type (the attribute set stays the documented one).
    return invoice.type_label


def _pdf_path(invoice, ctx):
    """The path of the invoice's PDF on this server (`/api/rest/admin/invoices/{id}/pdf`), as the
    reference system gives it (no scheme or host); None without a stored PDF."""
    return f"{urlsplit(ctx.root).path}/invoices/{invoice.id}/pdf" if has_pdf(invoice, ctx) else None


ADMIN_ATTRS = [
    _attr("reference", "string"),
    _attr("state", "enum", values=tuple(s.value for s in InvoiceState)),
    _attr("invoice-type", "enum", values=(*TYPES, CREDIT_NOTE_TYPE), getter=_invoice_type),
    _attr("start-date", "timestamp"),
    _attr("end-date", "timestamp"),
    Attr(
        "pdf-path", "nullable_string", getter=_pdf_path, schema={"type": ["string", "null"], "format": "uri-reference"}
    ),
    Attr("odt-path", "nullable_string", getter=lambda invoice, ctx: None, schema={"type": "null"}),
    _attr("amount-spent", "money"),
    _attr("amount-earned", "money"),
    *_traffic("originated", earned=True),
    *_traffic("terminated", earned=True),
    _attr("services-amount-spent", "money"),
    _attr("services-amount-earned", "money"),
    _attr("service-transactions-count", "integer"),
]

CUSTOMER_ATTRS = [
    _attr("reference", "string"),
    _attr("start-date", "timestamp"),
    _attr("end-date", "timestamp"),
    Attr("has-pdf", "boolean", getter=has_pdf, filterable=False, sortable=False),
    _attr("amount-spent", "money"),
    *_traffic("originated", earned=False),
    *_traffic("terminated", earned=False),
    _attr("services-amount-spent", "money"),
    _attr("service-transactions-count", "integer"),
]


# The primary query of both invoice resources reads "has a stored PDF" in the same statement as the
# row; the account is addressed by its key only, so it is not joined in.
INVOICE_OPTIONS = (with_expression(Invoice.has_stored_pdf, stored_pdf_exists()), lazyload(Invoice.account))


# An admin list page is read as rows of these columns: the plain attributes', and what the getters
# (type, PDF path) and the account linkage read.
ADMIN_ROW_COLUMNS = (
    *dict.fromkeys(
        (Invoice.id, Invoice.account_id, Invoice.invoice_type, Invoice.credited_invoice_id)
        + tuple(getattr(Invoice, a.attribute) for a in ADMIN_ATTRS if a.getter is None)
    ),
    stored_pdf_exists().label("has_stored_pdf"),
)


def _rows(name: str, target: str, child_fk) -> Rel:
    return Rel(name, target, to_many=True, child_fk=child_fk)


ADMIN_INVOICES = register(
    Resource(
        key="admin:invoices",
        type="invoices",
        path="invoices",
        model=Invoice,
        attrs=ADMIN_ATTRS,
        rels={
            "account": Rel("account", "admin:accounts", fk="account_id", always_linkage=True),
            "originated-destinations": _rows(
                "originated-destinations", "admin:invoice-originated-destinations", InvoiceDestination.invoice_id
            ),
            "originated-networks": _rows(
                "originated-networks", "admin:invoice-originated-networks", InvoiceNetwork.invoice_id
            ),
            "terminated-destinations": _rows(
                "terminated-destinations", "admin:invoice-terminated-destinations", InvoiceDestination.invoice_id
            ),
            "terminated-networks": _rows(
                "terminated-networks", "admin:invoice-terminated-networks", InvoiceNetwork.invoice_id
            ),
            "service-data": _rows("service-data", "admin:invoice-service-data", InvoiceServiceData.invoice_id),
        },
        extra_filters={"account_id": Filter("fk", Invoice.account_id)},
        prepare=load_pdf_ids,
        options=INVOICE_OPTIONS,
        row_columns=ADMIN_ROW_COLUMNS,
    )
)


def _customer_scope(ctx):
    return customer_invoices(ctx.customer_id, ctx.account_ids)


def _credit_note_meta(invoice, ctx) -> dict | None:
    """A credit note is marked in its `meta` (the customer attribute set stays the documented one), with the
    admin API's `invoice-type` and the payment status of portal.models.PaymentStatus, and the invoice it corrects."""
    if not invoice.is_credit_note:
        return None
    return {
        "invoice-type": CREDIT_NOTE_TYPE,
        "payment-status": PaymentStatus.CREDIT_NOTE.value,
        "credited-invoice": str(invoice.credited_invoice.uuid),
    }


CREDIT_NOTE_META_SCHEMA = {
    "type": "object",
    "description": "Only on a credit note: what it is and the invoice (id) it corrects.",
    "required": ["invoice-type", "payment-status", "credited-invoice"],
    "additionalProperties": False,
    "properties": {
        "invoice-type": {"const": CREDIT_NOTE_TYPE},
        "payment-status": {"const": PaymentStatus.CREDIT_NOTE.value},
        "credited-invoice": {"type": "string", "format": "uuid"},
    },
}

_ACCOUNT_UUID = select(Account.uuid).where(Account.id == Invoice.account_id).scalar_subquery()

CUSTOMER_INVOICES = register(
    Resource(
        key="customer:invoices",
        type="invoices",
        path="invoices",
        model=Invoice,
        attrs=CUSTOMER_ATTRS,
        rels={"account": Rel("account", "customer:accounts", fk="account_id")},
        extra_filters={"account_id": Filter("uuid", _ACCOUNT_UUID)},
        default_sort=("-start_date",),
        id_attr="uuid",
        base_query=_customer_scope,
        prepare=load_pdf_ids,
        options=INVOICE_OPTIONS,
        meta=_credit_note_meta,
        meta_schema=CREDIT_NOTE_META_SCHEMA,
    )
)
