"""The OpenAPI 3.1 document: valid, covering every JSON route, rendered for people at /api/docs."""
from __future__ import annotations

import re

from openapi_spec_validator import validate

from portal.api.openapi.document import HTTP_METHODS, operations

# Routes under the API prefixes that do not answer JSON (the page for people).
NON_JSON_ENDPOINTS = {"openapi.docs"}
API_PREFIXES = ("/api/", "/backend/", "/v2/")


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def json_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIXES) or rule.endpoint in NON_JSON_ENDPOINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((_openapi_path(rule.rule), method.lower()))
    return routes


def test_document_is_valid_openapi_3_1(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_json_route_is_described(app, client):
    document = client.get("/api/openapi.json").get_json()
    described = {(path, method) for path, item in document["paths"].items() for method in item
                 if method in HTTP_METHODS}
    missing = json_routes(app) - described
    assert not missing, f"JSON routes without an OpenAPI description: {sorted(missing)}"
    stale = {(p, m) for p, m in described if (p, m) not in json_routes(app)}
    assert not stale, f"described operations without a route: {sorted(stale)}"


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
