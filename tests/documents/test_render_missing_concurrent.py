"""The background renderer (`render_missing_pdfs`, as `make run` starts it) while customers browse and download on
a real server writing to the same database: every approved invoice ends with a PDF or a recorded, visible failure."""

from __future__ import annotations

import threading

from sqlalchemy import select

from portal.documents.tasks import render_missing_pdfs
from portal.extensions import db
from portal.models import AuditEvent, Invoice, InvoiceDocument
from tests.admin.conftest import admin_client  # noqa: F401 - fixture
from tests.documents.conftest import approved_without_pdf, failing_render, make_invoice  # noqa: F401 - fixture
from tests.factories import PASSWORD, CustomerUserFactory
from tests.live import csrf_token, signed_in_session

BROWSERS = 2


def test_renderer_and_browsing_customers_share_the_database_and_every_invoice_ends_visibly(
    app, live_server, admin_client, failing_render, caplog
):
    downloaded = make_invoice(destinations=1)
    customer = downloaded.account.customer
    todo = approved_without_pdf(6, customer=customer)
    broken = todo[0]
    failing_render(broken)
    CustomerUserFactory(customer=customer, email="ap@browsing.example")
    db.session.commit()
    url = f"{live_server.url}/portal/invoices/{downloaded.uuid}"
    stop, started, answers = threading.Event(), threading.Barrier(BROWSERS + 1, timeout=60), []

    def browse():
        # Each click on "Download PDF" writes: a download link minted and used, the downloaded mark, audit events.
        http = signed_in_session(live_server.url, "ap@browsing.example", PASSWORD)
        token = csrf_token(http.get(url, timeout=30).text)
        started.wait()
        while not stop.is_set():
            answer = http.post(f"{url}/pdf", data={"csrf_token": token}, timeout=30)
            answers.append((answer.status_code, answer.content[:4]))
            http.get(f"{live_server.url}/portal/invoices", timeout=30).content  # noqa: B018 - read to the end

    browsers = [threading.Thread(target=browse) for _ in range(BROWSERS)]
    for thread in browsers:
        thread.start()
    try:
        started.wait()
        summary = render_missing_pdfs(tries=3, retry_delay=0.05)
    finally:
        stop.set()
        for thread in browsers:
            thread.join(timeout=60)

    assert (summary.todo, summary.stored, summary.failed, summary.unrecorded) == (6, 5, 1, 0)
    # Only the broken invoice needed its retries: a write waits for the browsers' writes instead of failing.
    retried = {r.args[0] for r in caplog.records if r.name == "portal.documents.tasks" and "tried again" in r.msg}
    assert retried == {broken}
    assert answers and all(answer == (200, b"%PDF") for answer in answers)
    db.session.expire_all()
    for invoice_id in todo:
        invoice = db.session.get(Invoice, invoice_id)
        stored = db.session.scalar(
            select(InvoiceDocument.id).where(InvoiceDocument.invoice_id == invoice_id, InvoiceDocument.kind == "pdf")
        )
        assert (stored is not None) != (invoice.pdf_error is not None), invoice_id
    assert "database is locked" in db.session.get(Invoice, broken).pdf_error
    assert (
        db.session.scalar(
            select(AuditEvent.id).where(AuditEvent.invoice_id == broken, AuditEvent.action == "invoice.pdf_failed")
        )
        is not None
    )
    page = admin_client(3).get(f"/admin/invoices/{broken}").get_data(as_text=True)
    assert "PDF error" in page and f"/admin/invoices/{broken}/pdf/retry" in page
