"""CSV export of the filtered invoice list: exactly the rows the list shows, streamed."""

import csv
import datetime as dt
import io

from portal.extensions import db
from tests.customer.conftest import TODAY, approved_invoice, month
from tests.factories import AccountFactory


def rows(response):
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_csv_is_the_filtered_list_in_list_order(signed_in, account):
    invoices = [
        approved_invoice(
            account, month(-i), total=f"{i}.50", paid="0" if i % 2 else f"{i}.50", due=TODAY + dt.timedelta(days=30)
        )
        for i in range(1, 8)
    ]
    approved_invoice(AccountFactory(), month(-1))
    db.session.commit()
    query = "status=unpaid&sort=amount&direction=asc"
    listed = signed_in.get(f"/portal/invoices?{query}&per_page=100").get_data(as_text=True)
    response = signed_in.get(f"/portal/invoices.csv?{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith('attachment; filename="invoices-')
    data = rows(response)
    expected = [i.invoice_number for i in invoices if i.outstanding > 0]
    assert [r["invoice_number"] for r in data] == expected
    assert all(r["invoice_number"] in listed for r in data)
    first = next(r for r in data if r["invoice_number"] == invoices[0].invoice_number)
    assert first["total"] == "1.50" and first["status"] == "open" and first["currency"] == "EUR"
    start = month(-1)
    assert first["period_start"] == start.isoformat()
    assert first["period_end"] == (month(0) - dt.timedelta(days=1)).isoformat()


def test_csv_ignores_paging_and_spans_every_page(signed_in, account):
    for i in range(1, 13):
        approved_invoice(account, month(-i))
    db.session.commit()
    assert len(rows(signed_in.get("/portal/invoices.csv?per_page=10&page=2"))) == 12


def test_csv_with_bad_filters_shows_the_form_errors(signed_in):
    response = signed_in.get("/portal/invoices.csv?period_from=2026-05-01&period_to=2026-01-01")
    assert response.status_code == 400
    assert "Must not be before the start date." in response.get_data(as_text=True)


def test_csv_of_an_empty_list_has_the_header_only(signed_in):
    data = signed_in.get("/portal/invoices.csv").get_data().decode("utf-8-sig")
    assert data.startswith("invoice_number,reference,account")
    assert data.count("\n") == 1


def test_csv_refuses_another_customers_account(signed_in):
    foreign = AccountFactory()
    approved_invoice(foreign, month(-1))
    db.session.commit()
    response = signed_in.get(f"/portal/invoices.csv?account={foreign.id}")
    assert response.status_code == 400
    assert "Choose one of your accounts." in response.get_data(as_text=True)
    assert "INV-T-" not in response.get_data(as_text=True)


def test_export_iterator_reads_in_batches_and_keeps_list_order(app, account):
    from portal.customers.scope import CustomerScope
    from portal.reading.customer_views import CustomerInvoiceFilters, iter_customer_invoices

    invoices = [approved_invoice(account, month(-i)) for i in range(1, 8)]
    db.session.commit()
    scope = CustomerScope(account.customer_id)
    found = [
        i.invoice_number
        for i in iter_customer_invoices(
            scope, CustomerInvoiceFilters(sort="number", direction="asc"), today=TODAY, batch=2
        )
    ]
    assert found == [i.invoice_number for i in invoices]


def test_csv_starts_with_a_utf8_byte_order_mark_and_is_named_after_its_filter(signed_in, account):
    approved_invoice(account, month(-2), due=TODAY - dt.timedelta(days=3))
    db.session.commit()
    response = signed_in.get("/portal/invoices.csv?status=overdue&period_from=2026-01-01&number=")
    assert response.get_data().startswith("\ufeff".encode())
    disposition = response.headers["Content-Disposition"]
    assert f'filename="invoices-overdue-2026-01-01-to-now-{TODAY.isoformat()}.csv"' in disposition
    plain = signed_in.get("/portal/invoices.csv").headers["Content-Disposition"]
    assert f'filename="invoices-{TODAY.isoformat()}.csv"' in plain
