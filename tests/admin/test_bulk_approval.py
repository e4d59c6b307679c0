"""Bulk approval: the request records the batch and answers at once, a queued job approves each invoice once, the
progress page counts what is done, skipped, failed and waiting, and a job that died is resumed without double work."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.billing import bulk_execution
from portal.extensions import db
from portal.models import AuditEvent, BulkApproval, BulkApprovalItem, Invoice, InvoiceDocument, InvoiceNumberCounter
from tests.admin.conftest import post
from tests.invoices import make_invoice
from tests.queue import memory_queue, run_queue  # noqa: F401 - fixture

COUNTS = re.compile(r'<span id="approval-counts">([^<]*)</span>')


def states(invoices) -> list[str]:
    db.session.expire_all()
    return [db.session.get(Invoice, invoice.id).state for invoice in invoices]


def counts(client, url: str) -> str:
    return COUNTS.search(client.get(url).get_data(as_text=True)).group(1)


def approved_events(invoice_id: int) -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "invoice.approved", AuditEvent.subject_id == invoice_id
        )
    )


def issued_numbers() -> list[int]:
    numbers = db.session.scalars(select(Invoice.invoice_number).where(Invoice.invoice_number.is_not(None)))
    return sorted(int(number.rsplit("-", 1)[1]) for number in numbers)


def test_with_a_queue_the_request_only_records_the_batch_and_the_job_approves_each_invoice(
    app, admin_client, memory_queue
):
    pending = [make_invoice("Pending") for _ in range(3)]
    already, new = make_invoice("Approved"), make_invoice("New")
    client = admin_client(3)
    selection = [i.id for i in pending] + [already.id, new.id, 999999]

    response = post(client, "/admin/invoices/bulk", {"action": "approve", "ids": selection})

    assert response.status_code == 303
    url = response.headers["Location"]
    assert re.search(r"/admin/invoices/bulk-approvals/\d+$", url)
    assert states(pending) == ["Pending"] * 3  # nothing approved by the request
    batch = db.session.scalars(select(BulkApproval)).one()
    assert batch.status == "queued" and batch.created_by and batch.created_at
    items = db.session.scalars(select(BulkApprovalItem.invoice_id).order_by(BulkApprovalItem.invoice_id)).all()
    assert items == sorted(selection)
    page = client.get(url).get_data(as_text=True)
    assert "0 approved · 0 skipped · 0 failed · 6 waiting" in page
    assert "Waiting for the job to start" in page and 'hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page and "Refresh</a>" in page

    run_queue()  # the bulk job, then the PDF job of each approval

    assert states(pending) == ["Approved"] * 3 and states([new]) == ["New"]
    assert all(approved_events(i.id) == 1 for i in pending + [already])
    assert issued_numbers() == [1, 2, 3, 4]  # the one approved before, then the batch's: no gap
    page = client.get(url).get_data(as_text=True)
    assert "3 approved · 3 skipped · 0 failed · 0 waiting" in page
    assert "Finished" in page and "3 of 6 approved, 3 skipped, 0 failed." in page
    assert "3 of 3 PDFs rendered · 0 failed · 0 waiting" in page
    assert "Invoice already approved" in page and "Invoice can&#39;t be approved" in page
    assert "999999" in page and "could not be found" in page
    assert "hx-trigger" not in page and "http-equiv" not in page
    finished = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "invoice.bulk_approval_finished")).one()
    assert finished.details == {"approved": 3, "skipped": 3, "failed": 0}


def test_without_a_queue_the_job_runs_inline_after_the_commit_and_the_progress_page_shows_the_summary(
    app, admin_client
):
    pending = [make_invoice("Pending") for _ in range(3)]
    client = admin_client(3)

    response = post(client, "/admin/invoices/bulk", {"action": "approve", "ids": [i.id for i in pending]})

    assert response.status_code == 303
    assert states(pending) == ["Approved"] * 3
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 approved · 0 skipped · 0 failed · 0 waiting" in page
    assert "3 of 3 PDFs rendered · 0 failed · 0 waiting" in page and "hx-trigger" not in page
    assert db.session.scalar(select(func.count(InvoiceDocument.id))) == 3


def test_a_second_submit_of_the_same_selection_is_the_same_batch_and_approves_nothing_twice(
    app, admin_client, memory_queue
):
    pending = [make_invoice("Pending") for _ in range(4)]
    client = admin_client(3)
    selection = {"action": "approve", "ids": [i.id for i in pending]}

    first = post(client, "/admin/invoices/bulk", selection)
    second = post(client, "/admin/invoices/bulk", {**selection, "ids": list(reversed(selection["ids"]))})
    run_queue()
    third = post(client, "/admin/invoices/bulk", selection)  # a moment later, the first one done

    assert first.headers["Location"] == second.headers["Location"] == third.headers["Location"]
    assert db.session.scalar(select(func.count(BulkApproval.id))) == 1
    assert all(approved_events(i.id) == 1 for i in pending) and issued_numbers() == [1, 2, 3, 4]
    assert counts(client, first.headers["Location"]) == "4 approved · 0 skipped · 0 failed · 0 waiting"


class Killed(BaseException):
    """The process executing the job died (nothing catches it, as nothing catches a SIGKILL)."""


def die_after(monkeypatch, approvals: int) -> None:
    real = bulk_execution.approve_invoice
    done = []

    def approve(invoice_id, **kwargs):
        if len(done) == approvals:
            raise Killed()
        done.append(invoice_id)
        return real(invoice_id, **kwargs)

    monkeypatch.setattr(bulk_execution, "approve_invoice", approve)


def test_a_job_that_died_half_way_is_resumed_from_the_progress_page_without_approving_twice(
    app, admin_client, memory_queue, monkeypatch
):
    pending = [make_invoice("Pending") for _ in range(5)]
    client = admin_client(3)
    url = post(client, "/admin/invoices/bulk", {"action": "approve", "ids": [i.id for i in pending]}).headers[
        "Location"
    ]
    die_after(monkeypatch, 2)
    with pytest.raises(Killed):
        run_queue()
    monkeypatch.undo()
    memory_queue.flush()  # the PDF jobs of the two approvals are of no interest here

    assert states(pending) == ["Approved"] * 2 + ["Pending"] * 3
    page = client.get(url).get_data(as_text=True)
    assert "2 approved · 0 skipped · 0 failed · 3 waiting" in page
    assert "Stopped: no progress since" in page and ">Resume</button>" in page and "hx-trigger" not in page

    resumed = post(client, url + "/resume")
    assert resumed.status_code == 303 and resumed.headers["Location"].endswith(url)
    assert "Waiting for the job to start" in client.get(url).get_data(as_text=True)
    refused = post(client, url + "/resume", follow_redirects=True).get_data(as_text=True)
    assert "still going on" in refused  # queued again and not stalled: nothing to resume
    run_queue()

    assert states(pending) == ["Approved"] * 5
    assert all(approved_events(i.id) == 1 for i in pending) and issued_numbers() == [1, 2, 3, 4, 5]
    assert counts(client, url) == "5 approved · 0 skipped · 0 failed · 0 waiting"
    finished = post(client, url + "/resume", follow_redirects=True).get_data(as_text=True)
    assert "The bulk approval has finished." in finished


def test_a_stalled_batch_is_resumed_by_the_next_bulk_approval(app, admin_client, memory_queue, monkeypatch):
    stalled = [make_invoice("Pending") for _ in range(3)]
    later = make_invoice("Pending")
    client = admin_client(3)
    first = post(client, "/admin/invoices/bulk", {"action": "approve", "ids": [i.id for i in stalled]})
    die_after(monkeypatch, 1)
    with pytest.raises(Killed):
        run_queue()
    monkeypatch.undo()

    second = post(client, "/admin/invoices/bulk", {"action": "approve", "ids": [later.id]})
    run_queue()

    assert states(stalled + [later]) == ["Approved"] * 4
    assert all(approved_events(i.id) == 1 for i in stalled + [later]) and issued_numbers() == [1, 2, 3, 4]
    assert counts(client, first.headers["Location"]) == "3 approved · 0 skipped · 0 failed · 0 waiting"
    assert counts(client, second.headers["Location"]) == "1 approved · 0 skipped · 0 failed · 0 waiting"


def test_an_invoice_whose_approval_fails_is_counted_failed_and_the_rest_go_on(
    app, admin_client, memory_queue, monkeypatch
):
    pending = [make_invoice("Pending") for _ in range(3)]
    real = bulk_execution.approve_invoice

    def approve(invoice_id, **kwargs):
        if invoice_id == pending[1].id:
            raise RuntimeError("disk full")
        return real(invoice_id, **kwargs)

    monkeypatch.setattr(bulk_execution, "approve_invoice", approve)
    client = admin_client(3)
    url = post(client, "/admin/invoices/bulk", {"action": "approve", "ids": [i.id for i in pending]}).headers[
        "Location"
    ]
    run_queue()

    assert states(pending) == ["Approved", "Pending", "Approved"]
    page = client.get(url).get_data(as_text=True)
    assert "2 approved · 0 skipped · 1 failed · 0 waiting" in page and "RuntimeError: disk full" in page
    assert db.session.scalar(select(InvoiceNumberCounter.last_value)) == 2


def test_progress_page_of_an_unknown_bulk_approval_is_a_404(app, admin_client):
    client = admin_client(1)
    assert client.get("/admin/invoices/bulk-approvals/424242").status_code == 404


def test_bulk_approval_needs_the_approve_level(app, admin_client):
    pending = make_invoice("Pending")
    response = post(admin_client(2), "/admin/invoices/bulk", {"action": "approve", "ids": [pending.id]})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(BulkApproval.id))) == 0


def test_a_draft_pdf_made_before_approval_is_replaced_by_the_numbered_one(app, admin_client):
    invoice = make_invoice("Pending")
    client = admin_client(5)
    post(client, f"/admin/invoices/{invoice.id}/recreate")
    draft = db.session.scalars(select(InvoiceDocument).filter_by(invoice_id=invoice.id, kind="pdf")).one()
    assert draft.filename.startswith("DRAFT-")

    post(client, f"/admin/invoices/{invoice.id}/approve")

    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    document = db.session.scalars(select(InvoiceDocument).filter_by(invoice_id=invoice.id, kind="pdf")).one()
    assert document.filename == f"{invoice.invoice_number}.pdf"
