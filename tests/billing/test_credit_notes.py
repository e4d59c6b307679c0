"""Credit notes against approved invoices: full, selected lines or an amount; own gapless series; balance due;
their PDF titled "Credit note"; EN 16931 type 381 in CII and a UBL CreditNote, valid against the XSDs."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from lxml import etree
from pypdf import PdfReader

from portal.billing.credit_notes import creditable, issue_credit_note
from portal.billing.payments import record_payment
from portal.documents.einvoices import einvoice_for
from portal.documents.service import get_pdf_document
from portal.einvoice.cii import cii_xml
from portal.einvoice.model import DocumentType
from portal.einvoice.ubl import ubl_xml
from portal.extensions import db
from portal.foundations.errors import InvalidState, PermissionDenied, ValidationFailed
from portal.foundations.permissions import Actor
from portal.models import AuditEvent, Invoice, PaymentStatus
from tests.documents.test_einvoices import raised_invoice
from tests.einvoice.validation import xsd_errors

MANAGER = Actor("manager@telco.example", kind="admin", level=4)
APPROVER = Actor("approver@telco.example", kind="admin", level=3)
TODAY = dt.date(2026, 6, 20)
CII = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def credit(invoice, **kwargs) -> Invoice:
    kwargs.setdefault("reason", "Calls billed twice")
    note = issue_credit_note(invoice, actor=MANAGER, today=TODAY, **kwargs)
    db.session.commit()
    return note


def test_a_full_credit_note_cancels_the_invoice_and_has_its_own_number(app):
    invoice = raised_invoice()
    total = invoice.total_amount
    note = credit(invoice, mode="full")
    assert note.is_credit_note and note.credited_invoice_id == invoice.id
    assert note.invoice_number == "CN-2026-000001" and invoice.invoice_number == "INV-2026-000001"
    assert (note.net_amount, note.total_amount) == (-invoice.net_amount, -total)
    assert note.payment_status(TODAY) == PaymentStatus.CREDIT_NOTE
    assert invoice.credited_amount == total and invoice.outstanding == 0
    assert invoice.payment_status(TODAY) == PaymentStatus.PAID
    event = db.session.query(AuditEvent).filter_by(action="invoice.credit_note_issued").one()
    assert event.invoice_id == note.id


def test_credit_note_numbers_are_a_gapless_series_of_their_own(app):
    first, second = raised_invoice(), raised_invoice()
    numbers = [
        credit(first, mode="amount", amount="1.00").invoice_number,
        credit(second, mode="amount", amount="1.00").invoice_number,
        credit(first, mode="amount", amount="2.00").invoice_number,
    ]
    assert numbers == ["CN-2026-000001", "CN-2026-000002", "CN-2026-000003"]
    assert raised_invoice().invoice_number == "INV-2026-000003"  # invoices keep counting on their own


def test_the_number_format_is_configurable(app):
    app.config["CREDIT_NOTE_NUMBER_FORMAT"] = "GS/{year}/{seq:04d}/{org}"
    try:
        assert credit(raised_invoice(), mode="full").invoice_number == "GS/2026/0001/telco"
    finally:
        app.config["CREDIT_NOTE_NUMBER_FORMAT"] = "CN-{year}-{seq:06d}"


def test_selected_lines_are_credited_at_what_they_charged_and_only_once(app):
    invoice = raised_invoice(discount=True)
    lines = creditable(invoice).lines
    discounted = next(line for line in lines if line.discount)
    note = credit(invoice, mode="lines", line_keys=[discounted.key])
    assert -note.net_amount == discounted.charged
    assert invoice.outstanding == invoice.total_amount + note.total_amount
    with pytest.raises(ValidationFailed, match="already credited"):
        credit(invoice, mode="lines", line_keys=[discounted.key])
    db.session.rollback()
    with pytest.raises(ValidationFailed, match="only possible while nothing of the invoice was credited"):
        credit(invoice, mode="full")


def test_an_amount_needs_a_reason_and_at_most_what_is_left(app):
    invoice = raised_invoice()
    cases = {
        "0": "must be greater than 0",
        "1.005": "more decimals",
        "abc": "is invalid",
        str(invoice.net_amount + Decimal("0.01")): "more than what is left",
    }
    for amount, message in cases.items():
        with pytest.raises(ValidationFailed, match=message):
            credit(invoice, mode="amount", amount=amount)
        db.session.rollback()
    with pytest.raises(ValidationFailed, match="reason - can't be blank"):
        credit(invoice, mode="amount", amount="1.00", reason="  ")
    db.session.rollback()
    note = credit(invoice, mode="amount", amount="1.50", reason="Goodwill for the outage")
    assert note.net_amount == Decimal("-1.50") and note.credit_reason == "Goodwill for the outage"
    assert note.vat_amount == Decimal("-0.30") and note.total_amount == Decimal("-1.80")
    assert db.session.query(Invoice).count() == 2  # the refused tries stored nothing


def test_only_a_manager_credits_only_an_approved_invoice_and_never_a_credit_note(app):
    invoice = raised_invoice()
    with pytest.raises(PermissionDenied):
        issue_credit_note(invoice, mode="full", reason="x", actor=APPROVER)
    note = credit(invoice, mode="amount", amount="1.00")
    with pytest.raises(InvalidState, match="A credit note can't be credited"):
        credit(note, mode="full")
    db.session.rollback()
    invoice.state = "Pending"
    with pytest.raises(InvalidState, match="Only an approved invoice"):
        credit(invoice, mode="full")


def test_a_partly_paid_invoice_owes_less_and_payments_stop_at_the_new_balance(app):
    invoice = raised_invoice(paid="5.00")
    note = credit(invoice, mode="amount", amount="2.00")
    assert invoice.outstanding == invoice.total_amount - Decimal("5.00") + note.total_amount
    with pytest.raises(ValidationFailed, match="more than the outstanding amount"):
        record_payment(invoice, amount=str(invoice.outstanding + Decimal("0.01")), paid_on=TODAY, today=TODAY)
    db.session.rollback()
    record_payment(invoice, amount=str(invoice.outstanding), paid_on=TODAY, today=TODAY)
    assert invoice.outstanding == 0 and invoice.payment_status(TODAY) == PaymentStatus.PAID


@pytest.mark.parametrize(
    "case",
    [
        dict(),
        dict(country="DE", currency="EUR", vat_rate="19", reverse_charge=True),
        dict(discount=True, credit=True),
        dict(country="US", currency="USD", vat_rate="0"),
        dict(currency="EUR"),
        dict(currency="USD"),
    ],
)
def test_the_credit_note_e_invoice_is_type_381_referring_to_the_invoice(app, case):
    invoice = raised_invoice(**case)
    note = credit(invoice, mode="full")
    document = einvoice_for(note)
    assert document.document_type == DocumentType.CREDIT_NOTE
    assert document.preceding_invoice.number == invoice.invoice_number
    assert document.totals.grand_total == -note.total_amount
    cii, ubl = cii_xml(document), ubl_xml(document)
    assert xsd_errors(cii) == [] and xsd_errors(ubl) == []
    root = etree.fromstring(cii)
    assert root.xpath("//rsm:ExchangedDocument/ram:TypeCode/text()", namespaces=CII) == ["381"]
    assert root.xpath("//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()", namespaces=CII) == [
        invoice.invoice_number
    ]
    root = etree.fromstring(ubl)
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=UBL) == "381"
    assert root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=UBL) == (
        invoice.invoice_number
    )


def test_the_credit_note_pdf_is_titled_credit_note_and_carries_its_cii(app):
    invoice = raised_invoice()
    note = credit(invoice, mode="amount", amount="3.00", reason="Goodwill")
    document = get_pdf_document(note)
    assert document is not None and document.filename == "CN-2026-000001.pdf"
    reader = PdfReader(io.BytesIO(document.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Credit note" in text and "CN-2026-000001" in text and invoice.invoice_number in text
    assert "Goodwill" in text and "£3.60" in text and "VAT 20%" in text  # 3.00 + 20 % VAT
    german = raised_invoice(country="DE", currency="EUR", vat_rate="19", reverse_charge=True)
    german.customer.language = "de"
    german = credit(german, mode="full")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(get_pdf_document(german).data)).pages)
    assert "USt. 19 % (Umkehr der Steuerschuld)" in text  # the customer's language
    assert "Invoice number" not in text and "Rechnungsnummer" not in text
    [xml] = reader.attachments["factur-x.xml"]
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml
