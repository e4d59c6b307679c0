"""The EN 16931 e-invoice of a real invoice or credit note, fed from its invoice statement.

`einvoice_for(invoice)` builds the invoice statement (`portal.statement.build_statement`) and
writes what it says as an `EInvoice`: its charge, credit and rounding lines as lines
(`einvoice_lines.statement_lines`), its discount lines as document allowances (BG-20), its VAT
line as the VAT category and rate, what was paid as BT-113, its payment instructions as BG-16.
The parties, period and terms come from `einvoice_parties`. The e-invoice, the PDF and the web
page therefore show the same figures by construction; the assembled document is still checked
against the statement, and one that disagrees with its net, VAT, total or paid amount is
refused, never issued.

A credit note's lines are the ones stored when it was issued (`credit_note_lines`); its
statement gives its (negative) figures, which the document states positive (type 381).
The amount due (BT-115) of an invoice is its total less what was paid: credit notes against it
are documents of their own, which the buyer sets off itself. The document is written in the
customer's language (`portal.foundations.i18n.in_language`): its payment terms, line names,
discount and exemption reasons; its codes (VATEX, units, types) are the standard's.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from portal.documents.einvoice_lines import statement_lines
from portal.documents.einvoice_parties import (
    EU_COUNTRIES,
    buyer_country,
    buyer_party,
    buyer_reference,
    invoice_period,
    payment_means,
    payment_terms,
    seller_country,
    seller_party,
)
from portal.documents.labels import statement_label
from portal.einvoice.model import (
    AllowanceCharge,
    DocumentType,
    EInvoice,
    Exemption,
    InvalidEInvoice,
    InvoiceReference,
    Line,
    VatCategory,
)
from portal.einvoice.totals import calculate, money, plain, unit_price_for
from portal.extensions import db
from portal.foundations.i18n import N_, in_language
from portal.models import CreditNoteLine, Invoice
from portal.statement import Statement, build_statement

# Texts of the document, in English for the catalogs; `einvoice_for` writes them in the customer's language.
EXPORT_REASON = N_("Export of services outside the EU: not subject to VAT")
NOTHING_CHARGED = N_("No calls or charges in the period")
DISCOUNT_CODE = "95"  # UNTDID 5189: discount

VatTreatment = tuple[VatCategory, Decimal, Exemption | None]


def vat_category(statement: Statement, invoice: Invoice) -> VatTreatment:
    """The VAT category, rate and exemption of the statement's VAT line (one for the whole invoice).

    Reverse charge (AE, with the statement's legal note) when the statement says so; standard
    rate (S) when VAT is charged; export (G) for a zero rate to a customer outside the EU and the
    seller's country; zero rate (Z) otherwise.
    """
    [vat] = statement.vat_lines
    if vat.reverse_charge:
        return VatCategory.REVERSE_CHARGE, Decimal(0), Exemption(statement_label(vat.note), "VATEX-EU-AE")
    if vat.rate > 0:
        return VatCategory.STANDARD, plain(vat.rate), None
    country = buyer_country(invoice.customer)
    if country not in EU_COUNTRIES and country != seller_country(invoice.organization):
        return VatCategory.EXPORT, Decimal(0), Exemption(_(EXPORT_REASON), "VATEX-EU-G")
    return VatCategory.ZERO, Decimal(0), None


def _line(position: int, name: str, quantity: Decimal, unit: str, amount: Decimal, vat: VatTreatment, description):
    # `name` is English as the statement or the stored credit-note line has it: written in the current language.
    category, rate, _exemption = vat
    price = unit_price_for(amount, quantity) if quantity else Decimal(0)
    amount = money(amount)
    name = statement_label(name)
    return Line(str(position), name[:200], plain(quantity), unit, plain(price), amount, category, rate, description)


def credit_note_lines(credit_note: Invoice) -> list[CreditNoteLine]:
    """The stored lines of a credit note, in order."""
    return list(
        db.session.scalars(
            select(CreditNoteLine)
            .where(CreditNoteLine.credit_note_id == credit_note.id)
            .order_by(CreditNoteLine.position, CreditNoteLine.id)
        )
    )


def _invoice_content(statement: Statement, invoice: Invoice, vat: VatTreatment):
    category, rate, _exemption = vat
    lines = [
        _line(n, s.name, s.quantity, s.unit_code, s.amount, vat, s.description)
        for n, s in enumerate(statement_lines(statement, invoice), start=1)
    ]
    if not lines:  # EN 16931 needs a line (BR-16); an invoice of a quiet period says so
        lines = [_line(1, NOTHING_CHARGED, Decimal(0), "C62", Decimal(0), vat, None)]
    allowances = [
        AllowanceCharge(money(-line.amount), category, rate, statement_label(line.label), DISCOUNT_CODE)
        for line in statement.lines
        if line.kind == "discount" and line.amount
    ]
    return lines, allowances


def einvoice_for(invoice: Invoice) -> EInvoice:
    """The EN 16931 document of a raised invoice or credit note (type 380 or 381), from its statement.

    Its texts (payment terms, line names and details, discount reasons, the VAT exemption reason)
    are in the customer's language, whoever asks for it; codes and figures are the standard's.

    Raises:
        InvalidEInvoice: the invoice is not raised, or its data cannot make a valid document
            (e.g. reverse charge without the customer's VAT number), or the document's totals
            would disagree with the statement's net, VAT, total or paid amount.
    """
    if not invoice.is_approved or not invoice.invoice_number:
        raise InvalidEInvoice(["only a raised invoice (approved, numbered) has an e-invoice"])
    with in_language(invoice.customer.language):
        return _document(invoice)


def _document(invoice: Invoice) -> EInvoice:
    statement = build_statement(invoice, invoice.invoice_date)
    vat = vat_category(statement, invoice)
    category, _, exemption = vat
    if invoice.is_credit_note:
        document_type = DocumentType.CREDIT_NOTE
        lines = [
            _line(n, row.name, row.quantity, row.unit_code, row.net_amount, vat, row.description)
            for n, row in enumerate(credit_note_lines(invoice), start=1)
        ]
        allowances: list[AllowanceCharge] = []
        original = invoice.credited_invoice
        preceding = InvoiceReference(original.invoice_number, original.invoice_date)
        prepaid, due_date = Decimal("0.00"), None
    else:
        document_type = DocumentType.INVOICE
        lines, allowances = _invoice_content(statement, invoice, vat)
        preceding, prepaid, due_date = None, statement.paid, statement.due_date
    exemptions = {category: exemption} if exemption else {}
    breakdown, totals = calculate(lines, allowances=allowances, prepaid=prepaid, exemptions=exemptions)
    document = EInvoice(
        document_type=document_type,
        number=statement.number,
        issue_date=statement.invoice_date,
        currency=statement.currency,
        seller=seller_party(invoice.organization),
        buyer=buyer_party(invoice.customer),
        lines=tuple(lines),
        vat_breakdown=breakdown,
        totals=totals,
        allowances=tuple(allowances),
        period=invoice_period(invoice),
        due_date=due_date,
        payment_terms=payment_terms(invoice),
        payment_means=payment_means(statement.payment),
        buyer_reference=buyer_reference(invoice),
        order_reference=invoice.purchase_order_number or None,
        preceding_invoice=preceding,
        notes=tuple(note for note in (invoice.invoice_message, invoice.credit_reason) if note),
    )
    _check_against_statement(statement, document)
    return document


def _check_against_statement(statement: Statement, document: EInvoice) -> None:
    # A credit note's statement is negative (it reduces what the customer owes); its document is positive.
    sign = -1 if document.document_type == DocumentType.CREDIT_NOTE else 1
    want = {
        "net": money(sign * statement.net),
        "VAT": money(sign * statement.vat),
        "total": money(sign * statement.total),
        "paid": money(sign * statement.paid),
    }
    totals = document.totals
    have = {"net": totals.tax_basis, "VAT": totals.vat_total, "total": totals.grand_total, "paid": totals.prepaid}
    problems = [
        f"the e-invoice's {name} {have[name]} differs from the statement's {want[name]}"
        for name in want
        if have[name] != want[name]
    ]
    if problems:
        raise InvalidEInvoice(problems)
