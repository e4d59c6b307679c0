"""Cache-Control: personal pages, exports and API answers are `no-store`; the documented JSON:API header and
public files are left as they were."""

from __future__ import annotations

import pytest

from portal.auth.api_keys import create_api_key
from portal.extensions import db
from tests.api.jsonapi.conftest import login_admin, login_customer
from tests.bulk import approved_invoices, stored_pdfs
from tests.factories import AccountFactory, AdminUserFactory, CustomerUserFactory
from tests.live import csrf_token

DOCUMENTED = "max-age=0, private, must-revalidate"  # the seeds' cache-control of the JSON:API answers
JSONAPI = "application/vnd.api+json"
PERSONAL = [
    "customer dashboard",
    "customer invoice list fragment",
    "customer invoice detail",
    "customer invoices.csv",
    "customer cdrs.csv",
    "customer pdf",
    "customer 404 page",
    "admin dashboard",
    "admin invoice detail",
    "admin stored document",
    "admin zip",
    "backend v1 list",
    "backend v1 pdf",
    "orgs v2",
    "json:api customer pdf",
    "json:api admin pdf",
]


@pytest.fixture
def faces(client, signed_in_clients):
    """`faces[name]()` → the response of one real request of that face, authenticated as that face expects."""
    account = AccountFactory()
    [invoice] = approved_invoices(account, 1)
    stored_pdfs([invoice])
    customer, admin = CustomerUserFactory(customer=account.customer), AdminUserFactory(level=5)
    _row, key = create_api_key(name="cache", scopes="read", level=3)
    db.session.commit()
    customer_client, admin_client = signed_in_clients(customer, admin)
    customer_jwt, admin_jwt = login_customer(client, customer), login_admin(client, admin)
    portal_csrf = csrf_token(customer_client.get(f"/portal/invoices/{invoice.uuid}").get_data(as_text=True))
    admin_csrf = csrf_token(admin_client.get("/admin/invoices").get_data(as_text=True))
    with_key = {"Authorization": f"Bearer {key}"}

    def jsonapi(token):
        return {"Authorization": f"Bearer {token}", "Accept": JSONAPI}

    return {
        "customer dashboard": lambda: customer_client.get("/portal/"),
        "customer invoice list fragment": lambda: customer_client.get(
            "/portal/invoices", headers={"HX-Request": "true"}
        ),
        "customer invoice detail": lambda: customer_client.get(f"/portal/invoices/{invoice.uuid}"),
        "customer invoices.csv": lambda: customer_client.get("/portal/invoices.csv"),
        "customer cdrs.csv": lambda: customer_client.get(f"/portal/invoices/{invoice.uuid}/cdrs.csv"),
        "customer pdf": lambda: customer_client.post(
            f"/portal/invoices/{invoice.uuid}/pdf", data={"csrf_token": portal_csrf}
        ),
        "customer 404 page": lambda: customer_client.get("/portal/invoices/no-such-invoice"),
        "admin dashboard": lambda: admin_client.get("/admin/"),
        "admin invoice detail": lambda: admin_client.get(f"/admin/invoices/{invoice.id}"),
        "admin stored document": lambda: admin_client.get(f"/admin/invoices/{invoice.id}/documents/pdf"),
        "admin zip": lambda: admin_client.post(
            "/admin/invoices/bulk", data={"csrf_token": admin_csrf, "action": "zip", "ids": [invoice.id]}
        ),
        "backend v1 list": lambda: client.get("/backend/api/v1/invoices", headers=with_key),
        "backend v1 pdf": lambda: client.get(
            f"/backend/api/v1/invoices/{invoice.id}", headers={**with_key, "Accept": "application/pdf"}
        ),
        "orgs v2": lambda: client.get(
            f"/v2/orgs/{account.customer.organization.slug}/accounts/{account.id}/invoices"
            "?start_date=2019-12-01&end_date=2020-02-01",
            headers=with_key,
        ),
        "json:api customer pdf": lambda: client.get(
            f"/api/rest/customer/v1/invoices/{invoice.uuid}/download", headers=jsonapi(customer_jwt)
        ),
        "json:api admin pdf": lambda: client.get(
            f"/api/rest/admin/invoices/{invoice.id}/pdf", headers=jsonapi(admin_jwt)
        ),
        "json:api customer show": lambda **headers: client.get(
            f"/api/rest/customer/v1/invoices/{invoice.uuid}", headers={**jsonapi(customer_jwt), **headers}
        ),
        "json:api admin show": lambda **headers: client.get(
            f"/api/rest/admin/invoices/{invoice.id}", headers={**jsonapi(admin_jwt), **headers}
        ),
        "signed-in static file": lambda: customer_client.get("/static/css/portal.css"),
        "static file": lambda: client.get("/static/css/portal.css"),
        "login page": lambda: client.get("/login"),
        "openapi": lambda: customer_client.get("/api/openapi.json"),
    }


def test_personal_pages_exports_and_api_answers_are_never_stored(faces):
    stored = {}
    for face in PERSONAL:
        response = faces[face]()
        response.get_data()  # a streamed body is read to its end
        assert response.status_code == (404 if "404" in face else 200), (face, response.status_code)
        stored[face] = response.headers.get("Cache-Control")
    assert stored == dict.fromkeys(PERSONAL, "no-store")


def test_the_jsonapi_documents_keep_the_documented_header(faces):
    for face in ["json:api customer show", "json:api admin show"]:
        response = faces[face]()
        assert response.status_code == 200 and response.mimetype == JSONAPI
        assert response.headers["Cache-Control"] == DOCUMENTED
        unchanged = faces[face](**{"If-None-Match": response.headers["ETag"]})
        assert unchanged.status_code == 304 and unchanged.headers["Cache-Control"] == DOCUMENTED


def test_public_files_are_cached_as_before(faces):
    static = faces["static file"]()
    assert faces["signed-in static file"]().headers.get("Cache-Control") == static.headers.get("Cache-Control")
    assert "no-store" not in (static.headers.get("Cache-Control") or "")
    assert faces["login page"]().headers.get("Cache-Control") is None
    assert faces["openapi"]().headers["Cache-Control"] == "public, max-age=300"
