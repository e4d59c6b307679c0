"""Each filter pattern the OpenAPI document declares accepts exactly the values the filter parser accepts."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from portal.api.jsonapi.conventions import JsonApiError
from portal.api.jsonapi.filters import filter_conditions
from portal.api.jsonapi.resources import REGISTRY

SAMPLES = {
    "number": ["0", "1", "-1", "12.5", "-0.000001", "123456789012345", "1234567890123456", "1.1234567", "1e3",
               ".5", "5.", "+5", " 5", "1,5", "١", "", "NaN"],
    "time": ["2026-05-01", "2026-05-01T10:00", "2026-05-01T10:00:59", "2026-05-01T10:00:00.123456",
             "2026-05-01T10:00Z", "2026-05-01T10:00:00+02:00", "2026-05-01T23:59:59.5-11:30", "2024-02-29",
             "2000-02-29", "2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "0000-01-01",
             "0001-01-01", "9999-12-31", "2026-05-01T24:00", "2026-05-01T10:60", "2026-05-01T10:00:60",
             "2026-05-01T10", "2026-05-01T10:00:00.1234567", "2026-05-01T10:00+24:00", "2026-05-01 10:00",
             "20260501", "2026-5-1", "yesterday", "٢٠٢٦-05-01", ""],
    "fk": ["1", "42", "007", "2147483647", "2147483648", "0", "-1", "+1", "1.0", "²", "٣", "", "1 "],
    "uuid": ["fd2e32c4-6674-11f1-867c-da575d109341", "FD2E32C4-6674-11F1-867C-DA575D109341",
             "fd2e32c46674-11f1-867c-da575d109341", "fd2e32c4-6674-11f1-867c-da575d10934", "not-a-uuid", ""],
}  # fmt: skip


def _documented_filters(client, path: str) -> dict:
    document = client.get("/api/openapi.json").get_json()
    [parameter] = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "filter"]
    return parameter["schema"]["properties"]


def _parser_accepts(resource, name: str, value: str) -> bool:
    try:
        filter_conditions(resource, MultiDict({f"filter[{name}]": value}))
    except JsonApiError:
        return False
    return True


@pytest.mark.parametrize(
    "resource_key, path",
    [("admin:invoices", "/api/rest/admin/invoices"), ("customer:invoices", "/api/rest/customer/v1/invoices")],
)
def test_documented_filter_patterns_accept_what_the_parser_accepts(client, resource_key, path):
    resource = REGISTRY[resource_key]
    documented = _documented_filters(client, path)
    kinds = {name: spec.kind for name, spec in resource.filters().items()}
    checked = set()
    disagreements = []
    for name, schema in documented.items():
        field = "id" if name == "id" else next((f for f in kinds if name.startswith(f + "_")), None)
        if field == "id":
            kind = "uuid" if resource.id_attr == "uuid" else "fk"
        else:
            kind = kinds[field]
        if kind not in SAMPLES or "pattern" not in schema:
            continue
        checked.add(kind)
        for value in SAMPLES[kind]:
            pattern = bool(re.search(schema["pattern"], value))
            if pattern != _parser_accepts(resource, name, value):
                disagreements.append((name, value, pattern))
    assert disagreements == []
    assert checked >= {"number", "time", "fk"} or checked >= {"number", "time", "uuid"}
