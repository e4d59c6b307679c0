"""EN 16931 rounding and sums: `calculate` makes consistent totals and `verify` refuses inconsistent ones."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D  # noqa: N817 - D("1.00") keeps the amount tables readable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.einvoice.cii import cii_xml
from portal.einvoice.model import AllowanceCharge, Identifier, InvalidEInvoice, VatCategory
from portal.einvoice.totals import calculate, line_net_amount, money, unit_price_for, verify
from portal.einvoice.ubl import ubl_xml
from tests.einvoice.samples import BUYER_DE, SCENARIOS, S, line

AE, O, Z = VatCategory.REVERSE_CHARGE, VatCategory.OUTSIDE_SCOPE, VatCategory.ZERO  # noqa: E741 - the EN 16931 codes


def test_amounts_round_half_away_from_zero_to_the_cent():
    assert money(D("0.125")) == D("0.13")
    assert money(D("-0.125")) == D("-0.13")
    assert money(D("2.675")) == D("2.68")  # a float would make this 2.67
    assert line_net_amount(D("1234.5"), D("0.012")) == D("14.81")


def test_vat_is_computed_per_category_and_rate_on_the_rounded_base():
    lines = [
        line("1", "a", "3", "C62", "0.333"),
        line("2", "b", "1", "C62", "10.00", rate="5"),
        line("3", "c", "1", "C62", "0.01"),
    ]
    breakdown, totals = calculate(lines)
    assert [(b.category, b.rate, b.taxable_amount, b.tax_amount) for b in breakdown] == [
        (S, D("20"), D("1.01"), D("0.20")),
        (S, D("5"), D("10.00"), D("0.50")),
    ]
    assert totals.vat_total == D("0.70")
    assert totals.grand_total == totals.tax_basis + totals.vat_total == D("11.71")


def test_allowances_and_charges_move_the_base_of_their_category():
    lines = [line("1", "calls", "1", "C62", "100.00")]
    allowances = [AllowanceCharge(D("10.00"), S, D("20"), reason="Discount")]
    charges = [AllowanceCharge(D("2.50"), S, D("20"), reason="Fee")]
    breakdown, totals = calculate(lines, allowances=allowances, charges=charges, prepaid=D("40"))
    assert breakdown[0].taxable_amount == D("92.50") and breakdown[0].tax_amount == D("18.50")
    assert (totals.line_total, totals.allowance_total, totals.charge_total, totals.tax_basis) == (
        D("100.00"),
        D("10.00"),
        D("2.50"),
        D("92.50"),
    )
    assert (totals.grand_total, totals.prepaid, totals.amount_due) == (D("111.00"), D("40.00"), D("71.00"))


def test_exempt_categories_get_their_default_vatex_code():
    breakdown, _ = calculate([line("1", "calls", "1", "C62", "5", AE, "0")])
    assert breakdown[0].exemption_reason_code == "VATEX-EU-AE" and breakdown[0].tax_amount == D("0.00")


@given(
    amount=st.decimals(min_value=D("-100000"), max_value=D("100000"), places=2),
    quantity=st.decimals(min_value=D("0.001"), max_value=D("10000000"), places=3),
)
def test_unit_price_for_rounds_back_to_the_summed_amount(amount, quantity):
    if amount < 0:
        quantity = -quantity
    price = unit_price_for(amount, quantity)
    assert price >= 0
    assert line_net_amount(quantity, price) == amount


@pytest.mark.parametrize("case", sorted(SCENARIOS))
def test_every_sample_passes_verify(case):
    verify(SCENARIOS[case]())


def problems_of(invoice) -> list[str]:
    with pytest.raises(InvalidEInvoice) as caught:
        verify(invoice)
    return caught.value.problems


def test_totals_that_do_not_add_up_are_refused_by_both_writers():
    invoice = SCENARIOS["plain"]()
    wrong = dataclasses.replace(
        invoice, totals=dataclasses.replace(invoice.totals, grand_total=D("79.04"), amount_due=D("79.04"))
    )
    assert problems_of(wrong) == [
        "totals: grand_total is 79.04, the lines make it 79.03",
        "totals: amount_due is 79.04, the lines make it 79.03",
    ]
    for writer in (cii_xml, ubl_xml):
        with pytest.raises(InvalidEInvoice):
            writer(wrong)


def test_a_vat_breakdown_that_disagrees_with_the_lines_is_refused():
    invoice = SCENARIOS["plain"]()
    [breakdown] = invoice.vat_breakdown
    wrong = dataclasses.replace(invoice, vat_breakdown=(dataclasses.replace(breakdown, tax_amount=D("13.18")),))
    assert problems_of(wrong)[0] == "VAT S 20%: base 65.86 and VAT 13.18 should be 65.86 and 13.17"


def test_a_line_amount_that_is_not_quantity_times_price_is_refused():
    invoice = SCENARIOS["plain"]()
    bad = dataclasses.replace(invoice.lines[2], net_amount=D("49.99"))
    problems = problems_of(dataclasses.replace(invoice, lines=(*invoice.lines[:2], bad)))
    assert problems[0] == "line 3: net amount 49.99 is not quantity 2 × price 25.00 = 50.00"


def test_a_negative_price_is_refused():
    invoice = SCENARIOS["credits"]()
    bad = dataclasses.replace(invoice.lines[2], quantity=D("1"), unit_price=D("-4.10"))
    assert "line 3: the unit price is negative; credit with a negative quantity (BR-27)" in problems_of(
        dataclasses.replace(invoice, lines=(*invoice.lines[:2], bad, invoice.lines[3]))
    )


def test_reverse_charge_needs_the_buyers_vat_id():
    invoice = SCENARIOS["reverse_charge"]()
    buyer = dataclasses.replace(BUYER_DE, vat_id=None)
    assert problems_of(dataclasses.replace(invoice, buyer=buyer)) == [
        "reverse charge (category AE) needs the buyer's VAT id or legal registration (BR-AE-02)"
    ]


def test_an_exempt_category_without_reason_or_code_is_refused():
    invoice = SCENARIOS["export"]()
    [breakdown] = invoice.vat_breakdown
    bare = dataclasses.replace(breakdown, exemption_reason=None, exemption_reason_code=None)
    assert problems_of(dataclasses.replace(invoice, vat_breakdown=(bare,))) == [
        "VAT G 0%: needs an exemption reason or code (BR-G-10)"
    ]


def test_outside_scope_cannot_be_mixed_and_drops_vat_ids():
    invoice = SCENARIOS["plain"]()
    mixed = [*invoice.lines, line("9", "Porting", "1", "C62", "1.00", O, "0")]
    breakdown, totals = calculate(mixed)
    assert "category O (outside the scope of VAT) cannot be mixed with other categories (BR-O-11)" in problems_of(
        dataclasses.replace(invoice, lines=tuple(mixed), vat_breakdown=breakdown, totals=totals)
    )
    only_o = [line("1", "Porting", "1", "C62", "1.00", O, "0")]
    breakdown, totals = calculate(only_o)
    seller = dataclasses.replace(invoice.seller, identifier=Identifier("TELCO"))
    outside = dataclasses.replace(invoice, seller=seller, lines=tuple(only_o), vat_breakdown=breakdown, totals=totals)
    assert b"GB123456789</ram:ID>" not in cii_xml(outside)
    assert b"PartyTaxScheme" not in ubl_xml(outside)


def test_a_positive_amount_due_needs_a_due_date_or_terms():
    invoice = dataclasses.replace(SCENARIOS["plain"](), due_date=None, payment_terms=None)
    assert problems_of(invoice) == ["a positive amount due needs a due date or payment terms (BR-CO-25)"]


def test_allowances_need_a_reason():
    invoice = SCENARIOS["discounts"]()
    bare = dataclasses.replace(invoice.allowances[1], reason=None, reason_code=None)
    assert problems_of(dataclasses.replace(invoice, allowances=(invoice.allowances[0], bare))) == [
        "allowance 5.00: needs a reason or a reason code (BR-33, BR-38)"
    ]


def test_peppol_needs_electronic_addresses_and_a_buyer_reference():
    invoice = SCENARIOS["plain"]()
    bare = dataclasses.replace(
        invoice, buyer_reference=None, buyer=dataclasses.replace(invoice.buyer, electronic_address=None)
    )
    with pytest.raises(InvalidEInvoice) as caught:
        ubl_xml(bare)
    assert len(caught.value.problems) == 2
    assert cii_xml(bare)  # CII (Factur-X EN 16931) requires neither


def test_zero_rated_lines_need_no_exemption_but_refuse_one():
    invoice = SCENARIOS["plain"]()
    zero = [line("1", "Emergency calls", "1", "C62", "0.00", Z, "0")]
    breakdown, totals = calculate(zero)
    verify(dataclasses.replace(invoice, lines=tuple(zero), vat_breakdown=breakdown, totals=totals, due_date=None))
    with_reason = (dataclasses.replace(breakdown[0], exemption_reason="Zero rated"),)
    assert problems_of(dataclasses.replace(invoice, lines=tuple(zero), vat_breakdown=with_reason, totals=totals)) == [
        "VAT Z 0%: must not have an exemption reason (BR-Z-10)"
    ]


def test_a_percentage_allowance_must_be_that_percentage_of_its_base():
    invoice = SCENARIOS["discounts"]()
    off = dataclasses.replace(invoice.allowances[0], base_amount=D("70.00"))
    assert problems_of(dataclasses.replace(invoice, allowances=(off, invoice.allowances[1]))) == [
        "allowance 7.20: is not 10% of 70.00"
    ]


def test_an_allowance_gives_both_or_neither_of_percentage_and_base():
    invoice = SCENARIOS["discounts"]()
    half = dataclasses.replace(invoice.allowances[0], percentage=None)
    assert problems_of(dataclasses.replace(invoice, allowances=(half, invoice.allowances[1]))) == [
        "allowance 7.20: give both or neither of percentage and base amount"
    ]
