"""The lines of an invoice as the statement has them, with what an e-invoice and a credit note need besides.

`statement_lines(statement, invoice)` takes every charge, credit and rounding line of the
invoice statement (`portal.statement.build_statement`) in order, with a stable key, a quantity
and unit (traffic in minutes, MIN; anything else one unit, C62), and the discounts the
statement gives on it. Nothing is summed or rounded here: the amounts are the statement's, so
the e-invoice, the PDF and the web page show the same lines and the same net.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from portal.models import Invoice
from portal.statement import Statement

MINUTE_PLACES = Decimal("0.0001")
TRAFFIC_SECTIONS = ("originated", "terminated")
#: The section whose calls the discounts were given on (its charged line is before them, see portal.statement).
DISCOUNTED_SECTION = "originated"


@dataclass(frozen=True)
class StatementLine:
    """One charge, credit or rounding line of an invoice statement, for an e-invoice or a credit note.

    `amount` is the statement's signed amount (negative for a credit), before the statement's
    discounts; `discount` is what the discounts took off it (never negative), so the line costs
    `charged = amount - discount`. `key` names the line stably across renders (credit notes
    refer to it): the statement section and the line's label.
    """

    key: str
    name: str
    quantity: Decimal  # negative for a credit
    unit_code: str  # MIN minutes, C62 one
    amount: Decimal
    discount: Decimal
    description: str | None = None

    @property
    def charged(self) -> Decimal:
        return self.amount - self.discount


def _minutes(seconds: int) -> Decimal:
    return (Decimal(seconds) / 60).quantize(MINUTE_PLACES, rounding=ROUND_HALF_UP)


def _quantity(invoice: Invoice, section: str, kind: str, amount: Decimal) -> tuple[Decimal, str]:
    sign = -1 if amount < 0 else 1
    if section in TRAFFIC_SECTIONS and kind == "charge":
        minutes = _minutes(getattr(invoice, f"{section}_billing_duration") or 0)
        if minutes:
            return sign * minutes, "MIN"
    return Decimal(sign), "C62"


def discounts(statement: Statement) -> Decimal:
    """What the statement's discount lines take off, as a positive amount."""
    return -sum((line.amount for line in statement.lines if line.kind == "discount"), Decimal(0))


def statement_lines(statement: Statement, invoice: Invoice) -> list[StatementLine]:
    """The statement's charge, credit and rounding lines, in its order (see the module docstring).

    The amounts sum to the statement's net plus its discounts, the charged amounts to its net.
    """
    discount = discounts(statement)
    lines = []
    for section in statement.sections:
        for line in section.lines:
            if line.kind == "discount":
                continue
            given = discount if section.key == DISCOUNTED_SECTION and line.kind == "charge" else Decimal(0)
            discount -= given
            quantity, unit = _quantity(invoice, section.key, line.kind, line.amount)
            key = f"{section.key}:{line.label}"
            detail = str(line.detail) if line.detail else None  # a lazy text: in the language this runs in
            lines.append(StatementLine(key, line.label, quantity, unit, line.amount, given, detail))
    return lines
