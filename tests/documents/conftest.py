"""Invoices with real traffic for the document tests: CDRs and transactions, filled and approved by the engine."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.extensions import db
from tests.factories import (AccountFactory, CdrFactory, CountryFactory, NetworkFactory, ServiceFactory,
                             TransactionFactory)

UTC = dt.timezone.utc
START = dt.datetime(2026, 5, 1, tzinfo=UTC)
END = dt.datetime(2026, 6, 1, tzinfo=UTC)
NOW = dt.datetime(2026, 11, 1, tzinfo=UTC)


def pdf_text(data: bytes) -> list[str]:
    """The text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def make_invoice(*, destinations: int = 3, bill_style: str = "Full", approve: bool = True, render: bool = True,
                 account=None, **account_fields):
    """A filled (and by default approved) invoice with `destinations` originated prefixes and one service charge."""
    account = account or AccountFactory(bill_style=bill_style, **account_fields)
    germany = CountryFactory(iso2="DE", name="Germany")
    network = NetworkFactory(name="Vodafone DE", country=germany)
    for n in range(destinations):
        CdrFactory(customer_acc_id=account.id, time_start=START + dt.timedelta(hours=n + 1),
                   dst_prefix=f"49{151 + n}", country_id=germany.id, network_id=network.id,
                   customer_price=Decimal("1.250000"), destination_rate=Decimal("0.050000"),
                   customer_duration=1500, duration=1500)
    service = ServiceFactory(name="DID numbers", account_id=account.id)
    TransactionFactory(account=account, service=service, amount=Decimal("10.00"), created_at=START)
    invoice = create_invoice(account_id=account.id, start_date=START, end_date=END, now=NOW)
    fill_invoice(invoice)
    if approve:
        approve_invoice(invoice, today=dt.date(2026, 6, 2), render_pdf=render)
    db.session.commit()
    return invoice


@pytest.fixture
def invoice(app):
    return make_invoice()
