"""Helpers for the API-key APIs: real keys made by the key service, invoices moved through the real engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from portal.auth.api_keys import create_api_key
from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice
from portal.extensions import db
from tests.factories import UTC, CdrFactory, InvoiceFactory


def make_key(*, scopes="read,write", level=5, customer=None, name="integration") -> str:
    """A live API key (committed), as the client would send it."""
    _row, key = create_api_key(
        name=name, scopes=scopes, level=level, customer_id=customer.id if customer is not None else None
    )
    db.session.commit()
    return key


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def pending_invoice(
    account, start=dt.datetime(2026, 5, 1, tzinfo=UTC), end=dt.datetime(2026, 6, 1, tzinfo=UTC), calls=3, **fields
):
    """A filled (Pending) invoice with `calls` calls of 0.10 in the period."""
    for i in range(calls):
        CdrFactory(
            customer_acc_id=account.id,
            time_start=start + dt.timedelta(hours=1 + i),
            customer_price=Decimal("0.100000"),
            customer_duration=90,
        )
    invoice = InvoiceFactory(account=account, start_date=start, end_date=end, **fields)
    fill_invoice(invoice)
    return invoice


def raised_invoice(
    account,
    start=dt.datetime(2026, 5, 1, tzinfo=UTC),
    end=dt.datetime(2026, 6, 1, tzinfo=UTC),
    today=dt.date(2026, 6, 2),
    calls=3,
    render_pdf=False,
    **fields,
):
    """An approved invoice (numbered, dated `today`, due 30 days later); its PDF only with `render_pdf`."""
    invoice = pending_invoice(account, start, end, calls=calls, **fields)
    approve_invoice(invoice, today=today, render_pdf=render_pdf)
    return invoice
