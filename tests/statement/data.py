"""Invoices made to hold every kind of statement line, through the real engine (fill, approve, pay)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.billing.payments import record_payment
from portal.extensions import db
from portal.models import DiscountPlan, Invoice
from tests.factories import (
    AccountFactory,
    CdrFactory,
    CountryFactory,
    CustomerFactory,
    ServiceFactory,
    TransactionFactory,
)

UTC = dt.timezone.utc
D = Decimal


def generated_invoices() -> list[Invoice]:
    """Approved invoices with credited traffic, a refund, two discount plans, reverse charge, a partial
    payment, and one whose refund outweighs its charges (a negative total); one left Pending."""
    de = CountryFactory(iso2="DE", name="Germany")
    customer = CustomerFactory(reverse_charge=True)
    account = AccountFactory(customer=customer, currency="EUR", vat_rate=D("19"), timezone="Europe/Berlin")
    db.session.add_all(
        [
            DiscountPlan(
                account=account, name="German mobile −10 %", kind="percentage", prefixes="4917", percent=D("10")
            ),
            DiscountPlan(
                account=account, name="5 free minutes to Germany", kind="free_minutes", prefixes="49", free_minutes=5
            ),
        ]
    )
    carrier = AccountFactory()
    domestic = CustomerFactory(reverse_charge=False)
    plain = AccountFactory(customer=domestic, currency="GBP", vat_rate=D("20"))
    service = ServiceFactory(name="Port rental")
    invoices = []
    for month, (acc, refund) in enumerate(((account, D("-7.35")), (plain, D("-3.10")), (plain, D("-900")))):
        start = dt.datetime(2026, 3 + month, 1, tzinfo=UTC)
        for n, prefix in enumerate(("4917", "4930", "4917")):
            CdrFactory(
                customer_acc_id=acc.id,
                time_start=start + dt.timedelta(hours=n + 1),
                dst_prefix=prefix,
                country_id=de.id,
                customer_price=D("1.333333"),
                customer_duration=240,
            )
        # Credited traffic: the account terminates a call and earns from it.
        CdrFactory(
            customer_acc_id=carrier.id,
            vendor_acc_id=acc.id,
            time_start=start + dt.timedelta(hours=5),
            vendor_price=D("2.222222"),
            dialpeer_prefix="4930",
            country_id=de.id,
        )
        TransactionFactory(account=acc, service=service, amount=D("100.005"), created_at=start + dt.timedelta(days=1))
        TransactionFactory(account=acc, amount=refund, category="refund", created_at=start + dt.timedelta(days=2))
        invoice = create_invoice(
            account_id=acc.id,
            start_date=start.date().isoformat(),
            end_date=dt.datetime(2026, 4 + month, 1).date().isoformat(),
            now=dt.datetime(2026, 11, 1, tzinfo=UTC),
        )
        fill_invoice(invoice)
        invoices.append(invoice)
    for invoice in invoices[:2]:
        approve_invoice(invoice, today=dt.date(2026, 8, 2), render_pdf=False)
    record_payment(invoices[0], amount=D("40.00"), paid_on=dt.date(2026, 8, 20), today=dt.date(2026, 8, 21))
    approve_invoice(invoices[2], today=dt.date(2026, 8, 2), render_pdf=False)
    # One more month left Pending: its draft figures.
    pending = create_invoice(
        account_id=account.id, start_date="2026-06-01", end_date="2026-07-01", now=dt.datetime(2026, 11, 1, tzinfo=UTC)
    )
    TransactionFactory(
        account=account, service=service, amount=D("12.34"), created_at=dt.datetime(2026, 6, 3, tzinfo=UTC)
    )
    fill_invoice(pending)
    db.session.commit()
    return invoices + [pending]
