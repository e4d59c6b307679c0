"""A billing run whose process died never stays `running`: the next run (or `billing recover`) marks it failed.

A run is stale when it is `running` and its process is gone (same host: the pid is dead) or has
not stamped `heartbeat_at` for BILLING_RUN_STALE_MINUTES, or `queued` that long.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from portal.billing.run_recovery import is_stale, recover_stale_billing_runs
from portal.billing.runs import execute_billing_run, start_billing_run
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import Conflict
from portal.models import AuditEvent, BillingRun, Invoice
from tests.billing.killed_run import (
    ACCOUNTS,
    INVOICES_PER_ACCOUNT,
    count_invoices,
    daily_accounts_with_five_days_of_calls,
    run_billing_and_kill_it,
)
from tests.factories import AccountFactory

UTC = dt.timezone.utc
RUN_AT = dt.datetime(2026, 5, 4, 6, tzinfo=UTC)


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


def daily_accounts(count: int) -> list[int]:
    accounts = [
        AccountFactory(invoice_period="Daily", next_invoice_at=at(2026, 5, 2), next_invoice_type="Auto Full")
        for _ in range(count)
    ]
    db.session.commit()
    return [a.id for a in accounts]


def left_running(*, worker: str, heartbeat_age: dt.timedelta | None, status: str = "running") -> int:
    """A run a process claimed and then left (no invoices yet), committed."""
    run = start_billing_run(run_at=RUN_AT)
    run.status = status
    run.worker = worker
    run.started_at = utcnow() - (heartbeat_age or dt.timedelta())
    run.heartbeat_at = utcnow() - heartbeat_age if heartbeat_age is not None else None
    db.session.commit()
    return run.id


def dead_pid() -> int:
    """The pid of a process of this host that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_run_silent_for_longer_than_the_limit_is_marked_failed_by_the_next_run(app):
    account_ids = daily_accounts(2)
    stale_id = left_running(worker="other-host:4242:abc", heartbeat_age=dt.timedelta(minutes=16))

    new = start_billing_run(run_at=RUN_AT)
    db.session.commit()
    result = execute_billing_run(new.id)

    stale = db.session.get(BillingRun, stale_id)
    assert stale.status == "failed" and stale.finished_at is not None
    assert stale.failures[-1]["error"].startswith("Interrupted: the process executing the run stopped")
    assert f"flask billing resume {stale_id}" in stale.failures[-1]["error"]
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == stale_id, AuditEvent.subject_type == "billing_runs")
    ).all() == ["billing_run.started", "billing_run.interrupted"]
    # The next run did the work the stale one left.
    assert (result.status, result.invoices_created) == ("done", 6)
    assert db.session.scalar(select(func.count(Invoice.id)).where(Invoice.account_id.in_(account_ids))) == 6


def test_a_live_run_on_another_host_is_left_alone_and_cannot_be_executed_twice(app, runner):
    live_id = left_running(worker="other-host:4242:abc", heartbeat_age=dt.timedelta(minutes=14))

    assert recover_stale_billing_runs() == []
    with pytest.raises(Conflict, match=f"Billing run {live_id} is already running"):
        execute_billing_run(live_id)
    result = runner.invoke(args=["billing", "resume", str(live_id)])
    assert result.exit_code == 1 and "is already running" in result.output
    db.session.expire_all()
    assert db.session.get(BillingRun, live_id).status == "running"


def test_a_run_whose_process_on_this_host_is_gone_is_stale_at_once(app):
    alive_id = left_running(worker=f"{socket.gethostname()}:{os.getppid()}:abc", heartbeat_age=dt.timedelta(seconds=1))
    gone_id = left_running(worker=f"{socket.gethostname()}:{dead_pid()}:abc", heartbeat_age=dt.timedelta(seconds=1))

    assert recover_stale_billing_runs() == [gone_id]
    db.session.commit()
    assert db.session.get(BillingRun, gone_id).status == "failed"
    assert db.session.get(BillingRun, alive_id).status == "running"


def test_a_run_claimed_in_this_process_by_an_execution_that_ended_is_stale(app):
    stale_id = left_running(worker=f"{socket.gethostname()}:{os.getpid()}:feedface", heartbeat_age=dt.timedelta())
    assert is_stale(db.session.get(BillingRun, stale_id))


def test_a_queued_run_no_process_took_is_marked_failed_and_can_still_be_executed(app):
    account_ids = daily_accounts(1)
    queued = start_billing_run(run_at=RUN_AT)
    queued.created_at = utcnow() - dt.timedelta(minutes=20)
    db.session.commit()

    assert recover_stale_billing_runs() == [queued.id]
    db.session.commit()
    assert queued.status == "failed" and queued.failures[-1]["error"].startswith("Never started")
    # The worker that finally takes it still may: a failed run can be executed again.
    result = execute_billing_run(queued.id)
    assert (result.status, result.failures, result.invoices_created) == ("done", [], 3)
    assert len(account_ids) == 1


def test_the_stale_limit_comes_from_configuration(app):
    run_id = left_running(worker="other-host:1:abc", heartbeat_age=dt.timedelta(minutes=3))
    app.config["BILLING_RUN_STALE_MINUTES"] = 2
    try:
        assert is_stale(db.session.get(BillingRun, run_id))
    finally:
        app.config["BILLING_RUN_STALE_MINUTES"] = 15
    assert not is_stale(db.session.get(BillingRun, run_id))


def test_an_execution_that_lost_its_run_stops_without_doing_anything_twice(app):
    account_ids = daily_accounts(3)
    run_id = start_billing_run(run_at=RUN_AT).id
    db.session.commit()
    seen = []

    def progress(current):
        seen.append(current.accounts_done)
        if current.accounts_done == 1:
            # Meanwhile the run was judged stale elsewhere and marked failed.
            with app.app_context():
                assert recover_stale_billing_runs(now=utcnow() + dt.timedelta(hours=1)) == [run_id]
                db.session.commit()

    with pytest.raises(Conflict, match="marked failed or taken over"):
        execute_billing_run(run_id, progress=progress)
    db.session.expire_all()
    assert seen == [0, 1] and db.session.get(BillingRun, run_id).status == "failed"
    # What it did is kept once; a resume does the rest, nothing twice.
    result = execute_billing_run(run_id)
    assert result.status == "done"
    for account_id in account_ids:
        periods = (
            db.session.execute(
                select(Invoice.start_date).where(Invoice.account_id == account_id).order_by(Invoice.start_date)
            )
            .scalars()
            .all()
        )
        assert [p.day for p in periods] == [1, 2, 3]


def test_recover_command_lists_the_runs_it_marked_failed(app, runner):
    stale_id = left_running(worker="other-host:4242:abc", heartbeat_age=None)

    result = runner.invoke(args=["billing", "recover"])

    assert result.exit_code == 0, result.output
    assert f"Billing run {stale_id} marked failed: Interrupted" in result.output
    assert "1 stale billing run marked failed." in result.output
    assert runner.invoke(args=["billing", "recover"]).output.strip() == "0 stale billing runs marked failed."


def test_the_run_page_says_when_a_run_has_stopped_making_progress(app, client, login):
    from tests.factories import AdminUserFactory

    live_id = left_running(worker="other-host:4242:def", heartbeat_age=dt.timedelta(seconds=5))
    stale_id = left_running(worker="other-host:4242:abc", heartbeat_age=dt.timedelta(minutes=30))
    login(AdminUserFactory(level=1))
    db.session.commit()

    stale = client.get(f"/admin/billing-runs/{stale_id}").get_data(as_text=True)
    live = client.get(f"/admin/billing-runs/{live_id}").get_data(as_text=True)

    assert 'id="run-stale"' in stale and "the process executing it has stopped" in stale
    assert f"flask billing resume {stale_id}" in stale
    assert 'id="run-stale"' not in live

    start_billing_run(run_at=RUN_AT)  # the next run marks it failed, with the reason
    db.session.commit()
    failed = client.get(f"/admin/billing-runs/{stale_id}").get_data(as_text=True)
    assert 'data-status="failed"' in failed and 'id="run-stale"' not in failed
    assert "Interrupted: the process executing the run stopped" in failed


def test_a_killed_billing_run_process_is_marked_failed_by_the_next_run_which_invoices_the_rest(
    app, runner, database_url, tmp_path
):
    """A real `flask billing run` process is killed (SIGKILL) mid-run; the next `billing run` finds it gone."""
    accounts = daily_accounts_with_five_days_of_calls(at)
    log = run_billing_and_kill_it(database_url, tmp_path)
    [killed] = db.session.query(BillingRun).all()
    assert killed.status == "running" and 0 < count_invoices() < ACCOUNTS * INVOICES_PER_ACCOUNT, log
    db.session.commit()

    result = runner.invoke(args=["billing", "run", "--at", "2026-05-06T03:00:00Z"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    killed = db.session.get(BillingRun, killed.id)
    assert killed.status == "failed" and killed.failures[-1]["error"].startswith("Interrupted")
    assert count_invoices() == ACCOUNTS * INVOICES_PER_ACCOUNT
    for account in accounts:
        starts = db.session.scalars(
            select(Invoice.start_date).where(Invoice.account_id == account.id).order_by(Invoice.start_date)
        ).all()
        assert [s.day for s in starts] == [1, 2, 3, 4, 5]
