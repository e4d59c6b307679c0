"""HTML forms: every field's wrong values (empty, 10,000 characters, wrong type, out-of-order dates,
non-existent or foreign ids) give an error beside that field, never a 500, and write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import Account, Customer, Invoice, Payment
from tests.admin.test_customer_views import _account_form, field_error
from tests.factories import AccountFactory, CustomerFactory

HUGE = "x" * 10_000

CUSTOMER_CASES = [
    ("name", "", "can't be blank"),
    ("name", HUGE, None),
    ("address", HUGE, None),
    ("vat_number", HUGE, None),
    ("email", HUGE, None),
    ("email", "not-an-address", None),
    ("phone", HUGE, None),
    ("country_code", "Atlantis", None),
    ("payment_method", "Gold bars", None),
]


@pytest.mark.parametrize("field, value, message", CUSTOMER_CASES, ids=lambda v: str(v)[:20])
def test_customer_form_shows_each_wrong_value_beside_its_field(admin, session, field, value, message):
    data = {"name": "Acme", "country_code": "DE", "payment_method": "Card", field: value}
    response = admin.post_form("/admin/customers/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, (field, response.status_code)
    error = field_error(html, field)
    assert error, f"no error beside {field}"
    assert message is None or error == message
    assert session.scalar(select(func.count(Customer.id))) == 0


ACCOUNT_CASES = [
    ("name", ""),
    ("name", HUGE),
    ("currency", ""),
    ("currency", "euro"),
    ("currency", HUGE),
    ("timezone", ""),
    ("timezone", "Moon/Base"),
    ("timezone", HUGE),
    ("vat_rate", "nineteen"),
    ("vat_rate", "-1"),
    ("vat_rate", HUGE),
    ("payment_terms_days", "thirty"),
    ("payment_terms_days", "1.5"),
    ("payment_terms_days", HUGE),
    ("invoice_period", "Fortnightly"),
    ("invoice_ref_template", HUGE),
    ("invoice_ref_template", "no placeholder"),
    ("delivery_mode", "pigeon"),
    ("bill_style", "Nonexistent style"),
    ("max_call_duration", "long"),
    ("max_call_duration", "-5"),
    ("max_call_duration", HUGE),
]


@pytest.mark.parametrize("field, value", ACCOUNT_CASES, ids=lambda v: str(v)[:20])
def test_account_form_shows_each_wrong_value_beside_its_field(admin, session, field, value):
    customer = CustomerFactory()
    session.commit()
    response = admin.post_form(f"/admin/customers/{customer.id}/accounts/new", _account_form(**{field: value}))
    assert response.status_code == 422, (field, response.status_code)
    assert field_error(response.get_data(as_text=True), field), f"no error beside {field}"
    assert session.scalar(select(func.count(Account.id))) == 0


def test_account_form_refuses_invoice_contacts_that_do_not_exist(admin, session):
    customer = CustomerFactory()
    session.commit()
    for bogus in ("999999", "abc", HUGE[:50]):
        response = admin.post_form(
            f"/admin/customers/{customer.id}/accounts/new", _account_form(invoice_contact_ids=[bogus])
        )
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "invoice_contact_ids")
    assert session.scalar(select(func.count(Account.id))) == 0


def invoice_create_cases():
    return [
        ("account", {"account": ""}),
        ("account", {"account": "999999"}),
        ("account", {"account": "not-a-number"}),
        ("account", {"account": HUGE}),
        ("start_date", {"start_date": ""}),
        ("start_date", {"start_date": "31/05/2026"}),
        ("start_date", {"start_date": HUGE}),
        ("end_date", {"end_date": ""}),
        ("end_date", {"end_date": "2026-13-01"}),
        ("end_date", {"start_date": "2026-06-01", "end_date": "2026-05-01"}),  # dates out of order
    ]


@pytest.mark.parametrize("field, override", invoice_create_cases(), ids=lambda v: str(v)[:24])
def test_invoice_create_form_shows_each_wrong_value_beside_its_field(admin, session, field, override):
    account = AccountFactory()
    session.commit()
    data = {
        "customer": account.customer.name,
        "account": str(account.id),
        "start_date": "2026-05-01",
        "end_date": "2026-06-01",
        **override,
    }
    response = admin.post_form("/admin/invoices/new", data)
    assert response.status_code == 422, (field, response.status_code)
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html, f"no error beside {field}"
    assert session.scalar(select(func.count(Invoice.id))) == 0


def test_invoice_create_refuses_an_account_of_another_customer(admin, session):
    mine, theirs = AccountFactory(), AccountFactory()
    session.commit()
    response = admin.post_form(
        "/admin/invoices/new",
        {
            "customer": mine.customer.name,
            "account": str(theirs.id),
            "start_date": "2026-05-01",
            "end_date": "2026-06-01",
        },
    )
    assert response.status_code == 422
    assert 'id="account-error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Invoice.id))) == 0


PAYMENT_CASES = [
    ({"amount": "", "paid_on": "2026-06-01"}, "amount"),
    ({"amount": "ten", "paid_on": "2026-06-01"}, "amount"),
    ({"amount": HUGE, "paid_on": "2026-06-01"}, "amount"),
    ({"amount": "1e999", "paid_on": "2026-06-01"}, "amount"),
    ({"amount": "1.00", "paid_on": ""}, "paid-on"),
    ({"amount": "1.00", "paid_on": "yesterday"}, "paid-on"),
    ({"amount": "1.00", "paid_on": HUGE}, "paid-on"),
    ({"amount": "1.00", "paid_on": "2026-06-01", "method": HUGE}, "method"),
    ({"amount": "1.00", "paid_on": "2026-06-01", "reference": HUGE}, "reference"),
]


@pytest.mark.parametrize("data, field", PAYMENT_CASES, ids=lambda v: str(v)[:24])
def test_payment_form_names_the_wrong_field_and_records_nothing(admin, session, data, field):
    from tests.admin.test_invoices_actions import make_invoice

    invoice = make_invoice("Approved")
    response = admin.post_form(f"/admin/invoices/{invoice.id}/payments", data, follow_redirects=True)
    assert response.status_code < 500
    html = response.get_data(as_text=True)
    assert f"{field} - " in html, f"no error naming {field}"
    assert session.scalar(select(func.count(Payment.id))) == 0


@pytest.mark.parametrize(
    "query",
    [
        {"q": HUGE},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999999999999999999"},
        {"q": "\x00"},
        {"q": "%' OR 1=1 --"},
        {"sort": "nonsense"},
        {"per_page": "1000000"},
    ],
)
def test_customer_list_filters_never_fail(admin, session, query):
    CustomerFactory(name="Acme Telecom")
    session.commit()
    response = admin.get("/admin/customers", query_string=query)
    assert response.status_code in (200, 400), response.status_code
    if query.get("q") == "%' OR 1=1 --":
        assert "Acme Telecom" not in response.get_data(as_text=True)
