"""Sparse fieldsets are the client's to choose: the plans kept per fieldset stay bounded, and a fieldset read
after its cache started again reads as before."""

from __future__ import annotations

import itertools

from portal.api.jsonapi import document
from portal.extensions import db
from tests.api.jsonapi.conftest import ADMIN, jsonapi_headers
from tests.factories import InvoiceFactory

FIELDS = ("reference", "state", "start-date", "account", "service-data")
RELATIONSHIPS = ("account", "service-data")


def test_the_plans_kept_per_fieldset_stay_bounded(client, admin_token, monkeypatch):
    monkeypatch.setattr(document, "KEPT_PLANS", 4)
    monkeypatch.setattr(document, "_READERS", {})
    monkeypatch.setattr(document, "_RELATIONSHIPS", {})
    invoice = InvoiceFactory(reference="R-1")
    db.session.commit()
    fieldsets = [",".join(c) for n in (1, 2, 3) for c in itertools.combinations(FIELDS, n)]
    for fieldset in fieldsets * 2:  # 25 fieldsets, each read twice: the caches start again many times
        body = client.get(
            f"{ADMIN}/invoices/{invoice.id}?fields[invoices]={fieldset}", headers=jsonapi_headers(admin_token)
        ).get_json()
        names = fieldset.split(",")
        assert set(body["data"].get("attributes", {})) == {n for n in names if n not in RELATIONSHIPS}
        assert set(body["data"].get("relationships", {})) == {n for n in names if n in RELATIONSHIPS}
        assert len(document._READERS) <= 4 and len(document._RELATIONSHIPS) <= 4
