"""The dashboard's "this period so far": per account the customer may see, the open billing period's calls,
minutes and amount, read through the fill's own code, equal to what filling that period's invoice gives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import lxml.html
import pytest

from portal.billing.fill import fill_invoice
from portal.billing.invoices import create_invoice
from portal.billing.usage import open_period, usage_so_far
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.models import DiscountPlan
from portal.statement import statement_figures
from tests.factories import (
    UTC,
    AccountFactory,
    CdrFactory,
    CustomerFactory,
    CustomerUserFactory,
    InvoiceFactory,
    ServiceFactory,
    TransactionFactory,
)

D = Decimal
NOW = dt.datetime(2026, 5, 20, 15, 30, tzinfo=UTC)


def traffic(account, carrier, start: dt.datetime, now: dt.datetime) -> None:
    """Calls out (two discounted), a credited call in, a charge and a refund between `start` and `now`; and
    a call after `now`'s period and one before `start` that the period must leave out."""
    step = (now - start) / 10
    for n, (prefix, seconds, price) in enumerate((("4917", 61, "0.070001"), ("4930", 125, "0.250000"))):
        CdrFactory(
            customer_acc_id=account.id,
            time_start=start + step * (n + 1),
            dst_prefix=prefix,
            customer_duration=seconds,
            customer_price=D(price),
            destination_rate=D("0.12"),
        )
    CdrFactory(
        customer_acc_id=carrier.id, vendor_acc_id=account.id, time_start=start + step * 3, vendor_price=D("0.03")
    )
    TransactionFactory(account=account, service=ServiceFactory(), amount=D("9.995"), created_at=start + step * 4)
    TransactionFactory(account=account, amount=D("-1.10"), category="refund", created_at=start + step * 5)
    CdrFactory(customer_acc_id=account.id, time_start=start - dt.timedelta(minutes=1), customer_price=D("5"))


def filled(account, start: dt.datetime, end: dt.datetime):
    """The invoice of [start, end) as the billing run makes it at the period's end: created, then filled."""
    kind = "Auto Full" if account.invoice_period else "Manual"
    invoice = create_invoice(account_id=account.id, start_date=start, end_date=end, now=end, invoice_type=kind)
    return fill_invoice(invoice)


def account_with_plans(**fields):
    account = AccountFactory(**fields)
    db.session.add_all(
        [
            DiscountPlan(account=account, name="Mobile −10 %", kind="percentage", prefixes="4917", percent=D("10")),
            DiscountPlan(account=account, name="1 free minute", kind="free_minutes", prefixes="4930", free_minutes=1),
        ]
    )
    return account


@pytest.mark.parametrize(
    "fields",
    [
        {"invoice_period": "Monthly", "timezone": "Europe/Berlin"},
        {"invoice_period": "Weekly", "currency": "USD"},
        {"invoice_period": None, "billing_increment_first": 60, "billing_increment_next": 60},
    ],
    ids=["monthly", "weekly", "manual, billed per 60/60"],
)
def test_the_usage_so_far_is_what_filling_the_period_gives(app, fields):
    account, carrier = account_with_plans(**fields), AccountFactory()
    start, end = open_period(account, NOW)
    assert start <= NOW < end
    traffic(account, carrier, start, NOW)
    usage = usage_so_far(account, NOW)
    assert (usage.start, usage.end) == (start, end) and usage.calls == 2 and usage.amount != 0
    invoice = filled(account, start, end)
    figures = statement_figures(invoice, NOW.date())
    assert usage.amount == figures.net
    assert (usage.calls, usage.billed_seconds) == (invoice.originated_calls_count, invoice.originated_billing_duration)
    assert invoice.discount_amount > 0 and invoice.terminated_amount_earned > 0


def test_the_open_period_starts_where_the_latest_invoice_ended(app):
    account, carrier = account_with_plans(invoice_period="Monthly"), AccountFactory()
    InvoiceFactory(account=account, start_date=dt.datetime(2026, 5, 1, tzinfo=UTC), end_date=NOW - dt.timedelta(days=5))
    start, end = open_period(account, NOW)
    assert (start, end) == (NOW - dt.timedelta(days=5), dt.datetime(2026, 6, 1, tzinfo=UTC))
    traffic(account, carrier, start, NOW)
    usage = usage_so_far(account, NOW)
    invoice = filled(account, start, end)
    assert usage.amount == statement_figures(invoice, NOW.date()).net and usage.calls == 2


def _dashboard_rows(client, user) -> dict[int, str]:
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    tree = lxml.html.fromstring(client.get("/portal/").get_data(as_text=True))
    return {
        int(row.get("data-account")): " ".join(row.xpath("./td[@data-amount]")[0].text_content().split())
        for row in tree.xpath("//table[contains(@class, 'usage')]//tr[@data-account]")
    }


def test_the_dashboard_shows_each_visible_accounts_usage_and_a_limited_user_only_theirs(app):
    customer = CustomerFactory()
    first = account_with_plans(customer=customer, invoice_period="Monthly", name="Main line")
    second = AccountFactory(customer=customer, currency="USD", invoice_period="Weekly", name="Second line")
    carrier = AccountFactory()
    now = utcnow()
    for account in (first, second):
        traffic(account, carrier, open_period(account, now)[0], now)
    full = CustomerUserFactory(customer=customer)
    limited = CustomerUserFactory(customer=customer, accounts=[second])
    db.session.commit()
    expected = {a.id: usage_so_far(a, now).amount for a in (first, second)}
    rows = _dashboard_rows(app.test_client(), full)
    assert set(rows) == {first.id, second.id}
    assert rows[first.id] == f"€{expected[first.id]:,.2f}" and rows[second.id] == f"${expected[second.id]:,.2f}"
    assert set(_dashboard_rows(app.test_client(), limited)) == {second.id}
