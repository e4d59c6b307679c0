"""Sample e-invoices for the tests: one per case the portal issues (plain, reverse charge, discounts, …)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal as D  # noqa: N817 - D("1.00") keeps the amount tables readable

from portal.einvoice.model import (
    Address,
    AllowanceCharge,
    DocumentType,
    EInvoice,
    Exemption,
    Identifier,
    InvoiceReference,
    Line,
    Party,
    PaymentMeans,
    Period,
    VatCategory,
)
from portal.einvoice.totals import calculate, line_net_amount, unit_price_for

S, AE, G = VatCategory.STANDARD, VatCategory.REVERSE_CHARGE, VatCategory.EXPORT

SELLER = Party(
    name="Telco Networks Ltd",
    address=Address("GB", ("1 Carrier Street", "Floor 3"), "London", "EC1A 1AA"),
    vat_id="GB123456789",
    legal_registration=Identifier("01234567"),
    electronic_address=Identifier("GB123456789", "9932"),
)
BUYER_GB = Party(
    name="Brightline Communications Ltd",
    address=Address("GB", ("22 Exchange Road",), "Manchester", "M1 1AA"),
    vat_id="GB987654321",
    identifier=Identifier("C-0002"),
    electronic_address=Identifier("GB987654321", "9932"),
)
BUYER_DE = Party(
    name="Nordwind Telekom GmbH",
    address=Address("DE", ("Hafenstraße 1",), "Hamburg", "20457"),
    vat_id="DE123456789",
    identifier=Identifier("C-0001"),
    electronic_address=Identifier("DE123456789", "9930"),
)
BUYER_US = Party(
    name="Atlantic Voice Inc.",
    address=Address("US", ("500 Harbor Blvd",), "New York", "10001", "NY"),
    identifier=Identifier("C-0003"),
    electronic_address=Identifier("billing@atlanticvoice.example", "EM"),
)
PERIOD = Period(date(2026, 10, 1), date(2026, 10, 31))
# SEPA credit transfer (the default type) to the seller; `document` sets each document's payment reference.
PAYMENT = PaymentMeans(iban="GB33BUKB20201555555555", bic="BUKBGB22", account_name=SELLER.name)


def line(line_id: str, name: str, quantity: str, unit: str, price: str, category=S, rate: str = "20") -> Line:
    quantity, price = D(quantity), D(price)
    return Line(line_id, name, quantity, unit, price, line_net_amount(quantity, price), category, D(rate))


def usage_line(line_id: str, name: str, minutes: str, amount: str, category=S, rate: str = "20") -> Line:
    """A destination line whose amount was summed from calls rated one by one."""
    price = unit_price_for(D(amount), D(minutes))
    return Line(line_id, name, D(minutes), "MIN", price, D(amount), category, D(rate), period=PERIOD)


def document(
    number: str,
    lines,
    *,
    buyer: Party = BUYER_GB,
    currency="GBP",
    allowances=(),
    charges=(),
    prepaid="0",
    exemptions=None,
    document_type=DocumentType.INVOICE,
    **fields,
) -> EInvoice:
    breakdown, totals = calculate(
        lines, allowances=allowances, charges=charges, prepaid=D(prepaid), exemptions=exemptions
    )
    defaults = dict(
        period=PERIOD,
        due_date=date(2026, 11, 15),
        payment_terms="Payable within 14 days",
        payment_means=dataclasses.replace(PAYMENT, payment_reference=number),
        buyer_reference=buyer.identifier.value if buyer.identifier else None,
    )
    defaults.update(fields)
    return EInvoice(
        document_type,
        number,
        date(2026, 11, 1),
        currency,
        SELLER,
        buyer,
        tuple(lines),
        breakdown,
        totals,
        allowances=tuple(allowances),
        charges=tuple(charges),
        **defaults,
    )


def plain() -> EInvoice:
    return document(
        "INV-2026-0001",
        [
            usage_line("1", "Calls to United Kingdom mobile (O2)", "1234.5", "14.81"),
            usage_line("2", "Calls to Germany fixed", "87.25", "1.05"),
            line("3", "Monthly port fee", "2", "C62", "25.00"),
        ],
        notes=("Thank you for your business.",),
    )


def reverse_charge() -> EInvoice:
    return document(
        "INV-2026-0002",
        [
            usage_line("1", "Anrufe nach Deutschland Mobilfunk", "5321.75", "63.86", AE, "0"),
            line("2", "Monatliche Grundgebühr", "1", "C62", "49.90", AE, "0"),
        ],
        buyer=BUYER_DE,
        currency="EUR",
        exemptions={AE: Exemption("Steuerschuldnerschaft des Leistungsempfängers", "VATEX-EU-AE")},
        payment_terms="Zahlbar innerhalb von 14 Tagen",
        notes=("Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge).",),
    )


def discounts() -> EInvoice:
    return document(
        "INV-2026-0003",
        [
            usage_line("1", "Calls to France mobile", "3000", "36.00"),
            line("2", "SIP trunk channels", "30", "C62", "1.50"),
        ],
        allowances=[
            AllowanceCharge(
                D("7.20"),
                S,
                D("20"),
                reason="Volume discount 10%",
                reason_code="95",
                base_amount=D("72.00"),
                percentage=D("10"),
            ),
            AllowanceCharge(D("5.00"), S, D("20"), reason="Loyalty discount", reason_code="95"),
        ],
        charges=[AllowanceCharge(D("2.50"), S, D("20"), reason="Paper invoice fee")],
    )


def credits() -> EInvoice:
    return document(
        "INV-2026-0004",
        [
            usage_line("1", "Calls to Spain fixed", "812.4", "9.75"),
            line("2", "Monthly port fee", "1", "C62", "25.00"),
            line("3", "Refund: disputed calls in September", "-1", "C62", "4.10"),
            line("4", "Service credit: outage 12 October", "-2", "C62", "1.75"),
        ],
    )


def partially_paid() -> EInvoice:
    return document(
        "INV-2026-0005",
        [
            usage_line("1", "Calls to Italy mobile", "2500", "41.25"),
            line("2", "Monthly port fee", "1", "C62", "25.00"),
        ],
        prepaid="50.00",
    )


def credit_note() -> EInvoice:
    return document(
        "CN-2026-0001",
        [
            line("1", "Correction: calls to Italy mobile billed twice", "1", "C62", "41.25"),
        ],
        document_type=DocumentType.CREDIT_NOTE,
        preceding_invoice=InvoiceReference("INV-2026-0005", date(2026, 11, 1)),
        due_date=None,
        payment_terms="Credited to your account",
        notes=("Credit note for invoice INV-2026-0005.",),
    )


def export() -> EInvoice:
    return document(
        "INV-2026-0006",
        [
            usage_line("1", "Calls to United States", "10450", "104.50", G, "0"),
            line("2", "Monthly port fee", "1", "C62", "30.00", G, "0"),
        ],
        buyer=BUYER_US,
        currency="USD",
        exemptions={G: Exemption("Export of services outside the EU", "VATEX-EU-G")},
        payment_means=PaymentMeans(
            type_code="30", iban="GB33BUKB20201555555555", bic="BUKBGB22", payment_reference="INV-2026-0006"
        ),
    )


SCENARIOS = {
    "plain": plain,
    "reverse_charge": reverse_charge,
    "discounts": discounts,
    "credits": credits,
    "partially_paid": partially_paid,
    "credit_note": credit_note,
    "export": export,
}


def in_currency(invoice: EInvoice, currency: str) -> EInvoice:
    return dataclasses.replace(invoice, currency=currency)
