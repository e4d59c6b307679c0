"""Discount plans applied to an invoice's originated destination rows during fill."""

from __future__ import annotations

from decimal import Decimal

from portal.foundations.money import ZERO, micro


def _matches(prefix: str | None, plan) -> bool:
    return bool(prefix) and any(prefix.startswith(p) for p in plan.prefix_list)


def apply_discounts(rows, plans) -> None:
    """Reduce `amount` and raise `discount` on spent originated rows, in place.

    Percentage plans: the best matching percentage applies to a row (plans do not stack).
    Free-minute plans: each plan's allowance of billing seconds is used up over matching
    rows in prefix order; the free share of a row is its amount × free seconds / billed seconds.
    """
    active = [p for p in plans if p.active]
    spent_rows = sorted((r for r in rows if r.spent), key=lambda r: (r.dst_prefix or "", r.rate))
    for row in spent_rows:
        percents = [Decimal(p.percent) for p in active if p.kind == "percentage" and _matches(row.dst_prefix, p)]
        if percents:
            cut = micro(row.amount * max(percents) / 100)
            row.amount -= cut
            row.discount = (row.discount or ZERO) + cut
    for plan in (p for p in active if p.kind == "free_minutes"):
        remaining = plan.free_minutes * 60
        for row in spent_rows:
            if remaining <= 0:
                break
            if not _matches(row.dst_prefix, plan) or row.billing_duration <= 0 or row.amount <= 0:
                continue
            free = min(remaining, row.billing_duration)
            cut = micro(row.amount * free / row.billing_duration)
            row.amount -= cut
            row.discount = (row.discount or ZERO) + cut
            remaining -= free
