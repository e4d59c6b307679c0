"""The OpenAPI part of the JSON:API is valid and real responses match the schemas it declares."""

from __future__ import annotations

import re

import jsonschema
import pytest
from openapi_spec_validator import validate

from portal.api.jsonapi.admin import READ_ONLY
from portal.api.jsonapi.openapi import COMPONENTS, PATHS
from portal.extensions import db
from tests.api.jsonapi.conftest import ADMIN, CUSTOMER, day, jsonapi_headers, login_customer, make_invoice
from tests.api.jsonapi.test_seeds import ADMIN_INVOICE_RELATIONSHIPS
from tests.factories import AccountFactory, CdrFactory, ServiceFactory, TransactionFactory


def resolve(schema):
    if isinstance(schema, dict):
        if "$ref" in schema:
            return resolve(COMPONENTS["schemas"][schema["$ref"].rsplit("/", 1)[1]])
        return {k: resolve(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [resolve(v) for v in schema]
    return schema


def _pattern(template: str) -> str:
    return "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"


def template_for(path: str) -> str:
    """The documented template of a concrete path; a literal segment beats a parameter (…/pdf over …/{rel})."""
    candidates = [t for t in PATHS if re.match(_pattern(t), path)]
    assert candidates, f"{path} is not documented"
    return min(candidates, key=lambda t: t.count("{"))


def check(response, method: str = "get") -> None:
    path = response.request.path
    operation = PATHS[template_for(path)][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, (path, response.status_code)
    content = documented.get("content")
    if not content:
        assert response.data == b""
        return
    media = content[response.mimetype]
    if response.mimetype.endswith("json"):
        jsonschema.validate(
            response.get_json(), resolve(media["schema"]), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )


def test_the_openapi_part_is_a_valid_document():
    validate(
        {"openapi": "3.1.0", "info": {"title": "JSON:API", "version": "1"}, "paths": PATHS, "components": COMPONENTS}
    )
    for route in (
        "/api/rest/admin/invoices",
        "/api/rest/admin/invoices/{key}/pdf",
        "/api/rest/admin/invoice-service-data/{key}",
        "/api/rest/customer/v1/invoices/{key}/download",
        "/api/rest/customer/v1/accounts",
        "/api/rest/customer/v1/auth",
    ):
        assert route in PATHS
    assert set(PATHS["/api/rest/admin/invoices"]) == {"get", "post"}
    assert set(PATHS["/api/rest/admin/invoices/{key}"]) == {"get", "delete"}


def test_every_documented_path_is_routed(app):
    adapter = app.url_map.bind("localhost")
    for path, item in PATHS.items():
        concrete = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000001", path)
        for method in item:
            endpoint, _ = adapter.match(concrete, method.upper())
            assert endpoint.startswith("jsonapi_"), path


@pytest.fixture
def filled(app, pdf_bytes):
    account = AccountFactory()
    CdrFactory(customer_acc_id=account.id, time_start=day(1))
    CdrFactory(vendor_acc_id=account.id, time_start=day(1))
    TransactionFactory(account=account, service=ServiceFactory(account_id=account.id), created_at=day(1))
    invoice = make_invoice(account, day(1), state="Approved", pdf=pdf_bytes)
    db.session.commit()
    return invoice


def test_admin_responses_match_their_schemas(client, admin_token, filled):
    headers = jsonapi_headers(admin_token)
    include = "account,originated-destinations.country,originated-destinations.network,service-data.service"
    urls = [
        f"{ADMIN}/invoices?include={include}",
        f"{ADMIN}/invoices/{filled.id}?include=terminated-networks",
        f"{ADMIN}/invoices/{filled.id}/pdf",
        f"{ADMIN}/invoices/999",
        f"{ADMIN}/invoices?sort=nope",
        f"{ADMIN}/invoices?page[size]=0",
        f"{ADMIN}/invoices/{filled.id}/relationships/account",
    ]
    for rel in ADMIN_INVOICE_RELATIONSHIPS:
        urls += [f"{ADMIN}/invoices/{filled.id}/{rel}", f"{ADMIN}/invoices/{filled.id}/relationships/{rel}"]
    for path in READ_ONLY:
        listed = client.get(f"{ADMIN}/{path}", headers=headers)
        check(listed)
        for item in listed.get_json()["data"][:1]:
            urls.append(f"{ADMIN}/{path}/{item['id']}")
            for rel in item.get("relationships", {}):
                urls += [f"{ADMIN}/{path}/{item['id']}/{rel}", f"{ADMIN}/{path}/{item['id']}/relationships/{rel}"]
    for url in urls:
        check(client.get(url, headers=headers))
    check(client.get(f"{ADMIN}/invoices"))
    check(client.delete(f"{ADMIN}/invoices/{filled.id}", headers=headers), "delete")
    body = (
        '{"data":{"type":"invoices","attributes":{"start-date":"2026-03-01","end-date":"2026-03-02"},'
        f'"relationships":{{"account":{{"data":{{"type":"accounts","id":"{filled.account_id}"}}}}}}}}}}'
    )
    created = client.post(
        f"{ADMIN}/invoices", data=body, headers={**headers, "Content-Type": "application/vnd.api+json"}
    )
    assert created.status_code == 201
    check(created, "post")
    check(
        client.post(f"{ADMIN}/invoices", data=body, headers={**headers, "Content-Type": "application/vnd.api+json"}),
        "post",
    )


def test_customer_responses_match_their_schemas(client, filled):
    from tests.factories import CustomerUserFactory

    user = CustomerUserFactory(customer=filled.account.customer)
    db.session.commit()
    login = client.post(f"{CUSTOMER}/auth", json={"auth": {"login": user.email, "password": "wrong"}})
    check(login, "post")
    headers = jsonapi_headers(login_customer(client, user))
    key = filled.uuid
    for url in (
        f"{CUSTOMER}/invoices?include=account",
        f"{CUSTOMER}/invoices/{key}",
        f"{CUSTOMER}/invoices/{key}/account",
        f"{CUSTOMER}/invoices/{key}/relationships/account",
        f"{CUSTOMER}/invoices/{key}/download",
        f"{CUSTOMER}/accounts",
        f"{CUSTOMER}/accounts/{filled.account.uuid}",
        f"{CUSTOMER}/invoices/00000000-0000-0000-0000-000000000000",
        f"{CUSTOMER}/invoices?filter[x]=1",
    ):
        check(client.get(url, headers=headers))
    check(client.get(f"{CUSTOMER}/invoices"))
