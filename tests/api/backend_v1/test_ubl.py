"""The backend API's invoice URL answers `Accept: application/xml` with the invoice's Peppol UBL 2.1 XML."""

from __future__ import annotations

from lxml import etree

from portal.extensions import db
from tests.api.backend_v1.conftest import assert_error
from tests.api.key_clients import pending_invoice, raised_invoice
from tests.einvoice.validation import xsd_errors

CBC = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


def test_accept_xml_gives_the_ubl_invoice_valid_against_the_ubl_21_xsd(api, account):
    invoice = raised_invoice(account)
    db.session.commit()
    response = api.get(f"/invoices/{invoice.id}", headers={"Accept": "application/xml"})
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert f'filename="{invoice.invoice_number}.xml"' in response.headers["Content-Disposition"]
    assert xsd_errors(response.data) == []
    root = etree.fromstring(response.data)
    assert etree.QName(root).localname == "Invoice"
    assert root.findtext("cbc:ID", namespaces=CBC) == invoice.invoice_number
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=CBC) == "380"


def test_json_and_pdf_negotiation_is_unchanged(api, account):
    invoice = raised_invoice(account)
    db.session.commit()
    assert api.get(f"/invoices/{invoice.id}").is_json
    assert api.get(f"/invoices/{invoice.id}", headers={"Accept": "*/*"}).is_json
    assert api.get(f"/invoices/{invoice.id}", headers={"Accept": "application/json, application/xml;q=0.5"}).is_json
    assert_error(api.get(f"/invoices/{invoice.id}", headers={"Accept": "application/pdf"}), 404, 404002)


def test_an_invoice_not_raised_has_no_xml_and_says_why(api, account):
    invoice = pending_invoice(account)
    db.session.commit()
    body = assert_error(api.get(f"/invoices/{invoice.id}", headers={"Accept": "application/xml"}), 404, 404003)
    assert "only a raised invoice" in body["hint"]
