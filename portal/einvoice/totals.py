"""EN 16931 rounding and sums: the VAT breakdown and totals from lines, allowances and charges, and their check."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from portal.einvoice.model import (
    DEFAULT_EXEMPTION_CODES,
    EXEMPT_CATEGORIES,
    AllowanceCharge,
    DocumentType,
    EInvoice,
    Exemption,
    InvalidEInvoice,
    Line,
    Totals,
    VatBreakdown,
    VatCategory,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: Decimals kept in a unit price derived from an amount, enough that quantity × price rounds back to it.
PRICE_PLACES = Decimal("1E-10")
#: Payment means that transfer to the payee's account, which must then be given (BR-61).
CREDIT_TRANSFERS = frozenset({"30", "58"})


class Calculation(NamedTuple):
    """The VAT breakdown (BG-23) and totals (BG-22) of a document."""

    vat_breakdown: tuple[VatBreakdown, ...]
    totals: Totals


def money(value: Decimal | int | str) -> Decimal:
    """An amount rounded to the cent, half away from zero (commercial rounding)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def plain(value: Decimal | int | str) -> Decimal:
    """A quantity, price or rate without trailing zeros and never in exponent notation (20.00 -> 20)."""
    return Decimal(format(Decimal(value).normalize(), "f"))


def line_net_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """BT-131 for a line without line allowances or charges: quantity × price, rounded to the cent."""
    return money(quantity * unit_price)


def unit_price_for(amount: Decimal, quantity: Decimal) -> Decimal:
    """A non-negative unit price (BT-146) for which `line_net_amount(quantity, price)` is `amount`.

    For lines whose amount was summed from rated events (calls rated one by one), where no
    round price exists: the price keeps ten decimals, so quantity × price rounds back to the
    amount for any quantity below a billion. Raises ValueError for a zero quantity with a
    non-zero amount, or when amount and quantity have opposite signs.
    """
    amount = money(amount)
    if quantity == 0:
        if amount:
            raise ValueError("a line with a zero quantity cannot have an amount")
        return Decimal(0)
    price = (amount / quantity).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)
    if price < 0:
        raise ValueError("the amount and the quantity of a line must have the same sign (the price is never negative)")
    return price


def _exemption(category: VatCategory, exemptions: Mapping[VatCategory, Exemption]) -> Exemption:
    if category not in EXEMPT_CATEGORIES:
        return Exemption()
    given = exemptions.get(category) or Exemption()
    return Exemption(given.reason, given.code or DEFAULT_EXEMPTION_CODES.get(category))


def calculate(
    lines: Iterable[Line],
    *,
    allowances: Iterable[AllowanceCharge] = (),
    charges: Iterable[AllowanceCharge] = (),
    prepaid: Decimal = ZERO,
    exemptions: Mapping[VatCategory, Exemption] | None = None,
) -> Calculation:
    """The VAT breakdown and the totals that EN 16931 requires for these lines, allowances and charges.

    Args:
        lines: the invoice lines; their net amounts are taken as given (checked by `verify`).
        allowances: document-level allowances (discounts), positive amounts.
        charges: document-level charges, positive amounts.
        prepaid: amount paid before this document (BT-113).
        exemptions: the reason text and/or VATEX code per exempt category (AE, G, E, O); a
            category without one gets its default code (VATEX-EU-AE, VATEX-EU-G, VATEX-EU-O).

    Returns:
        A `Calculation`: one breakdown per (category, rate) in order of first use, with
        BT-116 = lines + charges - allowances of that group and BT-117 = BT-116 × rate,
        rounded to the cent (zero outside category S); and totals that satisfy BR-CO-10 to
        BR-CO-16.
    """
    lines, allowances, charges = list(lines), list(allowances), list(charges)
    exemptions = exemptions or {}
    bases: dict[tuple[VatCategory, Decimal], Decimal] = {}

    def add(category: VatCategory, rate: Decimal, amount: Decimal) -> None:
        key = (VatCategory(category), plain(rate))
        bases[key] = bases.get(key, ZERO) + money(amount)

    for line in lines:
        add(line.vat_category, line.vat_rate, line.net_amount)
    for charge in charges:
        add(charge.vat_category, charge.vat_rate, charge.amount)
    for allowance in allowances:
        add(allowance.vat_category, allowance.vat_rate, -money(allowance.amount))

    breakdown = []
    for (category, rate), base in bases.items():
        tax = money(base * rate / 100) if category == VatCategory.STANDARD else ZERO
        exemption = _exemption(category, exemptions)
        breakdown.append(VatBreakdown(category, rate, money(base), tax, exemption.reason, exemption.code))

    line_total = money(sum((money(line.net_amount) for line in lines), ZERO))
    allowance_total = money(sum((money(a.amount) for a in allowances), ZERO))
    charge_total = money(sum((money(c.amount) for c in charges), ZERO))
    tax_basis = line_total - allowance_total + charge_total
    vat_total = money(sum((b.tax_amount for b in breakdown), ZERO))
    grand_total = tax_basis + vat_total
    prepaid = money(prepaid)
    totals = Totals(
        line_total, allowance_total, charge_total, tax_basis, vat_total, grand_total, prepaid, grand_total - prepaid
    )
    return Calculation(tuple(breakdown), totals)


def _key(breakdown: VatBreakdown) -> tuple[VatCategory, Decimal]:
    return VatCategory(breakdown.category), plain(breakdown.rate)


def _amount_problems(invoice: EInvoice) -> list[str]:
    problems = []
    for line in invoice.lines:
        if line.unit_price < 0:
            problems.append(f"line {line.id}: the unit price is negative; credit with a negative quantity (BR-27)")
        if line.net_amount != money(line.net_amount):
            problems.append(f"line {line.id}: the net amount {line.net_amount} has more than 2 decimals")
        elif line.net_amount != line_net_amount(line.quantity, line.unit_price):
            problems.append(
                f"line {line.id}: net amount {line.net_amount} is not quantity {line.quantity} × "
                f"price {line.unit_price} = {line_net_amount(line.quantity, line.unit_price)}"
            )
    for kind, items in (("allowance", invoice.allowances), ("charge", invoice.charges)):
        for item in items:
            if item.amount < 0 or item.amount != money(item.amount):
                problems.append(f"{kind} {item.amount}: must be positive with at most 2 decimals")
            if not (item.reason or item.reason_code):
                problems.append(f"{kind} {item.amount}: needs a reason or a reason code (BR-33, BR-38)")
            if (item.percentage is None) != (item.base_amount is None):
                problems.append(f"{kind} {item.amount}: give both or neither of percentage and base amount")
            elif item.percentage is not None and money(item.base_amount * item.percentage / 100) != item.amount:
                problems.append(f"{kind} {item.amount}: is not {item.percentage}% of {item.base_amount}")

    given = {_key(b): b for b in invoice.vat_breakdown}
    exemptions = {
        VatCategory(b.category): Exemption(b.exemption_reason, b.exemption_reason_code) for b in invoice.vat_breakdown
    }
    expected = calculate(
        invoice.lines,
        allowances=invoice.allowances,
        charges=invoice.charges,
        prepaid=invoice.totals.prepaid,
        exemptions=exemptions,
    )
    if len(given) != len(invoice.vat_breakdown):
        problems.append("the VAT breakdown lists a category and rate twice")
    for want in expected.vat_breakdown:
        have = given.pop(_key(want), None)
        label = f"VAT {want.category.value} {want.rate}%"
        if have is None:
            problems.append(f"{label}: missing from the VAT breakdown")
            continue
        if (have.taxable_amount, have.tax_amount) != (want.taxable_amount, want.tax_amount):
            problems.append(
                f"{label}: base {have.taxable_amount} and VAT {have.tax_amount} should be "
                f"{want.taxable_amount} and {want.tax_amount}"
            )
        if want.category in EXEMPT_CATEGORIES and not (have.exemption_reason or have.exemption_reason_code):
            problems.append(f"{label}: needs an exemption reason or code (BR-{want.category.value}-10)")
        if want.category not in EXEMPT_CATEGORIES and (have.exemption_reason or have.exemption_reason_code):
            problems.append(f"{label}: must not have an exemption reason (BR-{want.category.value}-10)")
    for key in given:
        problems.append(f"VAT {key[0].value} {key[1]}%: in the breakdown but on no line, allowance or charge")
    for name in (
        "line_total",
        "allowance_total",
        "charge_total",
        "tax_basis",
        "vat_total",
        "grand_total",
        "amount_due",
    ):
        have, want = getattr(invoice.totals, name), getattr(expected.totals, name)
        if have != want:
            problems.append(f"totals: {name} is {have}, the lines make it {want}")
    return problems


def _rule_problems(invoice: EInvoice) -> list[str]:
    problems = []
    categories = {VatCategory(line.vat_category) for line in invoice.lines}
    categories |= {VatCategory(item.vat_category) for item in (*invoice.allowances, *invoice.charges)}
    seller, buyer = invoice.seller, invoice.buyer
    if not invoice.lines:
        problems.append("a document needs at least one line (BR-16)")
    if not re.fullmatch(r"[A-Z]{3}", invoice.currency or ""):
        problems.append(f"currency {invoice.currency!r} is not an ISO 4217 code")
    if invoice.document_type not in (DocumentType.INVOICE, DocumentType.CREDIT_NOTE):
        problems.append(f"document type {invoice.document_type!r} is neither 380 nor 381")
    if VatCategory.OUTSIDE_SCOPE in categories and len(categories) > 1:
        problems.append("category O (outside the scope of VAT) cannot be mixed with other categories (BR-O-11)")
    if categories & {VatCategory.STANDARD, VatCategory.ZERO, VatCategory.EXEMPT, VatCategory.REVERSE_CHARGE} and not (
        seller.vat_id or seller.tax_registration_id
    ):
        problems.append("the seller needs a VAT id or a tax registration id (BR-S-02, BR-Z-02, BR-E-02, BR-AE-02)")
    if VatCategory.EXPORT in categories and not seller.vat_id:
        problems.append("an export (category G) needs the seller's VAT id (BR-G-02)")
    if VatCategory.REVERSE_CHARGE in categories and not (buyer.vat_id or buyer.legal_registration):
        problems.append("reverse charge (category AE) needs the buyer's VAT id or legal registration (BR-AE-02)")
    if not (seller.vat_id or seller.legal_registration or seller.identifier):
        problems.append("the seller needs a VAT id, a legal registration or an identifier (BR-CO-26)")
    if VatCategory.OUTSIDE_SCOPE in categories and not (seller.legal_registration or seller.identifier):
        # VAT ids are left out of such a document (BR-O-02), so another identifier must name the seller
        problems.append(
            "outside the scope of VAT (category O) the seller needs a legal registration or an identifier (BR-CO-26)"
        )
    if len(seller.address.lines) > 3 or len(buyer.address.lines) > 3:
        problems.append("an address has at most three lines")
    if invoice.totals.amount_due > 0 and not (invoice.due_date or invoice.payment_terms):
        problems.append("a positive amount due needs a due date or payment terms (BR-CO-25)")
    means = invoice.payment_means
    if means is not None and means.type_code in CREDIT_TRANSFERS and not means.iban:
        problems.append("a credit transfer needs the payee's account (IBAN, BR-61)")
    if invoice.period is not None and invoice.period.end < invoice.period.start:
        problems.append("the invoicing period ends before it starts (BR-29)")
    return problems


def verify(invoice: EInvoice) -> None:
    """Check that an EInvoice can become a valid EN 16931 document.

    The breakdown and totals must be exactly what `calculate` makes of the lines, allowances,
    charges and prepaid amount, and the parties must carry what the VAT categories require.

    Raises:
        InvalidEInvoice: with every problem found, one sentence each.
    """
    problems = _amount_problems(invoice) + _rule_problems(invoice)
    if problems:
        raise InvalidEInvoice(problems)


def writes_vat_ids(invoice: EInvoice) -> bool:
    """Whether the parties' VAT ids go into the XML: never on a document outside the scope of VAT (BR-O-02)."""
    return all(VatCategory(line.vat_category) != VatCategory.OUTSIDE_SCOPE for line in invoice.lines)
