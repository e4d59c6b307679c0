"""The admin home as the clerk's work queue: to approve (with anomaly flags), to send, failed PDFs and e-mails
with Retry, overdue to chase; each entry leads to its action, and only the actions the level allows."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, text

from portal.extensions import db
from portal.models import BillingRun, EmailDelivery, Invoice
from portal.reading.overview import NOT_DELIVERED
from tests.admin.conftest import post
from tests.customer.conftest import TODAY, approved_invoice, month
from tests.factories import AccountFactory
from tests.invoices import make_invoice


def section(html: str, name: str) -> str:
    return re.search(rf'<section class="card" id="queue-{name}".*?</section>', html, re.S).group(0)


def test_the_home_lists_the_work_with_an_action_for_each_entry(app, admin_client):
    pending, flagged = make_invoice("Pending"), make_invoice("Pending")
    run = BillingRun(
        run_at=dt.datetime(2026, 6, 2, tzinfo=dt.timezone.utc),
        status="done",
        failures=[],
        anomalies=[
            {
                "account_id": flagged.account_id,
                "account": "x",
                "invoice_id": flagged.id,
                "currency": "EUR",
                "total": "1234.00",
                "average": "300.00",
                "change_percent": "311.3",
            }
        ],
    )
    db.session.add(run)
    db.session.flush()
    flagged.billing_run_id = run.id
    unsent = make_invoice("Approved")
    account = AccountFactory()
    overdue = approved_invoice(account, month(-3), due=TODAY - dt.timedelta(days=9))
    broken = make_invoice("Approved")
    broken.pdf_error = "template exploded"
    failed = EmailDelivery(
        invoice_id=unsent.id,
        kind="invoice",
        recipients="ap@x.example",
        subject="Invoice",
        status="failed",
        error="SMTP 550",
    )
    db.session.add(failed)
    db.session.commit()

    html = admin_client(3).get("/admin/").get_data(as_text=True)
    approve = section(html, "approve")
    assert f'action="/admin/invoices/{pending.id}/approve"' in approve
    assert "Check: total 1234.00 EUR against 300.00 on average (+311.3 %)" in approve
    send = section(html, "send")
    assert f'href="/admin/invoices/{unsent.id}"' in send and ">Send<" in send
    failures = section(html, "failed")
    assert "template exploded" in failures and f'action="/admin/invoices/{broken.id}/pdf/retry"' in failures
    assert "SMTP 550" in failures and f'action="/admin/deliveries/{failed.id}/retry"' in failures
    chase = section(html, "overdue")
    assert f'href="/admin/invoices/{overdue.id}"' in chase


def test_a_viewer_sees_the_work_but_no_button_it_may_not_use(app, admin_client):
    make_invoice("Pending")
    html = admin_client(1).get("/admin/").get_data(as_text=True)
    assert "/approve" not in section(html, "approve") and "Review" in section(html, "approve")


def test_retry_from_the_home_comes_back_to_it(app, admin_client):
    invoice = make_invoice("Approved")
    invoice.pdf_error = "boom"
    db.session.commit()
    client = admin_client(3)
    response = post(client, f"/admin/invoices/{invoice.id}/pdf/retry", {"next": "dashboard"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")


def test_the_to_send_queue_reads_its_oldest_ten_from_the_partial_index(app):
    # The dashboard's "to send" query, as portal.reading.overview builds it: its condition must imply the
    # partial index's (portal.models.invoice.NOT_DELIVERED_SQL), or the database sorts every undelivered
    # invoice again (bench/customers.py). PostgreSQL: sorting and table scans are priced out, so the plan
    # shows whether the index can answer; SQLite: INDEXED BY fails unless the partial index can be used.
    stmt = select(Invoice.id).where(NOT_DELIVERED).order_by(Invoice.invoice_date, Invoice.id).limit(10)
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            conn.execute(text("SET LOCAL enable_sort = off"))
            compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
            plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {compiled}")))
        else:
            compiled = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
            compiled = compiled.replace("FROM invoices", "FROM invoices INDEXED BY ix_invoices_not_delivered")
            plan = "\n".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "ix_invoices_not_delivered" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
