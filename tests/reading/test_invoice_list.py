"""Every invoice list face builds one list query (portal.reading.invoice_list) from its own parameters."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.customers.scope import CustomerScope
from portal.extensions import db
from portal.models import Organization
from portal.reading import invoice_list
from portal.reading.customer_views import CustomerInvoiceFilters, list_customer_invoices
from tests.api.jsonapi.conftest import jsonapi_headers, login_admin
from tests.api.key_clients import bearer, make_key, raised_invoice
from tests.factories import AccountFactory, AdminUserFactory, CustomerUserFactory


@pytest.fixture
def built(monkeypatch):
    """The list queries read while the test runs (their sort keys)."""
    seen: list[str] = []
    order = invoice_list.InvoiceListQuery.order

    def spy(self, **kwargs):
        seen.append(self.sort_key)
        return order(self, **kwargs)

    monkeypatch.setattr(invoice_list.InvoiceListQuery, "order", spy)
    return seen


@pytest.fixture
def invoice(app):
    account = AccountFactory()
    invoice = raised_invoice(account)
    db.session.commit()
    return invoice


def test_the_customer_list_and_its_export_read_the_list_query(client, login, invoice, built):
    user = CustomerUserFactory(customer=invoice.account.customer)
    db.session.commit()
    login(user)
    assert client.get("/portal/invoices?sort=number&direction=asc").status_code == 200
    assert client.get("/portal/invoices.csv").status_code == 200
    assert built.count("number") >= 1 and "date" in built
    page = list_customer_invoices(CustomerScope.for_user(user), CustomerInvoiceFilters(), today=dt.date(2026, 7, 1))
    assert [i.id for i in page.items] == [invoice.id]


def test_the_admin_list_reads_the_list_query(client, login, invoice, built):
    login(AdminUserFactory(level=5))
    db.session.commit()
    response = client.get("/admin/invoices?sort=-invoiceNumber")
    assert response.status_code == 200 and "invoiceNumber" in built


def test_the_backend_and_orgs_lists_read_the_list_query(client, invoice, built):
    key = make_key()
    assert client.get("/backend/api/v1/invoices?sort=dueDate", headers=bearer(key)).status_code == 200
    assert "dueDate" in built
    org = db.session.get(Organization, invoice.account.customer.organization_id)
    response = client.get(
        f"/v2/orgs/{org.slug}/accounts/{invoice.account_id}/invoices?start_date=2026-01-01&end_date=2026-12-31",
        headers={"x-api-key": key},
    )
    assert response.status_code == 200, response.data
    assert len(response.get_json()["invoices"]) == 1 and "invoiceDate" in built


def test_the_jsonapi_lists_read_the_list_query(client, invoice, built):
    token = login_admin(client, AdminUserFactory(level=5))
    response = client.get("/api/rest/admin/invoices?sort=-end_date,reference", headers=jsonapi_headers(token))
    assert response.status_code == 200, response.data
    assert [row["id"] for row in response.get_json()["data"]] == [str(invoice.id)] and "end_date" in built
