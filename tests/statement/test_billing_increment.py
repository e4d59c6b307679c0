"""The billing increment ("first/next" seconds) is stored on the account, honoured by the fill, recorded on the
invoice and named by the PDF and the statement pages ("Billed per 60/60 s"); 1/1 bills the seconds as rated."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import lxml.html
import pytest

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice
from portal.documents.service import draft_pdf_preview
from portal.extensions import db
from portal.foundations.permissions import SYSTEM
from portal.statement import build_statement
from tests.documents.conftest import pdf_text
from tests.factories import UTC, AccountFactory, CdrFactory, CustomerUserFactory, InvoiceFactory
from tests.statement.test_reconciliation import _signed_in

D = Decimal
START, END = dt.datetime(2026, 5, 1, tzinfo=UTC), dt.datetime(2026, 6, 1, tzinfo=UTC)
# Rated seconds of the calls (the switch's billed seconds), each priced at 0.06 a minute (0.001 a second) as rated.
RATED = (0, 1, 10, 31, 60, 61, 125)


def filled(first: int | None, step: int | None, *, terminated: bool = False):
    fields = {} if first is None else {"billing_increment_first": first, "billing_increment_next": step}
    account = AccountFactory(currency="EUR", **fields)
    carrier = AccountFactory()
    for n, seconds in enumerate(RATED):
        CdrFactory(
            customer_acc_id=carrier.id if terminated else account.id,
            vendor_acc_id=account.id if terminated else None,
            time_start=START + dt.timedelta(hours=n + 1),
            customer_duration=seconds,
            vendor_duration=seconds,
            customer_price=D("0.001") * seconds,
            vendor_price=D("0.001") * seconds,
            destination_rate=D("0.06"),
            dialpeer_rate=D("0.06"),
            duration=seconds,
        )
    invoice = InvoiceFactory(account=account, start_date=START, end_date=END)
    fill_invoice(invoice)
    db.session.flush()
    return invoice


@pytest.mark.parametrize(
    ("first", "step", "billed"),
    [
        (None, None, (0, 1, 10, 31, 60, 61, 125)),  # the default 1/1: as rated
        (60, 60, (0, 60, 60, 60, 60, 120, 180)),
        (30, 6, (0, 30, 30, 36, 60, 66, 126)),
        (1, 1, (0, 1, 10, 31, 60, 61, 125)),
    ],
)
def test_the_fill_rounds_each_call_up_to_the_increment_and_charges_the_added_seconds_at_the_rate(
    app, first, step, billed
):
    invoice = filled(first, step)
    seconds = sum(billed)
    assert invoice.originated_billing_duration == seconds
    # The switch's price of the rated seconds, plus the added seconds at 0.06 a minute: 0.001 × billed seconds.
    assert invoice.originated_amount_spent == D("0.001") * seconds
    assert (invoice.billing_increment_first, invoice.billing_increment_next) == (first or 1, step or 1)


def test_terminated_calls_are_rounded_to_the_increment_too(app):
    invoice = filled(60, 60, terminated=True)
    assert invoice.terminated_billing_duration == 540 and invoice.originated_billing_duration == 0
    assert invoice.terminated_amount_earned == D("0.540")


def test_the_default_increment_keeps_the_switch_prices_exactly(app):
    """1/1 adds nothing: a price the rate does not explain (a connection fee) stays what the switch said."""
    account = AccountFactory()
    CdrFactory(customer_acc_id=account.id, customer_duration=61, customer_price=D("0.123457"))
    invoice = InvoiceFactory(account=account, start_date=START, end_date=END)
    fill_invoice(invoice)
    assert (invoice.originated_billing_duration, invoice.originated_amount_spent) == (61, D("0.123457"))


def test_the_pdf_and_the_statement_name_the_increment_the_fill_used(app):
    invoice = filled(60, 60)
    assert build_statement(invoice, dt.date(2026, 6, 2)).billing_increment == "Billed per 60/60 s"
    _name, data = draft_pdf_preview(invoice, actor=SYSTEM)
    assert "Billed per 60/60 s" in "\n".join(pdf_text(data))
    # Changing the account afterwards does not change what the invoice was billed with.
    invoice.account.billing_increment_first = invoice.account.billing_increment_next = 6
    approve_invoice(invoice, today=dt.date(2026, 6, 2), render_pdf=False)
    assert build_statement(invoice, dt.date(2026, 6, 2)).billing_increment == "Billed per 60/60 s"
    # The customer's page names it above the traffic tables, in the customer's language.
    invoice.customer.language = "de"
    client = _signed_in(app, CustomerUserFactory(customer=invoice.customer))
    db.session.commit()
    html = client.get(f"/portal/invoices/{invoice.uuid}").get_data(as_text=True)
    caption = " ".join(
        lxml.html.fromstring(html).xpath("//table[contains(@class, 'traffic')]/caption")[0].text_content().split()
    )
    assert "(Tarife in EUR pro Minute; abgerechnet je 60/60 s)" in caption


def test_an_invoice_filled_before_the_increment_was_stored_says_durations_are_as_rated(app):
    invoice = filled(None, None)
    invoice.billing_increment_first = invoice.billing_increment_next = None
    text = "\n".join(pdf_text(draft_pdf_preview(invoice, actor=SYSTEM)[1]))
    assert "Billed durations as rated per call" in text and "Billed per" not in text
