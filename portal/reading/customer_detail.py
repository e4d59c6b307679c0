"""What a customer sees of one invoice: its spend breakdown (spent rows only, plus its service credits).

Customers never see earned traffic or internal states: only rows the customer *spent* on, and
service credits given to the customer, leave this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from portal.customers.scope import get_customer_invoice
from portal.documents.csv import invoice_has_cdrs
from portal.documents.qr import payment_qr_svg
from portal.documents.service import get_pdf_document
from portal.extensions import db
from portal.foundations.money import money_sum, money_value
from portal.models import Country, Invoice, InvoiceDestination, InvoiceNetwork, InvoiceServiceData, Network, Service
from portal.statement import Statement, build_statement


@dataclass(frozen=True)
class TrafficRow:
    direction: str
    prefix: str | None
    country: str | None
    network: str | None
    rate: Decimal
    calls: int
    successful_calls: int
    billing_seconds: int
    amount: Decimal

    @property
    def answer_rate(self) -> float | None:
        """Share of calls answered (0..1), or None when there were no calls."""
        return self.successful_calls / self.calls if self.calls else None


@dataclass(frozen=True)
class ServiceRow:
    service: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class Breakdown:
    """The spend breakdown of one invoice as a customer may see it."""

    originated: Decimal
    terminated: Decimal
    services: Decimal
    destinations: list[TrafficRow]
    networks: list[TrafficRow]
    charges: list[ServiceRow]
    credits: list[ServiceRow]
    spend_by_country: list[tuple[str, Decimal]]


def get_invoice_for_customer(scope, invoice_uuid) -> Invoice:
    """One invoice in the customer's scope by UUID.

    Raises:
        NotFound: unknown, malformed, another customer's, an account the user may not see, or not approved.
    """
    return get_customer_invoice(scope.customer_id, scope.limited_to, invoice_uuid=invoice_uuid)


def _traffic(model, invoice: Invoice, with_prefix: bool) -> list[TrafficRow]:
    stmt = (
        select(model, Country.name.label("country_name"), Network.name.label("network_name"))
        .outerjoin(Country, Country.id == model.country_id)
        .outerjoin(Network, Network.id == model.network_id)
        .where(model.invoice_id == invoice.id, model.spent.is_(True))
        .order_by(model.direction, model.amount.desc(), model.id)
    )
    rows = []
    for row, country, network in db.session.execute(stmt):
        rows.append(
            TrafficRow(
                direction=row.direction,
                prefix=row.dst_prefix if with_prefix else None,
                country=country,
                network=network,
                rate=row.rate,
                calls=row.calls_count,
                successful_calls=row.successful_calls_count,
                billing_seconds=row.billing_duration,
                amount=row.amount,
            )
        )
    return rows


def _services(invoice: Invoice) -> tuple[list[ServiceRow], list[ServiceRow]]:
    stmt = (
        select(InvoiceServiceData, Service.name)
        .outerjoin(Service, Service.id == InvoiceServiceData.service_id)
        .where(InvoiceServiceData.invoice_id == invoice.id)
        .order_by(InvoiceServiceData.amount.desc(), InvoiceServiceData.id)
    )
    charges, credits = [], []
    for row, name in db.session.execute(stmt):
        item = ServiceRow(service=name or "Other charges", count=row.transactions_count, amount=row.amount)
        # Service rows that are not "spent" are credits to the customer (refunds, goodwill): theirs to see.
        (charges if row.spent else credits).append(item)
    return charges, credits


def _spend_by_country(invoice: Invoice) -> list[tuple[str, Decimal]]:
    dialect = db.session.get_bind().dialect.name
    name = func.coalesce(Country.name, "Unknown")
    total = money_sum(InvoiceDestination.amount, dialect)
    stmt = (
        select(name.label("country"), total.label("amount"))
        .select_from(InvoiceDestination)
        .outerjoin(Country, Country.id == InvoiceDestination.country_id)
        .where(InvoiceDestination.invoice_id == invoice.id, InvoiceDestination.spent.is_(True))
        .group_by(name)
        .order_by(total.desc(), name)
    )
    return [(row.country, money_value(row.amount, dialect)) for row in db.session.execute(stmt)]


def invoice_breakdown(invoice: Invoice) -> Breakdown:
    """Spent totals, destination and network rows, service charges and credits of a scoped invoice.

    Four queries whatever the number of rows (country and network names are joined, not loaded
    row by row). The caller must have read `invoice` through get_invoice_for_customer().
    """
    charges, credits = _services(invoice)
    return Breakdown(
        originated=invoice.originated_amount_spent,
        terminated=invoice.terminated_amount_spent,
        services=invoice.services_amount_spent,
        destinations=_traffic(InvoiceDestination, invoice, with_prefix=True),
        networks=_traffic(InvoiceNetwork, invoice, with_prefix=False),
        charges=charges,
        credits=credits,
        spend_by_country=_spend_by_country(invoice),
    )


def pdf_available(invoice: Invoice) -> bool:
    """Whether a rendered PDF is stored for the invoice (its bytes are not loaded)."""
    return get_pdf_document(invoice) is not None


def cdrs_available(invoice: Invoice) -> bool:
    """Whether the invoice's period has calls to export."""
    return invoice_has_cdrs(invoice)


@dataclass(frozen=True)
class InvoiceDetail:
    invoice: Invoice
    breakdown: Breakdown
    has_pdf: bool
    has_cdrs: bool
    statement: Statement
    payment_qr: str  # inline SVG of the EPC payment QR code, "" when there is none


def invoice_detail_for_customer(scope, invoice_uuid, today: dt.date) -> InvoiceDetail:
    """Everything the customer's invoice page shows: the scoped invoice, its statement (with the
    traffic tables) on `today`, its breakdown for the charts, its documents.

    Raises:
        NotFound: the invoice is outside the customer's scope (see get_invoice_for_customer).
    """
    invoice = get_invoice_for_customer(scope, invoice_uuid)
    statement = build_statement(invoice, today, with_traffic=True)
    return InvoiceDetail(
        invoice=invoice,
        breakdown=invoice_breakdown(invoice),
        has_pdf=pdf_available(invoice),
        has_cdrs=cdrs_available(invoice),
        statement=statement,
        payment_qr=payment_qr_svg(statement.payment.epc_payload),
    )
