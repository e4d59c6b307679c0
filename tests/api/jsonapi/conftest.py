"""Fixtures for the JSON:API tests: tokens through the real /auth endpoints, invoices through the real services."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.extensions import db
from portal.models import InvoiceDocument
from tests.factories import PASSWORD, AccountFactory, AdminUserFactory, CustomerUserFactory

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 1, tzinfo=UTC)
MEDIA = "application/vnd.api+json"
ADMIN = "/api/rest/admin"
CUSTOMER = "/api/rest/customer/v1"


@pytest.fixture(scope="session")
def pdf_bytes() -> bytes:
    """A real one-page PDF, rendered once with WeasyPrint."""
    from weasyprint import HTML

    return HTML(string="<h1>Invoice</h1><p>Test document</p>").write_pdf()


def jsonapi_headers(token: str | None = None, **extra) -> dict:
    headers = {"Accept": MEDIA}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    headers.update(extra)
    return headers


def invoice_create_body(account_id, start: str = "2026-05-01", end: str = "2026-06-01") -> str:
    """The JSON:API body that creates an invoice of the account for [start, end)."""
    return json.dumps(
        {
            "data": {
                "type": "invoices",
                "attributes": {"start-date": start, "end-date": end},
                "relationships": {"account": {"data": {"type": "accounts", "id": str(account_id)}}},
            }
        }
    )


def login_admin(client, user) -> str:
    response = client.post(f"{ADMIN}/auth", json={"auth": {"username": user.email, "password": PASSWORD}})
    assert response.status_code == 201, response.data
    return response.get_json()["jwt"]


def login_customer(client, user) -> str:
    response = client.post(f"{CUSTOMER}/auth", json={"auth": {"login": user.email, "password": PASSWORD}})
    assert response.status_code == 201, response.data
    return response.get_json()["jwt"]


@pytest.fixture
def admin(app):
    user = AdminUserFactory(level=5)
    db.session.commit()
    return user


@pytest.fixture
def admin_token(client, admin) -> str:
    return login_admin(client, admin)


def make_invoice(
    account, start: dt.datetime, end: dt.datetime | None = None, *, state: str = "Pending", pdf: bytes | None = None
):
    """An invoice moved through the real services to `state` (New, Pending or Approved)."""
    invoice = create_invoice(
        account_id=account.id, start_date=start, end_date=end or start + dt.timedelta(days=1), now=NOW
    )
    if state in ("Pending", "Approved"):
        fill_invoice(invoice)
    if state == "Approved":
        approve_invoice(invoice, render_pdf=False)  # the tests store the PDF they need themselves
    if pdf is not None:
        add_pdf(invoice, pdf)
    db.session.flush()
    return invoice


def add_pdf(invoice, data: bytes, filename: str | None = None) -> InvoiceDocument:
    """Store `data` as the invoice's PDF (flushed)."""
    document = InvoiceDocument(
        invoice_id=invoice.id,
        kind="pdf",
        filename=filename or f"{invoice.id}.pdf",
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    db.session.add(document)
    db.session.flush()
    return document


def day(n: int) -> dt.datetime:
    """Midnight UTC of the n-th day after 2026-01-01."""
    return dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(days=n)


@pytest.fixture
def customer_user(app):
    """A customer user of a customer with two accounts (no account limit)."""
    user = CustomerUserFactory()
    AccountFactory(customer=user.customer)
    AccountFactory(customer=user.customer)
    db.session.commit()
    return user
