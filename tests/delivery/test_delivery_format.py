"""The customer's delivery format decides what the invoice e-mail carries besides the Factur-X PDF; the admin
customer form sets it with the buyer reference (BT-10)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.delivery.emailing import email_invoice
from portal.extensions import db
from portal.foundations.permissions import Actor
from portal.models import Customer
from tests.admin.conftest import admin, admin_as  # noqa: F401 - fixtures
from tests.einvoice.validation import xsd_errors
from tests.factories import CustomerFactory
from tests.invoices import approved_invoice  # noqa: F401 - fixture
from tests.smtp import smtp_server  # noqa: F401 - fixture

CLERK = Actor("clerk@telco.example", kind="admin", level=3)


def attachments(smtp_server) -> dict[str, bytes]:
    return {a.get_filename(): a.get_content() for a in smtp_server.messages[0].message.iter_attachments()}


@pytest.mark.parametrize(
    ("delivery_format", "xml_name", "root"),
    [("pdf", None, None), ("facturx", "factur-x.xml", b"CrossIndustryInvoice"), ("ubl", "{number}.xml", b"<Invoice")],
)
def test_the_e_mail_carries_the_factur_x_pdf_and_the_xml_of_the_delivery_format(
    app, smtp_server, approved_invoice, delivery_format, xml_name, root
):
    approved_invoice.customer.delivery_format = delivery_format
    db.session.commit()
    email_invoice(approved_invoice, actor=CLERK)
    files = attachments(smtp_server)
    pdf = files.pop(f"{approved_invoice.invoice_number}.pdf")
    assert list(PdfReader(io.BytesIO(pdf)).attachments) == ["factur-x.xml"]  # the PDF is always Factur-X
    if xml_name is None:
        assert files == {}
        return
    [(name, xml)] = files.items()
    assert name == xml_name.format(number=approved_invoice.invoice_number)
    assert root in xml[:400] and xsd_errors(xml) == []


def test_the_admin_form_sets_buyer_reference_and_delivery_format(admin, session):
    customer = CustomerFactory(name="Bund")
    session.commit()
    response = admin.edit_customer(customer, buyer_reference="991-01234-56", delivery_format="ubl")
    assert response.status_code == 302
    session.expire_all()
    saved = session.scalars(select(Customer).where(Customer.id == customer.id)).one()
    assert (saved.buyer_reference, saved.delivery_format) == ("991-01234-56", "ubl")
    page = admin.get(f"/admin/customers/{customer.id}").get_data(as_text=True)
    assert "991-01234-56" in page and "UBL (PDF and Peppol UBL XML)" in page


def test_an_unknown_delivery_format_is_refused_beside_the_field(admin, session):
    customer = CustomerFactory(name="Bund")
    session.commit()
    response = admin.edit_customer(customer, delivery_format="fax")
    assert response.status_code == 422
    assert "must be one of pdf, facturx, ubl" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Customer, customer.id).delivery_format == "pdf"
