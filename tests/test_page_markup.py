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


def test_error_pages_speak_plain_words_and_keep_the_navigation(app, admin_client, client, signed_in):
    customer_page = client.get("/portal/invoices/00000000-0000-0000-0000-000000000000")
    html = customer_page.get_data(as_text=True)
    assert customer_page.status_code == 404
    assert "Page not found" in html and "NotFound" not in html and "Not Found" not in html
    assert 'href="/portal/invoices"' in html  # the customer navigation
    viewer = admin_client(1)
    refused = viewer.post("/admin/invoices/987654/approve", data={"csrf_token": viewer.csrf})
    refused_html = viewer.get("/admin/invoices/987654").get_data(as_text=True)
    assert "Page not found" in refused_html and 'href="/admin/invoices"' in refused_html
    assert refused.status_code == 404


def test_a_level_one_viewer_refused_an_action_sees_why_with_the_navigation(app, admin_client):
    invoice = make_invoice("Pending")
    viewer = admin_client(1)
    refused = viewer.post(f"/admin/invoices/{invoice.id}/approve", data={"csrf_token": viewer.csrf})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "Not allowed" in html and "PermissionDenied" not in html and "needs expert level 3" in html
    assert 'href="/admin/invoices"' in html


def test_the_profile_page_keeps_the_customer_navigation(app, client, signed_in):
    html = client.get("/profile/password").get_data(as_text=True)
    assert 'href="/portal/invoices"' in html and 'aria-current="page"' in html
