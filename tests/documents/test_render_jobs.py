"""PDF rendering in the background: a failing invoice is retried with backoff, its last failure is recorded once on
the invoice and in the audit log, the run goes on, and admins see it under Failures with a Retry that works."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal.documents import service
from portal.documents.tasks import enqueue_render_pdf, render_missing_pdfs, render_pdf_job, render_pdf_try
from portal.extensions import db
from portal.models import AuditEvent, Invoice, InvoiceDocument
from tests.admin.conftest import admin_client, post  # noqa: F401 - fixture
from tests.documents.conftest import approved_without_pdf, failing_render  # noqa: F401 - fixture
from tests.queue import memory_queue, run_queue  # noqa: F401 - fixture


def actions(invoice_id: int) -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.invoice_id == invoice_id).order_by(AuditEvent.id))
    )


def has_pdf(invoice_id: int) -> bool:
    return (
        db.session.scalar(
            select(InvoiceDocument.id).where(InvoiceDocument.invoice_id == invoice_id, InvoiceDocument.kind == "pdf")
        )
        is not None
    )


def test_a_try_that_is_not_the_last_records_nothing_and_raises_for_the_retry(app, failing_render):
    [invoice_id] = approved_without_pdf()
    failing_render(invoice_id)
    with pytest.raises(OperationalError):
        render_pdf_try(invoice_id, last_try=False)
    db.session.expire_all()
    assert db.session.get(Invoice, invoice_id).pdf_error is None
    assert "invoice.pdf_failed" not in actions(invoice_id)


def test_the_last_try_records_the_failure_once_on_the_invoice_and_in_the_audit_log(app, failing_render):
    [invoice_id] = approved_without_pdf()
    failing_render(invoice_id)
    with pytest.raises(OperationalError):
        render_pdf_try(invoice_id, last_try=False)
    assert render_pdf_try(invoice_id, last_try=True) == "failed"
    db.session.expire_all()
    assert "database is locked" in db.session.get(Invoice, invoice_id).pdf_error
    assert actions(invoice_id).count("invoice.pdf_failed") == 1
    assert not has_pdf(invoice_id)


def test_a_retry_after_a_recorded_failure_renders_and_clears_the_error(app, failing_render):
    [invoice_id] = approved_without_pdf()
    failing_render(invoice_id, times=1)
    assert render_pdf_try(invoice_id, last_try=True) == "failed"
    assert render_pdf_try(invoice_id, last_try=True) == "rendered"
    assert render_pdf_try(invoice_id, last_try=True) == "already rendered"
    db.session.expire_all()
    assert db.session.get(Invoice, invoice_id).pdf_error is None and has_pdf(invoice_id)


def test_inline_job_gets_no_retries_and_records_its_failure(app, failing_render):
    [invoice_id] = approved_without_pdf()
    failing_render(invoice_id)
    enqueue_render_pdf(invoice_id)
    db.session.expire_all()
    assert db.session.get(Invoice, invoice_id).pdf_error is not None
    assert actions(invoice_id).count("invoice.pdf_failed") == 1


def test_queue_retries_the_render_and_records_the_failure_after_the_last_try_only(app, failing_render, memory_queue):
    stuck, flaky = approved_without_pdf(2)
    failing_render(stuck)
    failing_render(flaky, times=1)
    enqueue_render_pdf(stuck)
    enqueue_render_pdf(flaky)
    assert run_queue() == (1 + app.config["JOB_RETRIES"]) + 2
    db.session.expire_all()
    assert actions(stuck).count("invoice.pdf_failed") == 1 and not has_pdf(stuck)
    assert "invoice.pdf_failed" not in actions(flaky) and has_pdf(flaky)


def test_render_missing_retries_with_backoff_records_the_failure_and_goes_on(app, failing_render):
    stuck, flaky, fine = approved_without_pdf(3)
    failing_render(stuck)
    failing_render(flaky, times=2)
    waits: list[float] = []
    summary = render_missing_pdfs(tries=4, retry_delay=0.5, sleep=waits.append)
    assert (summary.todo, summary.stored, summary.failed, summary.unrecorded) == (3, 2, 1, 0)
    # Newest first: all three share a period, so by id descending: fine, flaky (2 waits), stuck (3 waits).
    assert waits == [0.5, 1.0, 0.5, 1.0, 2.0]
    db.session.expire_all()
    assert has_pdf(fine) and has_pdf(flaky) and not has_pdf(stuck)
    assert db.session.get(Invoice, flaky).pdf_error is None
    assert "database is locked" in db.session.get(Invoice, stuck).pdf_error
    assert actions(stuck).count("invoice.pdf_failed") == 1 and "invoice.pdf_failed" not in actions(flaky)


def test_render_missing_goes_on_when_even_the_record_of_a_failure_is_refused(app, failing_render, monkeypatch):
    stuck, fine = approved_without_pdf(2)
    failing_render(stuck)

    def refused(*_args, **_kwargs):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr("portal.documents.tasks.record_pdf_failure", refused)
    monkeypatch.setattr("portal.foundations.database.time.sleep", lambda _s: None)
    summary = render_missing_pdfs(tries=2, retry_delay=0, sleep=lambda _s: None)
    assert (summary.stored, summary.failed, summary.unrecorded) == (1, 0, 1)
    assert has_pdf(fine)


def test_cli_reports_failures_and_exits_1(app, runner, failing_render):
    stuck, _fine = approved_without_pdf(2)
    failing_render(stuck)
    result = runner.invoke(args=["documents", "render-missing", "--quiet", "--tries", "2", "--retry-delay", "0"])
    assert result.exit_code == 1
    assert "Stored 1 of 2 missing PDFs." in result.output and "1 failed" in result.output


def test_failed_pdf_is_listed_for_admins_with_a_retry_that_renders_it(app, admin_client, failing_render):
    [invoice_id] = approved_without_pdf()
    failing_render(invoice_id, times=1)
    render_pdf_job(invoice_id)
    client = admin_client(3)
    number = db.session.get(Invoice, invoice_id).invoice_number
    page = client.get("/admin/failures").get_data(as_text=True)
    assert number in page and "database is locked" in page and f"/admin/invoices/{invoice_id}/pdf/retry" in page
    detail = client.get(f"/admin/invoices/{invoice_id}").get_data(as_text=True)
    assert "PDF error" in detail and f"/admin/invoices/{invoice_id}/pdf/retry" in detail
    answer = post(client, f"/admin/invoices/{invoice_id}/pdf/retry", {"next": "failures"}, follow_redirects=True)
    assert "PDF rendered." in answer.get_data(as_text=True)
    db.session.expire_all()
    assert has_pdf(invoice_id) and db.session.get(Invoice, invoice_id).pdf_error is None
    assert number not in client.get("/admin/failures").get_data(as_text=True)
    assert "invoice.pdf_retry_requested" in actions(invoice_id)


def test_pdf_retry_needs_the_recreate_level(app, admin_client):
    [invoice_id] = approved_without_pdf()
    assert post(admin_client(2), f"/admin/invoices/{invoice_id}/pdf/retry").status_code == 403


def test_a_render_that_loses_the_race_to_store_uses_the_pdf_the_other_try_stored(app, monkeypatch):
    """The PDF job and an e-mail both render a PDF that was missing when they looked; the second to store it
    takes the stored one instead of failing (and being retried) on the unique document constraint."""
    [invoice_id] = approved_without_pdf(1)
    invoice = db.session.get(Invoice, invoice_id)
    first = service.render_and_store_pdf(invoice)
    db.session.commit()
    lookups = []
    real_lookup = service.get_pdf_document

    def first_lookup_misses(inv):  # the first look happened before the other try committed its PDF
        lookups.append(inv.id)
        return None if len(lookups) == 1 else real_lookup(inv)

    monkeypatch.setattr(service, "get_pdf_document", first_lookup_misses)

    second = service.render_and_store_pdf(invoice)

    assert second.id == first.id and len(lookups) == 2
    db.session.commit()
    assert actions(invoice_id).count("invoice.pdf_rendered") == 1
