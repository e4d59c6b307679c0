"""Queued e-mail requests: sent by a job with retries, never twice, and a failure recorded once, at the end, where
admins see it with a Retry action."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal.delivery.email_queue import request_cdrs_email, request_invoice_email, retry_email, send_queued_email
from portal.delivery.tasks import enqueue_email
from portal.extensions import db
from portal.foundations.errors import DeliveryFailed, InvalidState
from portal.foundations.permissions import Actor
from portal.models import AuditEvent, EmailDelivery, Invoice, MessageTemplate
from tests.admin.conftest import admin_client, post  # noqa: F401 - fixture
from tests.invoices import approved_invoice  # noqa: F401 - fixture
from tests.queue import memory_queue, run_queue  # noqa: F401 - fixture

CLERK = Actor("clerk@telco.example", kind="admin", level=3)


def queued(invoice, **choices) -> int:
    delivery_id = request_invoice_email(invoice, actor=CLERK, **choices).id
    db.session.commit()
    return delivery_id


def delivery(delivery_id: int) -> EmailDelivery:
    db.session.expire_all()
    return db.session.get(EmailDelivery, delivery_id)


def actions(invoice_id: int) -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.invoice_id == invoice_id).order_by(AuditEvent.id))
    )


def test_request_is_recorded_queued_and_a_second_run_of_its_job_sends_nothing(app, smtp_server, approved_invoice):
    delivery_id = queued(approved_invoice)
    assert delivery(delivery_id).status == "queued" and smtp_server.messages == []
    assert send_queued_email(delivery_id, last_try=True) == "sent"
    assert send_queued_email(delivery_id, last_try=True) == "already sent"
    [received] = smtp_server.messages
    sent = delivery(delivery_id)
    assert (sent.status, sent.attempts, sent.message_id) == ("sent", 1, received.message["Message-ID"])
    assert db.session.get(Invoice, approved_invoice.id).emailed_at is not None
    done = actions(approved_invoice.id)
    assert done.count("invoice.email_queued") == done.count("invoice.emailed") == 1
    assert done.index("invoice.email_queued") < done.index("invoice.emailed")


def test_a_failed_try_before_the_last_puts_the_request_back_and_records_no_failure(app, smtp_server, approved_invoice):
    delivery_id = queued(approved_invoice)
    smtp_server.handler.refuse_data = "451 4.3.0 Try again later"
    with pytest.raises(DeliveryFailed):
        send_queued_email(delivery_id, last_try=False)
    back = delivery(delivery_id)
    assert (back.status, back.attempts) == ("queued", 1) and "451" in back.error
    assert "invoice.email_failed" not in actions(approved_invoice.id)
    smtp_server.handler.refuse_data = None
    assert send_queued_email(delivery_id, last_try=True) == "sent"
    assert len(smtp_server.messages) == 1 and delivery(delivery_id).error is None


def test_the_last_failed_try_records_the_failure_once(app, smtp_server, approved_invoice):
    delivery_id = queued(approved_invoice)
    smtp_server.handler.refuse_data = "554 5.7.1 Rejected by policy"
    assert send_queued_email(delivery_id, last_try=True) == "failed"
    assert send_queued_email(delivery_id, last_try=True) == "already failed"
    failed = delivery(delivery_id)
    assert failed.status == "failed" and "Rejected by policy" in failed.error
    assert actions(approved_invoice.id).count("invoice.email_failed") == 1
    assert db.session.get(Invoice, approved_invoice.id).emailed_at is None


def test_a_send_whose_outcome_could_not_be_recorded_is_reported_never_sent_again(
    app, smtp_server, approved_invoice, monkeypatch
):
    """The mail server accepted the message, then the database refused the record of it: the request stays
    `sending`, and the retry records it as failed with the Message-ID instead of sending a second copy."""
    delivery_id = queued(approved_invoice)

    def refused(*_args, **_kwargs):
        raise OperationalError("UPDATE email_deliveries", {}, Exception("database is locked"))

    with monkeypatch.context() as patch:
        patch.setattr("portal.delivery.email_queue.record_request_sent", refused)
        patch.setattr("portal.foundations.database.time.sleep", lambda _s: None)
        with pytest.raises(OperationalError):
            send_queued_email(delivery_id, last_try=False)
    assert delivery(delivery_id).status == "sending"
    assert send_queued_email(delivery_id, last_try=False) == "outcome unknown"
    [received] = smtp_server.messages
    reported = delivery(delivery_id)
    assert reported.status == "failed" and received.message["Message-ID"] in reported.error
    assert actions(approved_invoice.id).count("invoice.email_failed") == 1


def test_a_refusal_no_retry_can_change_fails_at_once(app, smtp_server, approved_invoice):
    template = MessageTemplate(name="Reminder", subject="Invoice {invoice_number}", body_text="Hello")
    db.session.add(template)
    db.session.commit()
    delivery_id = queued(approved_invoice, message="Reminder")
    db.session.delete(template)
    db.session.commit()
    assert send_queued_email(delivery_id, last_try=False) == "failed"
    assert "unknown message template" in delivery(delivery_id).error and smtp_server.messages == []


def test_queue_retries_a_refused_send_and_it_goes_out_once(app, smtp_server, approved_invoice, memory_queue):
    delivery_id = queued(approved_invoice)
    smtp_server.handler.refuse_data, smtp_server.handler.refuse_data_times = "451 4.3.0 Try again later", 1
    enqueue_email(delivery_id)
    assert run_queue() == 2
    assert len(smtp_server.messages) == 1
    assert (delivery(delivery_id).status, delivery(delivery_id).attempts) == ("sent", 2)


def test_queue_records_the_failure_after_the_last_retry_only(app, smtp_server, approved_invoice, memory_queue):
    delivery_id = queued(approved_invoice)
    smtp_server.handler.refuse_data = "451 4.3.0 Try again later"
    enqueue_email(delivery_id)
    assert run_queue() == 1 + app.config["JOB_RETRIES"]
    failed = delivery(delivery_id)
    assert (failed.status, failed.attempts) == ("failed", 3) and smtp_server.messages == []
    assert actions(approved_invoice.id).count("invoice.email_failed") == 1


def test_admin_email_button_queues_the_request_when_a_queue_is_configured(
    app, admin_client, smtp_server, approved_invoice, memory_queue
):
    client = admin_client(3)
    page = post(client, f"/admin/invoices/{approved_invoice.id}/email", follow_redirects=True).get_data(as_text=True)
    assert "queued; it is sent in the background" in page and smtp_server.messages == []
    run_queue()
    [sent] = db.session.scalars(select(EmailDelivery)).all()
    assert (sent.status, sent.error) == ("sent", None) and len(smtp_server.messages) == 1


def test_failed_email_is_listed_with_a_retry_that_sends_it_with_the_same_choices(
    app, admin_client, smtp_server, approved_invoice
):
    delivery_id = queued(approved_invoice, recipients="cfo@customer.example")
    smtp_server.handler.refuse_data = "554 5.7.1 Rejected by policy"
    enqueue_email(delivery_id)
    client = admin_client(3)
    listed = client.get("/admin/failures").get_data(as_text=True)
    assert "cfo@customer.example" in listed and f"/admin/deliveries/{delivery_id}/retry" in listed
    detail = client.get(f"/admin/invoices/{approved_invoice.id}").get_data(as_text=True)
    assert f"/admin/deliveries/{delivery_id}/retry" in detail
    smtp_server.handler.refuse_data = None
    answer = post(client, f"/admin/deliveries/{delivery_id}/retry", {"next": "failures"}, follow_redirects=True)
    assert "Invoice e-mailed to cfo@customer.example (sent)." in answer.get_data(as_text=True)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["cfo@customer.example"]]
    assert f"/admin/deliveries/{delivery_id}/retry" not in client.get("/admin/failures").get_data(as_text=True)
    again = post(client, f"/admin/deliveries/{delivery_id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "Only a failed or stalled e-mail can be retried" not in again  # it is failed, but followed:
    assert "followed by a later one" in again and len(smtp_server.messages) == 1


def test_only_failed_or_stalled_requests_can_be_retried(app, smtp_server, approved_invoice):
    delivery_id = queued(approved_invoice)
    with pytest.raises(InvalidState, match="Only a failed or stalled e-mail"):
        retry_email(delivery(delivery_id), actor=CLERK)


def test_cdr_file_requests_go_through_the_same_queue(app, smtp_server, approved_invoice):
    delivery_id = request_cdrs_email(approved_invoice, actor=CLERK, recipients="ops@customer.example").id
    db.session.commit()
    enqueue_email(delivery_id)
    assert delivery(delivery_id).status == "sent"
    [received] = smtp_server.messages
    assert [p.get_filename() for p in received.message.iter_attachments()][0].startswith("cdrs-")
