"""Documents from the detail page: the PDF download button (POST) and the invoice's CDR export."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.models import AuditEvent, InvoiceDocument
from tests.customer.conftest import approved_invoice, month
from tests.factories import AccountFactory, CdrFactory
from tests.invoices import raise_may_invoice

UTC = dt.timezone.utc


@pytest.fixture
def invoice(account):
    account.timezone = "Europe/Berlin"
    CdrFactory(
        customer_acc_id=account.id,
        time_start=dt.datetime(2026, 4, 30, 22, 30, tzinfo=UTC),
        customer_price=Decimal("1.50"),
        dst_number="4930111",
    )
    CdrFactory(
        customer_acc_id=account.id,
        time_start=dt.datetime(2026, 5, 20, 8, tzinfo=UTC),
        customer_price=Decimal("0.50"),
        dst_number="4930222",
    )
    CdrFactory(
        customer_acc_id=account.id, time_start=dt.datetime(2026, 6, 1, 9, tzinfo=UTC), dst_number="4930999"
    )  # after the period
    CdrFactory(
        customer_acc_id=AccountFactory().id, time_start=dt.datetime(2026, 5, 20, tzinfo=UTC), dst_number="4930777"
    )  # another customer's call
    return raise_may_invoice(account)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    return match.group(1)


def test_detail_offers_the_pdf_as_a_post_form_when_it_exists(signed_in, invoice):
    html = signed_in.get(f"/portal/invoices/{invoice.uuid}").get_data(as_text=True)
    assert re.search(rf'<form method="post" action="/portal/invoices/{invoice.uuid}/pdf"', html)
    assert "Download PDF" in html and csrf_from(html)


def test_without_a_pdf_the_page_says_so_and_the_click_renders_nothing(signed_in, invoice):
    db.session.query(InvoiceDocument).delete()
    db.session.commit()
    html = signed_in.get(f"/portal/invoices/{invoice.uuid}").get_data(as_text=True)
    assert "The PDF of this invoice is not ready yet." in html
    response = signed_in.post(f"/portal/invoices/{invoice.uuid}/pdf", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    follow = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "not ready yet" in follow
    assert db.session.query(InvoiceDocument).count() == 0
    assert db.session.query(AuditEvent).filter_by(action="invoice.pdf_rendered").count() == 1  # approval only


def test_pdf_post_without_csrf_token_is_refused(signed_in, invoice):
    response = signed_in.post(f"/portal/invoices/{invoice.uuid}/pdf")
    assert response.status_code == 400
    assert b"%PDF" not in response.data


def test_pdf_of_another_customers_invoice_is_a_404(signed_in, invoice):
    foreign = approved_invoice(AccountFactory(), month(-1))
    db.session.commit()
    html = signed_in.get(f"/portal/invoices/{invoice.uuid}").get_data(as_text=True)
    response = signed_in.post(f"/portal/invoices/{foreign.uuid}/pdf", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 404


def test_cdr_export_streams_the_invoice_periods_calls_in_the_account_zone(signed_in, invoice):
    html = signed_in.get(f"/portal/invoices/{invoice.uuid}").get_data(as_text=True)
    assert f"/portal/invoices/{invoice.uuid}/cdrs.csv" in html
    response = signed_in.get(f"/portal/invoices/{invoice.uuid}/cdrs.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv" and response.is_streamed
    assert f'filename="cdrs-{invoice.invoice_number}.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [r["dst"] for r in rows] == ["4930111", "4930222"]
    assert rows[0]["time"].startswith("2026-05-01T00:30:00+02:00")


def test_no_calls_no_cdr_link(signed_in, account):
    empty = approved_invoice(account, month(-1))
    db.session.commit()
    html = signed_in.get(f"/portal/invoices/{empty.uuid}").get_data(as_text=True)
    assert "cdrs.csv" not in html


def test_download_pdf_click_mints_a_portal_link_and_answers_the_pdf_at_once(app, signed_in, invoice):
    from portal.models import DownloadLink

    html = signed_in.get(f"/portal/invoices/{invoice.uuid}").get_data(as_text=True)
    response = signed_in.post(f"/portal/invoices/{invoice.uuid}/pdf", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert f'filename="{invoice.invoice_number}.pdf"' in response.headers["Content-Disposition"]
    db.session.expire_all()
    [link] = db.session.query(DownloadLink).all()
    assert link.purpose == "portal" and link.uses == 1 and link.max_uses == 1
    minutes = app.config["PORTAL_DOWNLOAD_LINK_MINUTES"]
    assert abs((link.expires_at - link.created_at) - dt.timedelta(minutes=minutes)) < dt.timedelta(seconds=5)
    assert db.session.get(type(invoice), invoice.id).downloaded_at is not None


def test_download_link_lifetime_comes_from_the_setting(app, signed_in, invoice):
    from portal.models import DownloadLink

    app.config["PORTAL_DOWNLOAD_LINK_MINUTES"] = 3
    try:
        html = signed_in.get(f"/portal/invoices/{invoice.uuid}").get_data(as_text=True)
        assert (
            signed_in.post(f"/portal/invoices/{invoice.uuid}/pdf", data={"csrf_token": csrf_from(html)}).status_code
            == 200
        )
    finally:
        app.config["PORTAL_DOWNLOAD_LINK_MINUTES"] = 10
    link = db.session.query(DownloadLink).one()
    assert abs((link.expires_at - link.created_at) - dt.timedelta(minutes=3)) < dt.timedelta(seconds=5)
