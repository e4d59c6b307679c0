"""Background jobs: idempotent, inline by default, and run by real Huey workers on Redis in production mode.

Redis is shared: each test uses a queue of its own name (PORTAL_QUEUE_NAME) and removes only that queue's keys.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from decimal import Decimal

import pytest
from huey.consumer import Consumer
from sqlalchemy import func, select

from portal.billing.invoices import create_invoice
from portal.billing.tasks import fill_invoice_job
from portal.delivery.email_queue import request_invoice_email
from portal.delivery.tasks import enqueue_email
from portal.documents.tasks import enqueue_render_pdf
from portal.extensions import db
from portal.foundations.permissions import Actor
from portal.jobs import configure_jobs, huey
from portal.models import AuditEvent, EmailDelivery, Invoice, InvoiceDestination, InvoiceDocument
from tests.admin.conftest import admin_client  # noqa: F401 - fixture
from tests.documents.conftest import approved_without_pdf, failing_render  # noqa: F401 - fixture
from tests.factories import AccountFactory, CdrFactory
from tests.smtp import smtp_server  # noqa: F401 - fixture

UTC = dt.timezone.utc
REDIS_URL = "redis://127.0.0.1:6379/15"


def unique_queue_name() -> str:
    return f"portal-test-{uuid.uuid4().hex[:12]}"


def _invoice_with_traffic():
    account = AccountFactory()
    CdrFactory(customer_acc_id=account.id, time_start=dt.datetime(2026, 5, 3, tzinfo=UTC), customer_price=Decimal("2"))
    invoice = create_invoice(
        account_id=account.id, start_date="2026-05-01", end_date="2026-06-01", now=dt.datetime(2026, 11, 1, tzinfo=UTC)
    )
    db.session.commit()
    return invoice.id


def test_jobs_run_inline_without_a_queue(app):
    assert huey.immediate is True
    invoice_id = _invoice_with_traffic()
    assert fill_invoice_job(invoice_id)() == "filled"
    db.session.expire_all()
    assert db.session.get(Invoice, invoice_id).state == "Pending"


def test_fill_job_twice_does_the_work_once(app):
    invoice_id = _invoice_with_traffic()
    assert fill_invoice_job(invoice_id)() == "filled"
    assert fill_invoice_job(invoice_id)() == "already filled"
    db.session.expire_all()
    assert db.session.query(InvoiceDestination).filter_by(invoice_id=invoice_id).count() == 1
    assert db.session.get(Invoice, invoice_id).originated_amount_spent == Decimal("2")


def test_fill_job_for_a_deleted_invoice_is_harmless(app):
    assert fill_invoice_job(987654)() == "gone"


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _require_redis() -> None:
    if not _redis_available():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")


def test_redis_worker_process_runs_queued_fill(app, database_url, tmp_path):
    _require_redis()
    from huey import RedisHuey

    name = unique_queue_name()
    queue = RedisHuey(name, url=REDIS_URL)
    invoice_id = _invoice_with_traffic()
    # The same task, registered on a Redis-backed queue as a producer process in production has it.
    queue.enqueue(queue.task()(fill_invoice_job.func).s(invoice_id))
    env = {
        **os.environ,
        "PORTAL_QUEUE_URL": REDIS_URL,
        "PORTAL_QUEUE_NAME": name,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_INSTANCE_PATH": str(tmp_path),
    }
    worker = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "huey_consumer"),
            "portal.worker.huey",
            "-w",
            "1",
            "-k",
            "thread",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        state = "New"
        while time.monotonic() < deadline and state == "New":
            time.sleep(0.3)
            db.session.expire_all()
            state = db.session.get(Invoice, invoice_id).state
            db.session.rollback()
        assert state == "Pending", worker.stdout.read1().decode() if worker.poll() is not None else state
    finally:
        worker.terminate()  # a graceful stop; on a loaded machine it may take a while, then it is killed
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        queue.flush()


class _ThreadConsumer(Consumer):
    """Huey's consumer with thread workers, run inside the test process (signals stay with pytest)."""

    def _set_signal_handlers(self):
        pass


@pytest.fixture
def redis_consumer(app):
    """A real Huey consumer (2 thread workers) on a Redis queue of this test's own; retries 0.2 s apart."""
    _require_redis()
    keys = ("QUEUE_URL", "QUEUE_NAME", "JOB_RETRIES", "JOB_RETRY_DELAY", "JOB_RETRY_BACKOFF")
    saved = {key: app.config.get(key) for key in keys}
    app.config.update(
        QUEUE_URL=REDIS_URL, QUEUE_NAME=unique_queue_name(), JOB_RETRIES=2, JOB_RETRY_DELAY=0.2, JOB_RETRY_BACKOFF=1
    )
    configure_jobs(app)
    consumer = _ThreadConsumer(
        huey,
        workers=2,
        worker_type="thread",
        periodic=False,
        initial_delay=0.05,
        max_delay=0.2,
        check_worker_health=False,
    )
    consumer.start()
    try:
        yield huey
    finally:
        consumer.stop(graceful=True)
        huey.flush()  # this queue's keys only
        app.config.update(saved)
        configure_jobs(app)


def _all_done(invoice_ids, delivery_ids) -> bool:
    db.session.expire_all()
    rendered = set(
        db.session.scalars(
            select(InvoiceDocument.invoice_id).where(
                InvoiceDocument.invoice_id.in_(invoice_ids), InvoiceDocument.kind == "pdf"
            )
        )
    )
    failed = set(
        db.session.scalars(select(Invoice.id).where(Invoice.id.in_(invoice_ids), Invoice.pdf_error.is_not(None)))
    )
    open_requests = db.session.scalar(
        select(func.count())
        .select_from(EmailDelivery)
        .where(EmailDelivery.id.in_(delivery_ids), EmailDelivery.status.in_(("queued", "sending")))
    )
    db.session.rollback()
    return (
        rendered | failed == set(invoice_ids)
        and open_requests == 0
        and huey.pending_count() == 0
        and huey.scheduled_count() == 0
    )


def test_redis_consumer_ends_every_pdf_and_email_job_done_or_recorded_and_sends_nothing_twice(
    app, redis_consumer, smtp_server, failing_render, admin_client
):
    clerk = Actor("clerk@telco.example", kind="admin", level=3)
    invoice_ids = approved_without_pdf(4)
    broken = invoice_ids[0]
    failing_render(broken)
    # The mail server refuses the first message it is given (a temporary error): that e-mail is retried.
    smtp_server.handler.refuse_data, smtp_server.handler.refuse_data_times = "451 4.3.0 Try again later", 1
    addresses = {invoice_id: f"ap{invoice_id}@customer.example" for invoice_id in invoice_ids}
    delivery_ids = {}
    for invoice_id in invoice_ids:
        enqueue_render_pdf(invoice_id)
        delivery_ids[invoice_id] = request_invoice_email(
            db.session.get(Invoice, invoice_id), actor=clerk, recipients=addresses[invoice_id]
        ).id
        db.session.commit()
        enqueue_email(delivery_ids[invoice_id])

    deadline = time.monotonic() + 60
    while not _all_done(invoice_ids, list(delivery_ids.values())):
        assert time.monotonic() < deadline, "jobs did not finish"
        time.sleep(0.2)

    db.session.expire_all()
    for invoice_id in invoice_ids:
        invoice = db.session.get(Invoice, invoice_id)
        delivery = db.session.get(EmailDelivery, delivery_ids[invoice_id])
        if invoice_id == broken:
            assert "database is locked" in invoice.pdf_error and delivery.status == "failed"
            assert delivery.attempts == 3 and "database is locked" in delivery.error
        else:
            assert invoice.pdf_error is None and (delivery.status, delivery.error) == ("sent", None)
    failures = collections.Counter(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.in_(("invoice.pdf_failed", "invoice.email_failed")))
        )
    )
    assert failures == {"invoice.pdf_failed": 1, "invoice.email_failed": 1}
    received = collections.Counter(address for m in smtp_server.messages for address in m.rcpt_tos)
    assert received == {addresses[i]: 1 for i in invoice_ids if i != broken}
    assert sorted(d.attempts for d in db.session.scalars(select(EmailDelivery))) == [1, 1, 2, 3]

    page = admin_client(3).get("/admin/failures").get_data(as_text=True)
    assert f"/admin/invoices/{broken}/pdf/retry" in page
    assert f"/admin/deliveries/{delivery_ids[broken]}/retry" in page
