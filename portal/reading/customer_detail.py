"""What a customer sees of one invoice: its statement, documents and spend breakdown (spent rows only).

Customers never see earned traffic or internal states: only rows the customer *spent* on leave the
breakdown; the statement shows credits as the PDF does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import exists, select

from portal.billing.credit_notes import credit_notes_of
from portal.customers.scope import get_customer_invoice, get_customer_invoice_with
from portal.documents.csv import calls_exist
from portal.documents.einvoices import credit_note_lines
from portal.documents.qr import payment_qr_svg
from portal.documents.service import stored_pdf
from portal.extensions import db
from portal.foundations.money import MICRO, ZERO
from portal.models import CreditNoteLine, Invoice
from portal.statement import Statement, TrafficRow, build_statement


@dataclass(frozen=True)
class Breakdown:
    """The spend breakdown of one invoice as a customer may see it (spent rows only)."""

    originated: Decimal
    terminated: Decimal
    services: Decimal
    networks: list[TrafficRow]  # spent rows by network: by direction, largest amount first
    spend_by_country: list[tuple[str, Decimal]]  # largest first


def get_invoice_for_customer(scope, invoice_uuid) -> Invoice:
    """One invoice in the customer's scope by UUID.

    Raises:
        NotFound: unknown, malformed, another customer's, an account the user may not see, or not approved.
    """
    return get_customer_invoice(scope.customer_id, scope.limited_to, invoice_uuid=invoice_uuid)


def invoice_breakdown(invoice: Invoice, statement: Statement) -> Breakdown:
    """Spent totals, network rows and spend per country of a scoped invoice, from the rows its statement
    (built `with_traffic`) has already read: no query of its own.

    A statement row of a destination holds its amount before discount; what was spent on it is that
    less the discount. A country's spend adds its rows' exact amounts and is rounded once where it is shown,
    as the statement's subtotals are (rows rounded one by one could add up to a cent more or less).
    Credit rows (earned traffic) never leave this function.
    """
    networks = [row for table in statement.networks for row in table.rows if not row.credit]
    by_country: dict[str, Decimal] = {}
    for table in statement.traffic:
        for row in table.rows:
            if not row.credit:
                country = row.country or "Unknown"
                by_country[country] = by_country.get(country, ZERO) + row.amount - row.discount
    return Breakdown(
        originated=invoice.originated_amount_spent,
        terminated=invoice.terminated_amount_spent,
        services=invoice.services_amount_spent,
        # The statement's rows come by direction, then as stored; a stable sort keeps that order among equals.
        networks=sorted(networks, key=lambda row: (row.direction, -row.amount)),
        spend_by_country=sorted(
            ((country, amount.quantize(MICRO)) for country, amount in by_country.items()),
            key=lambda item: (-item[1], item[0]),
        ),
    )


def pdf_available(invoice: Invoice) -> bool:
    """Whether a rendered PDF is stored for the invoice (its bytes are not loaded)."""
    return bool(db.session.scalar(select(exists().where(*stored_pdf(invoice.id)))))


@dataclass(frozen=True)
class InvoiceDetail:
    invoice: Invoice
    breakdown: Breakdown
    has_pdf: bool
    has_cdrs: bool
    statement: Statement
    payment_qr: str  # inline SVG of the EPC payment QR code, "" when there is none
    credit_notes: list[Invoice]  # issued against the invoice, oldest first


@dataclass(frozen=True)
class CreditNoteDetail:
    """What the customer's page of a credit note shows: its stored lines, not an invoice statement."""

    invoice: Invoice
    lines: list[CreditNoteLine]
    has_pdf: bool


def invoice_detail_for_customer(scope, invoice_uuid, today: dt.date) -> InvoiceDetail | CreditNoteDetail:
    """Everything the customer's page of an invoice shows: the scoped invoice, its statement (with the
    traffic tables) on `today`, its breakdown for the charts, its documents and credit notes. A credit
    note's page shows its stored lines instead, so no statement is built for it.

    Raises:
        NotFound: the invoice is outside the customer's scope (see get_invoice_for_customer).
    """
    # The documents' probes come in the invoice's own query: correlated EXISTS of its stored PDF and its calls.
    invoice, has_pdf, has_cdrs = get_customer_invoice_with(
        scope.customer_id,
        scope.limited_to,
        invoice_uuid=invoice_uuid,
        columns=(exists().where(*stored_pdf(Invoice.id)), calls_exist(Invoice)),
    )
    if invoice.is_credit_note:
        return CreditNoteDetail(invoice=invoice, lines=credit_note_lines(invoice), has_pdf=bool(has_pdf))
    statement = build_statement(invoice, today, with_traffic=True)
    return InvoiceDetail(
        invoice=invoice,
        breakdown=invoice_breakdown(invoice, statement),
        has_pdf=bool(has_pdf),
        has_cdrs=bool(has_cdrs),
        statement=statement,
        payment_qr=payment_qr_svg(statement.payment.epc_payload),
        credit_notes=credit_notes_of(invoice),
    )
