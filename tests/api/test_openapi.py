"""The OpenAPI 3.1 document: valid, covering every JSON route, rendered for people at /api/docs."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from portal.api.openapi.document import HTTP_METHODS, operations

# Routes under the API prefixes that do not answer JSON (the page for people).
NON_JSON_ENDPOINTS = {"openapi.docs"}
API_PREFIXES = ("/api/", "/backend/", "/v2/")


def json_routes(app) -> set[tuple[str, str]]:
    """(endpoint, method) of every JSON route under the API prefixes."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIXES) or rule.endpoint in NON_JSON_ENDPOINTS:
            continue
        routes.update((rule.endpoint, method) for method in rule.methods - {"HEAD", "OPTIONS"})
    return routes


def described_routes(app, document) -> set[tuple[str, str]]:
    """(endpoint, method) each described operation reaches; a generic route such as
    `<key>/relationships/<rel>` is covered by the concrete paths documented for it."""
    adapter = app.url_map.bind("localhost")
    reached = set()
    for path, item in document["paths"].items():
        concrete = re.sub(r"{[^}]+}", "1", path)
        for method in (m for m in item if m in HTTP_METHODS):
            endpoint, _args = adapter.match(concrete, method.upper())  # raises for an unrouted description
            reached.add((endpoint, method.upper()))
    return reached


def test_document_is_valid_openapi_3_1(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_json_route_is_described(app, client):
    document = client.get("/api/openapi.json").get_json()
    missing = json_routes(app) - described_routes(app, document)
    assert not missing, f"JSON routes without an OpenAPI description: {sorted(missing)}"


def test_a_new_undocumented_route_would_be_caught(app, client):
    document = client.get("/api/openapi.json").get_json()
    del document["paths"]["/v2/orgs/{orgId}/accounts/{accountId}/invoices"]
    assert ("orgs_v2.account_invoices_list", "GET") in json_routes(app) - described_routes(app, document)


def test_path_parameters_match_the_routes(client):
    document = client.get("/api/openapi.json").get_json()
    for path, item in document["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method in (m for m in item if m in HTTP_METHODS):
            declared = {p["name"] for p in item[method].get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, method)


def test_docs_page_lists_every_operation_with_parameters_and_responses(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    document = client.get("/api/openapi.json").get_json()
    for op in operations(document):
        assert f"{op['method']} {op['path']}" in html.replace("&#39;", "'")
    for text in ("expiryHours", "perPage", "invoiceNumber", "start_date", "Responses", "application/pdf"):
        assert text in html
