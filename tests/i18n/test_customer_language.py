"""Each customer has a language: stored and checked by the service, set in the admin form, listed by the admin API."""

from __future__ import annotations

import pytest

from portal.customers.customers import create_customer, update_customer
from portal.foundations.errors import ValidationFailed
from portal.models import Customer
from tests.api.jsonapi.conftest import ADMIN, jsonapi_headers, login_admin
from tests.factories import AdminUserFactory, CustomerFactory


def test_a_new_customer_reads_english_unless_given_a_language(app, session):
    assert create_customer(name="Plain Ltd").language == "en"
    assert create_customer(name="Nordwind GmbH", language="de").language == "de"


def test_an_unknown_language_is_refused_beside_the_field(app, session):
    customer = CustomerFactory()
    with pytest.raises(ValidationFailed) as refused:
        update_customer(customer, language="xx")
    assert [(e.field, e.message) for e in refused.value.errors] == [("language", "must be one of en, de, fr, es")]
    assert customer.language == "en"


def test_the_admin_customer_form_sets_the_language(admin, session):
    customer = CustomerFactory(name="Voix de Paris SAS")
    session.commit()
    form = admin.get(f"/admin/customers/{customer.id}/edit").get_data(as_text=True)
    assert '<option value="fr">Français</option>' in form
    response = admin.edit_customer(customer, language="fr")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Customer, customer.id).language == "fr"
    assert "<dt>Language</dt><dd>Français</dd>" in admin.get(f"/admin/customers/{customer.id}").get_data(as_text=True)
    bad = admin.edit_customer(customer, language="klingon")
    assert bad.status_code == 422 and "must be one of en, de, fr, es" in bad.get_data(as_text=True)


def test_the_admin_api_lists_the_contractors_language(client, session):
    CustomerFactory(name="Iberia Voz S.L.", language="es")
    admin = AdminUserFactory(level=5)
    session.commit()
    token = login_admin(client, admin)
    body = client.get(
        f"{ADMIN}/contractors", query_string={"filter[name_cont]": "Iberia"}, headers=jsonapi_headers(token)
    ).get_json()
    assert [item["attributes"]["language"] for item in body["data"]] == ["es"]
