"""Markup that assistive technology reads: aria-invalid only on fields with an error, one id per element."""

from __future__ import annotations

import re

from tests.admin.conftest import admin_client  # noqa: F401 - fixture
from tests.customer.conftest import account, customer, signed_in, user  # noqa: F401 - fixtures
from tests.invoices import make_invoice


def ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_fields_are_marked_invalid_only_when_they_have_an_error(app, client, signed_in):
    fine = client.get("/portal/invoices").get_data(as_text=True)
    assert "aria-invalid" not in fine
    wrong = client.get("/portal/invoices?period_from=2026-05-01&period_to=2026-04-01").get_data(as_text=True)
    assert re.findall(r'aria-invalid="([^"]*)"', wrong) == ["true"]


def test_admin_forms_render_no_aria_invalid_none(app, admin_client):
    client = admin_client(5)
    for path in ("/admin/invoices/new", "/admin/customers/new", "/admin/users/admins/new"):
        assert 'aria-invalid="None"' not in client.get(path).get_data(as_text=True)


def test_pages_with_many_small_forms_use_each_id_once(app, admin_client):
    invoice = make_invoice("Approved")
    client = admin_client(5)
    for path in (
        f"/admin/invoices/{invoice.id}",
        "/admin/templates",
        "/admin/users",
        f"/admin/accounts/{invoice.account_id}",
    ):
        found = ids(client.get(path).get_data(as_text=True))
        assert sorted({i for i in found if found.count(i) > 1}) == [], path
