"""Invoices with real traffic for the document tests: CDRs and transactions, filled and approved by the engine."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy.exc import OperationalError

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.documents import service
from portal.extensions import db
from portal.models import Invoice
from tests.factories import AFTER_PERIOD as NOW
from tests.factories import PERIOD_END as END
from tests.factories import PERIOD_START as START
from tests.factories import AccountFactory, ServiceFactory, TransactionFactory, calls_to_germany


def pdf_text(data: bytes) -> list[str]:
    """The text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def make_invoice(
    *,
    destinations: int = 3,
    bill_style: str = "Full",
    approve: bool = True,
    render: bool = True,
    account=None,
    **account_fields,
):
    """A filled (and by default approved) invoice with `destinations` originated prefixes and one service charge."""
    account = account or AccountFactory(bill_style=bill_style, **account_fields)
    calls_to_germany(account, [(f"49{151 + n}", 1500) for n in range(destinations)], price="1.250000", rate="0.050000")
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


def approved_without_pdf(n: int = 1, **account_fields) -> list[int]:
    """Ids of `n` approved invoices (each of its own account) with no PDF rendered yet."""
    ids = []
    for _ in range(n):
        ids.append(make_invoice(destinations=1, render=False, **account_fields).id)
    return ids


@pytest.fixture
def failing_render(monkeypatch):
    """`failing_render(invoice_id, times=None)`: rendering that invoice fails (`times` times, or always) with the
    error the renderer met under load, a database lock."""
    real = service.render_invoice_pdf
    plan: dict[str, int | None] = {}

    def render(context, template, **options):
        number = context["invoice"]["number"]
        if number in plan:
            left = plan[number]
            if left is None or left > 0:
                if left is not None:
                    plan[number] = left - 1
                raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(context, template, **options)

    monkeypatch.setattr(service, "render_invoice_pdf", render)

    def _fail(invoice_id: int, times: int | None = None) -> None:
        plan[db.session.get(Invoice, invoice_id).invoice_number] = times

    return _fail
