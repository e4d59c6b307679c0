"""Odd values found by fuzzing the HTML forms and the APIs: digits int() refuses ("²"), numbers of hundreds of
digits, ids beyond the id column, and a Hypothesis pass of such values over the admin forms. Each is an error in
the face's own format (beside the field, or the API's error body), never a 500, and nothing is written."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import CustomerUser, Invoice
from tests.admin.test_customer_views import _account_form, field_error
from tests.api.backend_v1.conftest import BASE
from tests.api.key_clients import bearer, make_key, raised_invoice
from tests.factories import AccountFactory, CustomerFactory, CustomerUserFactory

NOT_AN_ID = ["²", "١٢٣٤٥٦٧٨٩٠١٢", str(10**30), "9" * 400, "-1"]
ODD = [
    "a\r\nb",
    "\n",
    "\u2028",
    "\x7f",
    "9" * 400,
    "-" + "9" * 30,
    "1e309",
    "NaN",
    "Infinity",
    "2147483648",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "2026-02-30",
    "0001-01-01T00:00:00+14:00",
    "²",
    "١٢٣",
    "x" * 3000,
    "{customer.__class__}",
    "{",
    "<script>",
    "\t",
    " 5 ",
    "5.",
    "+5",
    "−5",
    "",
]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_customer_invoice_list_page_of_400_digits_is_an_error_beside_the_field(app, client, login):
    account = AccountFactory()
    login(CustomerUserFactory(customer=account.customer))
    db.session.commit()
    response = client.get("/portal/invoices", query_string={"page": "9" * 400})
    assert response.status_code == 200
    assert '<p class="error">Number must be between 1 and 100000.</p>' in response.get_data(as_text=True)
    response = client.get("/portal/invoices.csv", query_string={"page": "9" * 400})
    assert response.status_code == 400 and "Number must be between 1 and 100000." in response.get_data(as_text=True)


@pytest.mark.parametrize("value", NOT_AN_ID, ids=repr)
def test_customer_user_account_limits_refuse_what_is_not_an_id(admin, session, value):
    account = AccountFactory()
    user = CustomerUserFactory(customer=account.customer)
    session.commit()
    response = admin.post_form(f"/admin/users/customers/{user.id}", {"account_ids": value})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "account_ids")
    session.expire_all()
    assert session.get(CustomerUser, user.id).accounts == []


@pytest.mark.parametrize("value", NOT_AN_ID[:4], ids=repr)
def test_invoice_create_page_and_its_account_options_take_any_customer_value(admin, session, value):
    account = AccountFactory()
    session.commit()
    options = admin.get("/admin/invoices/account-options", query_string={"customer": value})
    assert options.status_code == 200 and account.name not in options.get_data(as_text=True)
    response = admin.post_form(
        "/admin/invoices/new",
        {"customer": value, "account": str(account.id), "start_date": "2026-01-01", "end_date": "2026-02-01"},
    )
    assert response.status_code == 422
    assert session.scalar(select(func.count(Invoice.id))) == 0


@pytest.mark.parametrize("value", NOT_AN_ID[:4], ids=repr)
def test_audit_log_invoice_filter_refuses_what_is_not_an_id(admin, value):
    response = admin.get("/admin/audit", query_string={"invoice": value})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "invoice") == "must be an invoice id (a whole number)"


@pytest.mark.parametrize("value", ["²", 10**30, str(10**30), True, -3, "3 "], ids=repr)
def test_backend_create_refuses_an_account_that_is_not_an_id(client, app, value):
    account = AccountFactory()
    db.session.commit()
    response = client.post(
        f"{BASE}/customers/{account.customer_id}/invoices",
        headers=bearer(make_key()),
        json={"account": value, "startDate": "2026-01-01", "endDate": "2026-02-01"},
    )
    if value == "3 ":  # digits with spaces: an id, just not this customer's
        assert response.status_code == 400 and response.get_json()["error_code"] in (400003, 404001)
    else:
        assert response.status_code == 400 and response.get_json()["error_code"] == 400003
        assert response.get_json()["hint"] == "account - must be an account id"
    assert db.session.query(Invoice).count() == 0


def test_backend_download_link_query_parameters_with_other_digits_are_400504(client, app):
    invoice = raised_invoice(AccountFactory())
    db.session.commit()
    response = client.post(
        f"{BASE}/invoices/{invoice.id}?action=generateDownloadLink&maxUses=²", headers=bearer(make_key())
    )
    assert response.status_code == 400 and response.get_json()["error_code"] == 400504


def test_admin_forms_answer_odd_values_with_field_errors_never_a_500(admin, session):
    customer = CustomerFactory()
    session.commit()
    forms = {
        "/admin/customers/new": {"name": "Acme", "country_code": "DE", "payment_method": "Card"},
        f"/admin/customers/{customer.id}/accounts/new": _account_form(),
        f"/admin/customers/{customer.id}/contacts": {"email": "ap@acme.example", "name": "AP"},
        "/admin/templates/messages/new": {"name": "T", "subject": "Invoice {invoice_number}", "body_text": "Hi"},
        "/admin/templates/bill-styles": {"name": "Style", "layout": "full"},
        "/admin/billing-runs/new": {"run_at": "2026-01-01"},
    }

    @FUZZ
    @given(st.sampled_from(sorted(forms)), st.data())
    def check(url, data):
        values = dict(forms[url])
        field = data.draw(st.sampled_from(sorted(values)))
        values[field] = data.draw(st.sampled_from(ODD))
        response = admin.post_form(url, values)
        assert response.status_code < 500, (url, field, values[field], response.status_code)
        db.session.rollback()

    check()
