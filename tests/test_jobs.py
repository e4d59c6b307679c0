"""Background jobs: idempotent, inline by default, and run by real Huey workers on Redis in production mode."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from decimal import Decimal

import pytest

from portal.billing.invoices import create_invoice
from portal.billing.tasks import fill_invoice_job
from portal.extensions import db
from portal.jobs import huey
from portal.models import Invoice, InvoiceDestination
from tests.factories import AccountFactory, CdrFactory

UTC = dt.timezone.utc
REDIS_URL = "redis://127.0.0.1:6379/15"


def _invoice_with_traffic():
    account = AccountFactory()
    CdrFactory(customer_acc_id=account.id, time_start=dt.datetime(2026, 5, 3, tzinfo=UTC), customer_price=Decimal("2"))
    invoice = create_invoice(account_id=account.id, start_date="2026-05-01", end_date="2026-06-01",
                             now=dt.datetime(2026, 11, 1, tzinfo=UTC))
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


def test_redis_worker_process_runs_queued_fill(app, database_url, tmp_path):
    if not _redis_available():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from huey import RedisHuey

    queue = RedisHuey("portal", url=REDIS_URL)
    queue.flush()
    invoice_id = _invoice_with_traffic()
    # The same task, registered on a Redis-backed queue as a producer process in production has it.
    queue.enqueue(queue.task()(fill_invoice_job.func).s(invoice_id))
    env = {**os.environ, "PORTAL_QUEUE_URL": REDIS_URL, "PORTAL_DATABASE_URL": database_url,
           "PORTAL_INSTANCE_PATH": str(tmp_path)}
    worker = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "huey_consumer"), "portal.jobs.huey", "-w", "1", "-k", "thread"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
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
        worker.terminate()
        worker.wait(timeout=10)
        queue.flush()
