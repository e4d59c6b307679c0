"""The one htmx helper (portal.htmx) as every HTML face answers through it: fragment or whole page, Vary,
the pushed URL, history restores, and a signed-out htmx request sent to the sign-in page with HX-Redirect."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.admin.conftest import admin_client  # noqa: F401 - fixture
from tests.customer.conftest import account, customer, signed_in, user  # noqa: F401 - fixtures

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    "path",
    ["/portal/invoices?status=overdue&number=&period_from=", "/admin/invoices?state=Pending&customer=&account="],
)
def test_a_signed_out_htmx_request_is_sent_to_the_sign_in_page_as_a_whole_page(app, client, path):
    response = client.get(path, headers={**HTMX, "HX-Target": "invoice-results"})
    assert response.status_code == 401
    assert response.get_data() == b""  # nothing for htmx to paste into the results
    location = urlsplit(response.headers["HX-Redirect"])
    assert location.path == "/login"
    back = parse_qs(location.query)["next"][0]
    assert back == path.split("&")[0]  # the same list, without the empty fields


def test_a_signed_out_plain_request_is_redirected_without_the_empty_fields(app, client):
    response = client.get("/portal/invoices?status=paid&number=")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query)["next"] == ["/portal/invoices?status=paid"]


def test_a_signed_out_history_restore_follows_a_plain_redirect(app, client):
    response = client.get("/portal/invoices", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert response.status_code == 302 and "HX-Redirect" not in response.headers


def test_fragment_whole_page_and_history_restore(app, client, signed_in):
    page = client.get("/portal/invoices?status=paid")
    fragment = client.get("/portal/invoices?status=paid&number=", headers=HTMX)
    restore = client.get("/portal/invoices?status=paid", headers={**HTMX, "HX-History-Restore-Request": "true"})
    for response in (page, fragment, restore):
        assert {"HX-Request", "HX-Target", "HX-History-Restore-Request"} <= set(response.vary)
    assert "<html" in page.get_data(as_text=True) and "<html" in restore.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert fragment.headers["HX-Push-Url"] == "/portal/invoices?status=paid"
    assert "HX-Push-Url" not in page.headers and "HX-Push-Url" not in restore.headers


def test_the_admin_list_answers_its_results_only_to_an_htmx_swap_of_the_results(app, admin_client):
    client = admin_client(1)
    swap = client.get("/admin/invoices?state=Pending&customer=", headers={**HTMX, "HX-Target": "invoice-results"})
    elsewhere = client.get("/admin/invoices?state=Pending", headers={**HTMX, "HX-Target": "main"})
    assert "<html" not in swap.get_data(as_text=True) and "<html" in elsewhere.get_data(as_text=True)
    assert swap.headers["HX-Push-Url"] == "/admin/invoices?state=Pending"
