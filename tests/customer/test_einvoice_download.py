"""Customers download the e-invoice (Peppol UBL 2.1 XML) of their raised invoices from the invoice page."""

from __future__ import annotations

from lxml import etree

from portal.extensions import db
from tests.api.key_clients import pending_invoice, raised_invoice
from tests.einvoice.validation import xsd_errors
from tests.factories import AccountFactory

CBC = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


def test_the_invoice_page_links_the_ubl_download_which_is_valid_ubl(signed_in, account):
    invoice = raised_invoice(account)
    db.session.commit()
    page = signed_in.get(f"/portal/invoices/{invoice.uuid}").get_data(as_text=True)
    assert f"/portal/invoices/{invoice.uuid}/ubl.xml" in page
    response = signed_in.get(f"/portal/invoices/{invoice.uuid}/ubl.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert f'filename="{invoice.invoice_number}.xml"' in response.headers["Content-Disposition"]
    assert xsd_errors(response.data) == []
    assert etree.fromstring(response.data).findtext("cbc:ID", namespaces=CBC) == invoice.invoice_number


def test_another_customers_invoice_and_a_draft_are_not_found(signed_in, account):
    foreign = raised_invoice(AccountFactory())
    draft = pending_invoice(account)
    db.session.commit()
    assert signed_in.get(f"/portal/invoices/{foreign.uuid}/ubl.xml").status_code == 404
    assert signed_in.get(f"/portal/invoices/{draft.uuid}/ubl.xml").status_code == 404
