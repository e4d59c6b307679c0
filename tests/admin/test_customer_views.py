"""Customer, contact and account pages: forms, their errors beside the fields, deletes and discount plans."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import select

from portal.models import Account, Contact, Customer, DiscountPlan
from tests.factories import AccountFactory, ContactFactory, CustomerFactory, CustomerUserFactory, InvoiceFactory


def field_error(html: str, field_id: str) -> str | None:
    """The error text rendered beside a field by the forms macro."""
    match = re.search(rf'<p id="{re.escape(field_id)}-error" class="error" role="alert">([^<]*)</p>', html)
    return html_lib.unescape(match.group(1)) if match else None


def test_customers_list_searches_and_links_to_detail(admin, session):
    CustomerFactory(name="Acme Telecom")
    CustomerFactory(name="Zeta Voice")
    session.commit()
    html = admin.get("/admin/customers?q=acme").get_data(as_text=True)
    assert "Acme Telecom" in html and "Zeta Voice" not in html


def test_create_customer_form_creates_and_redirects(admin, session):
    response = admin.post_form(
        "/admin/customers/new",
        {"name": "Acme", "country_code": "FR", "vat_number": "FR1", "reverse_charge": "y", "payment_method": "Card"},
    )
    assert response.status_code == 302
    customer = session.scalars(select(Customer)).one()
    assert response.headers["Location"].endswith(f"/admin/customers/{customer.id}")
    assert (customer.country_code, customer.reverse_charge, customer.payment_method) == ("FR", True, "Card")


def test_create_customer_with_missing_name_shows_the_error_beside_the_field(admin, session):
    response = admin.post_form("/admin/customers/new", {"name": "", "country_code": "DE"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "name") == "can't be blank"
    assert session.scalar(select(Customer.id)) is None


def test_reverse_charge_without_vat_number_is_shown_on_the_vat_field(admin, session):
    response = admin.post_form("/admin/customers/new", {"name": "Acme", "reverse_charge": "y"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "vat_number") == "can't be blank when reverse charge applies"


def test_edit_customer_saves_changes(admin, session):
    customer = CustomerFactory(name="Old")
    session.commit()
    assert admin.edit_customer(customer, name="New", country_code="").status_code == 302
    session.expire_all()
    assert session.get(Customer, customer.id).name == "New"


def test_customer_detail_shows_accounts_contacts_and_users(admin, session):
    customer = CustomerFactory()
    AccountFactory(customer=customer, name="Voice EUR")
    ContactFactory(customer=customer, email="ap@acme.example")
    CustomerUserFactory(customer=customer, email="jane@acme.example")
    session.commit()
    html = admin.get(f"/admin/customers/{customer.id}").get_data(as_text=True)
    assert '<td class="num">20%</td>' in html
    assert "Voice EUR" in html and "ap@acme.example" in html and "jane@acme.example" in html


def test_unknown_customer_is_a_404(admin):
    assert admin.get("/admin/customers/999999").status_code == 404


@pytest.mark.parametrize(
    "path, model, key", [("customers", Customer, "customer_id"), ("accounts", Account, "account_id")]
)
def test_deleting_a_customer_or_account_with_invoices_says_why_and_keeps_it(admin, session, path, model, key):
    row_id = getattr(InvoiceFactory(), key)
    session.commit()
    response = admin.post_form(f"/admin/{path}/{row_id}/delete", follow_redirects=True)
    assert "can&#39;t be deleted: it has invoices" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(model, row_id) is not None


def test_deleting_a_customer_without_invoices_works(admin, session):
    customer = CustomerFactory()
    session.commit()
    response = admin.post_form(f"/admin/customers/{customer.id}/delete")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Customer, customer.id) is None


def test_delete_without_csrf_token_changes_nothing(admin, session):
    customer = CustomerFactory()
    session.commit()
    admin.client.post(f"/admin/customers/{customer.id}/delete")
    session.expire_all()
    assert session.get(Customer, customer.id) is not None


def test_add_contact_with_bad_email_shows_the_error(admin, session):
    customer = CustomerFactory()
    session.commit()
    response = admin.post_form(f"/admin/customers/{customer.id}/contacts", {"email": "nope"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "email") == "is invalid"
    ok = admin.post_form(f"/admin/customers/{customer.id}/contacts", {"email": "ap@acme.example", "name": "AP"})
    assert ok.status_code == 303
    assert session.scalars(select(Contact.email)).all() == ["ap@acme.example"]


def _account_form(**overrides):
    data = {
        "name": "Voice",
        "currency": "EUR",
        "timezone": "Europe/Berlin",
        "vat_rate": "19",
        "payment_terms_days": "30",
        "invoice_period": "",
        "invoice_ref_template": "$id",
        "delivery_mode": "email",
        "bill_style": "Full",
        "max_call_duration": "",
    }
    data.update(overrides)
    return data


def test_create_account_form(admin, session):
    contact = ContactFactory()  # of a new customer
    session.commit()
    response = admin.post_form(
        f"/admin/customers/{contact.customer_id}/accounts/new",
        _account_form(invoice_contact_ids=[str(contact.id)], invoice_period="Monthly"),
    )
    assert response.status_code == 303
    account = session.scalars(select(Account)).one()
    assert account.invoice_contacts == [contact] and account.next_invoice_at is not None


def test_account_form_errors_appear_beside_their_fields(admin, session):
    customer = CustomerFactory()
    session.commit()
    response = admin.post_form(
        f"/admin/customers/{customer.id}/accounts/new",
        _account_form(
            currency="ZZZ", timezone="Moon/Base", vat_rate="120", payment_terms_days="-3", invoice_ref_template="INV"
        ),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "currency") == "is not an ISO 4217 currency code"
    assert field_error(html, "timezone") == "is not an IANA time zone"
    assert field_error(html, "vat_rate") == "must be between 0 and 100"
    assert field_error(html, "payment_terms_days") == "must be between 0 and 3650"
    assert field_error(html, "invoice_ref_template") == "must contain the $id placeholder"
    assert session.scalar(select(Account.id)) is None


def test_account_form_refuses_contacts_of_another_customer(admin, session):
    customer = CustomerFactory()
    theirs = ContactFactory()
    session.commit()
    response = admin.post_form(
        f"/admin/customers/{customer.id}/accounts/new", _account_form(invoice_contact_ids=[str(theirs.id)])
    )
    assert response.status_code == 422
    assert "must be contacts of the account&#39;s customer" in response.get_data(as_text=True)


def test_edit_account_shows_current_values_and_saves(admin, session):
    account = AccountFactory(name="Voice", vat_rate=20)
    session.commit()
    html = admin.get(f"/admin/accounts/{account.id}").get_data(as_text=True)
    assert 'value="Voice"' in html and 'value="20"' in html
    response = admin.post_form(f"/admin/accounts/{account.id}", _account_form(name="Voice 2", vat_rate="7.5"))
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Account, account.id).name == "Voice 2"


def test_the_billing_increment_is_set_on_the_account_form(admin, session):
    """ "first/next" seconds; the fill bills each call in them (portal.billing.traffic); blank is 1/1."""
    account = AccountFactory()
    session.commit()
    assert 'value="1/1"' in admin.get(f"/admin/accounts/{account.id}").get_data(as_text=True)
    response = admin.post_form(f"/admin/accounts/{account.id}", _account_form(billing_increment=" 30 / 6 "))
    assert response.status_code == 303
    session.expire_all()
    saved = session.get(Account, account.id)
    assert (saved.billing_increment_first, saved.billing_increment_next) == (30, 6)
    assert 'value="30/6"' in admin.get(f"/admin/accounts/{account.id}").get_data(as_text=True)
    response = admin.post_form(f"/admin/accounts/{account.id}", _account_form(billing_increment="sixty"))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "billing_increment").startswith("must be first/next seconds")
    admin.post_form(f"/admin/accounts/{account.id}", _account_form(billing_increment=""))
    session.expire_all()
    assert (saved.billing_increment_first, saved.billing_increment_next) == (1, 1)


def test_discount_plan_form_adds_toggles_and_removes(admin, session):
    account = AccountFactory()
    session.commit()
    bad = admin.post_form(
        f"/admin/accounts/{account.id}/discount-plans",
        {"name": "Mobile", "kind": "percentage", "prefixes": "49", "percent": "150"},
    )
    assert bad.status_code == 422
    assert field_error(bad.get_data(as_text=True), "plan-percent") == "must be more than 0 and at most 100"
    ok = admin.post_form(
        f"/admin/accounts/{account.id}/discount-plans",
        {"name": "Mobile", "kind": "percentage", "prefixes": "49", "percent": "10"},
    )
    assert ok.status_code == 303
    plan = session.scalars(select(DiscountPlan)).one()
    assert '<td class="num">10%</td>' in admin.get(f"/admin/accounts/{account.id}").get_data(as_text=True)
    admin.post_form(f"/admin/accounts/{account.id}/discount-plans/{plan.id}/toggle")
    session.expire_all()
    assert session.get(DiscountPlan, plan.id).active is False
    admin.post_form(f"/admin/accounts/{account.id}/discount-plans/{plan.id}/delete")
    session.expire_all()
    assert session.get(DiscountPlan, plan.id) is None


def test_discount_plan_of_another_account_is_a_404(admin, session):
    account = AccountFactory()
    from tests.factories import DiscountPlanFactory

    plan = DiscountPlanFactory()
    session.commit()
    response = admin.post_form(f"/admin/accounts/{account.id}/discount-plans/{plan.id}/delete")
    assert response.status_code == 404


def test_customers_list_survives_odd_page_numbers_and_long_searches(admin, session):
    CustomerFactory(name="Acme")
    session.commit()
    for query in ("page=abc", "page=-4", "page=999999999999", "q=" + "x" * 5000, "q=%25%27%22"):
        assert admin.get(f"/admin/customers?{query}").status_code == 200


def test_customers_list_counts_up_to_the_limit_and_pages_on_beyond_it(admin, session, monkeypatch):
    monkeypatch.setattr("portal.admin.customers.COUNT_LIMIT", 3)
    monkeypatch.setattr("portal.admin.customers.PER_PAGE", 2)
    for n in range(5):
        CustomerFactory(name=f"Carrier {n}")
    CustomerFactory(name="Zeta Voice")
    session.commit()
    first = admin.get("/admin/customers").get_data(as_text=True)
    assert "more than 3 customers" in first and "<span>Page 1</span>" in first
    assert re.findall(r">(Carrier \d|Zeta Voice)<", first) == ["Carrier 0", "Carrier 1"]
    assert 'href="/admin/customers?page=2">Next' in first
    last = admin.get("/admin/customers?page=3").get_data(as_text=True)
    assert re.findall(r">(Carrier \d|Zeta Voice)<", last) == ["Carrier 4", "Zeta Voice"]
    assert "Next" not in last
    found = admin.get("/admin/customers?q=carrier 4").get_data(as_text=True)
    assert "<caption>1 customers</caption>" in found and "Page 1" not in found  # exact: one page, no pager
