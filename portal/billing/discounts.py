"""Discount plans applied to an invoice's originated destination rows during fill."""

from __future__ import annotations

from decimal import Decimal

from portal.foundations.money import ZERO, micro
from portal.models import InvoiceDiscount


def _matches(prefix: str | None, plan) -> bool:
    return bool(prefix) and any(prefix.startswith(p) for p in plan.prefix_list)


def apply_discounts(rows, plans) -> list[InvoiceDiscount]:
    """Reduce `amount` and raise `discount` on spent originated rows, in place; say what each plan took.

    Percentage plans: the best matching percentage applies to a row (plans do not stack; the
    cut is the best plan's). Free-minute plans: each plan's allowance of billing seconds is used
    up over matching rows in prefix order; the free share of a row is its amount × free seconds /
    billed seconds.

    Returns one unsaved InvoiceDiscount per active plan that matched a charged row (the caller
    attaches them to the invoice): what the plan took, on what base, and for free minutes the
    seconds used of the allowance.
    """
    active = [p for p in plans if p.active]
    spent_rows = sorted((r for r in rows if r.spent), key=lambda r: (r.dst_prefix or "", r.rate))
    applied: dict[int, InvoiceDiscount] = {}

    def record(plan) -> InvoiceDiscount:
        if plan.id not in applied:
            applied[plan.id] = InvoiceDiscount(
                discount_plan_id=plan.id,
                name=plan.name,
                kind=plan.kind,
                percent=plan.percent if plan.kind == "percentage" else None,
                free_seconds=plan.free_minutes * 60 if plan.kind == "free_minutes" else None,
                base=ZERO,
                used_seconds=0,
                amount=ZERO,
            )
        return applied[plan.id]

    for row in spent_rows:
        matching = [p for p in active if p.kind == "percentage" and _matches(row.dst_prefix, p)]
        if matching:
            best = max(matching, key=lambda p: Decimal(p.percent))
            cut = micro(row.amount * Decimal(best.percent) / 100)
            taken = record(best)
            taken.base += row.amount
            taken.amount += cut
            taken.used_seconds += row.billing_duration
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
            taken = record(plan)
            taken.base += row.amount
            taken.amount += cut
            taken.used_seconds += free
            row.amount -= cut
            row.discount = (row.discount or ZERO) + cut
            remaining -= free
    return list(applied.values())
