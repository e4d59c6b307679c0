"""A figure that lies on half a cent reads the same on every display face: rounded half up, as the documents'
sums round it (portal.foundations.money.round_currency), on the web page and in the PDF alike."""

import datetime as dt
from decimal import Decimal

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.documents import service
from portal.extensions import db
from portal.foundations.formatting import money
from tests.documents.conftest import pdf_text
from tests.factories import AFTER_PERIOD, PERIOD_END, PERIOD_START, AccountFactory, calls_to_germany


def test_half_cent_rows_read_the_same_on_the_page_and_in_the_pdf(signed_in, customer):
    account = AccountFactory(customer=customer, currency="EUR", bill_style="Full")
    # Two destinations of one call each at 0.125: each row reads €0.13; Germany spent 0.25 in all.
    calls_to_germany(account, [("49151", 60), ("49152", 60)], price="0.125000", rate="0.125000")
    invoice = create_invoice(account_id=account.id, start_date=PERIOD_START, end_date=PERIOD_END, now=AFTER_PERIOD)
    fill_invoice(invoice)
    approve_invoice(invoice, today=dt.date(2026, 6, 2), render_pdf=True)
    db.session.commit()

    page = signed_in.get(f"/portal/invoices/{invoice.uuid}").get_data(as_text=True)
    pdf = " ".join(pdf_text(service.get_pdf_document(invoice).data))
    for face in (page, pdf):
        assert face.count("€0.13") >= 2, "each row of 0.125"
        assert "€0.12" not in face
    # The country's spend is its exact rows added, rounded once, as the section's subtotal is.
    assert "€0.25" in page.split("Spend by country", 1)[1]


def test_money_rounds_half_up_and_never_shows_a_negative_zero():
    assert money(Decimal("0.125"), "EUR", "en") == "€0.13"
    assert money(Decimal("-0.125"), "EUR", "en") == "\u2212€0.13"
    assert money(Decimal("-0.004"), "EUR", "en") == "€0.00"
    assert money(Decimal("2.5"), "JPY", "en") == "¥3"
    assert money(Decimal("1234.565"), "EUR", "de") == "1.234,57\u00a0€"
