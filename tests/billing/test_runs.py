"""Billing runs: create, fill and advance; grace; failures; approval; idempotent re-runs; anomalies; CLI."""

import datetime as dt
from decimal import Decimal

import pytest

from portal.billing.run_accounts import INVOICE_EXISTS, bill_account
from portal.billing.runs import execute_billing_run, get_billing_run, start_billing_run
from portal.billing.tasks import enqueue_billing_run
from portal.extensions import db
from portal.foundations.errors import NotFound, PermissionDenied, ValidationFailed
from portal.foundations.permissions import Actor
from portal.models import AuditEvent, BillingRun, Invoice
from tests.billing.killed_run import (
    INVOICES_PER_ACCOUNT,
    count_invoices,
    daily_accounts_with_five_days_of_calls,
    run_billing_and_kill_it,
)
from tests.factories import AccountFactory, CdrFactory, InvoiceFactory

UTC = dt.timezone.utc


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


def monthly_account(next_at=at(2026, 6, 1), **kw):
    kw.setdefault("invoice_period", "Monthly")
    return AccountFactory(next_invoice_at=next_at, next_invoice_type="Auto Full", **kw)


def run(run_at, approve=False):
    billing_run = start_billing_run(run_at=run_at, approve=approve)
    db.session.commit()
    return execute_billing_run(billing_run.id)


def invoices_of(account):
    db.session.expire_all()
    return db.session.query(Invoice).filter_by(account_id=account.id).order_by(Invoice.start_date).all()


def test_run_creates_fills_and_advances(app):
    account = monthly_account(timezone="UTC")
    CdrFactory(customer_acc_id=account.id, time_start=at(2026, 5, 1), customer_price=Decimal("1.25"))
    CdrFactory(customer_acc_id=account.id, time_start=at(2026, 5, 31, 23, 59), customer_price=Decimal("2"))
    CdrFactory(customer_acc_id=account.id, time_start=at(2026, 6, 1), customer_price=Decimal("100"))  # next period
    db.session.commit()

    result = run(at(2026, 6, 1, 3))

    [invoice] = invoices_of(account)
    assert (invoice.start_date, invoice.end_date) == (at(2026, 5, 1), at(2026, 6, 1))
    assert invoice.state == "Pending" and invoice.invoice_type == "Auto Full"
    assert invoice.billing_run_id == result.id
    assert invoice.originated_calls_count == 2 and invoice.amount_total == Decimal("3.25")
    assert account.next_invoice_at == at(2026, 7, 1) and account.next_invoice_type == "Auto Full"
    assert (result.status, result.accounts_total, result.accounts_done, result.invoices_created) == ("done", 1, 1, 1)
    assert result.started_at is not None and result.finished_at >= result.started_at
    assert result.failures == [] and result.anomalies == []


def test_run_in_account_zone_and_split_periods_yield_partial_types(app):
    account = AccountFactory(
        invoice_period="Weekly. Split by new month",
        timezone="Europe/Berlin",
        next_invoice_at=at(2026, 9, 30, 22),
        next_invoice_type="Auto Partial",
    )
    db.session.commit()
    run(at(2026, 10, 12, 6))
    got = [(i.start_date, i.end_date, i.invoice_type) for i in invoices_of(account)]
    assert got == [
        (at(2026, 9, 27, 22), at(2026, 9, 30, 22), "Auto Partial"),  # Mon 28 Sep - 1 Oct, Berlin
        (at(2026, 9, 30, 22), at(2026, 10, 4, 22), "Auto Partial"),  # 1 Oct - Mon 5 Oct
        (at(2026, 10, 4, 22), at(2026, 10, 11, 22), "Auto Full"),  # 5 - 12 Oct
    ]
    assert account.next_invoice_at == at(2026, 10, 18, 22)


def test_grace_period_waits_for_max_call_duration(app):
    default = monthly_account()  # grace 7200 s from config
    short = monthly_account(max_call_duration=600)
    db.session.commit()

    run(at(2026, 6, 1, 0, 9, 59))
    assert invoices_of(default) == [] and invoices_of(short) == []
    run(at(2026, 6, 1, 0, 10))
    assert invoices_of(default) == [] and len(invoices_of(short)) == 1
    run(at(2026, 6, 1, 1, 59, 59))
    assert invoices_of(default) == []
    run(at(2026, 6, 1, 2))
    assert len(invoices_of(default)) == 1


def test_grace_default_comes_from_configuration(app):
    account = monthly_account()
    db.session.commit()
    app.config["DEFAULT_MAX_CALL_DURATION"] = 60
    try:
        run(at(2026, 6, 1, 0, 1))
    finally:
        app.config["DEFAULT_MAX_CALL_DURATION"] = 7200
    assert len(invoices_of(account)) == 1


def test_several_due_periods_are_invoiced_in_one_run(app):
    account = AccountFactory(invoice_period="Daily", next_invoice_at=at(2026, 5, 2), next_invoice_type="Auto Full")
    db.session.commit()
    result = run(at(2026, 5, 5, 12))
    days = [(i.start_date.day, i.end_date.day) for i in invoices_of(account)]
    assert days == [(1, 2), (2, 3), (3, 4), (4, 5)]
    assert account.next_invoice_at == at(2026, 5, 6)
    assert result.invoices_created == 4 and result.accounts_done == 1


def test_first_invoice_starts_at_latest_invoice_end(app):
    account = monthly_account(next_at=at(2020, 4, 1))
    InvoiceFactory(account=account, start_date=at(2020, 3, 1), end_date=at(2020, 3, 14, 12, 0, 1))
    db.session.commit()
    run(at(2020, 4, 2))
    assert [(i.start_date, i.end_date) for i in invoices_of(account)][1] == (at(2020, 3, 14, 12, 0, 1), at(2020, 4, 1))


def test_failing_account_is_recorded_and_others_continue(app):
    first = monthly_account(name="First")
    broken = monthly_account(name="Broken")
    InvoiceFactory(account=broken, start_date=at(2026, 5, 20), end_date=at(2026, 6, 5))
    last = monthly_account(name="Last")
    db.session.commit()

    result = run(at(2026, 6, 2))

    assert len(invoices_of(first)) == 1 and len(invoices_of(last)) == 1
    assert len(invoices_of(broken)) == 1  # only the pre-existing one
    assert result.failures == [
        {
            "account_id": broken.id,
            "account": "Broken",
            "start": at(2026, 5, 1).isoformat(),
            "end": at(2026, 6, 1).isoformat(),
            "error": INVOICE_EXISTS,
        }
    ]
    assert (result.status, result.accounts_total, result.accounts_done, result.invoices_created) == ("done", 3, 3, 2)
    db.session.refresh(broken)
    assert broken.next_invoice_at == at(2026, 6, 1)  # not advanced: it is retried next time


def test_approve_flag_approves_created_invoices(app):
    account = monthly_account()
    db.session.commit()
    run(at(2026, 6, 2), approve=True)
    [invoice] = invoices_of(account)
    assert invoice.state == "Approved" and invoice.invoice_number


def test_auto_approve_configuration_approves_too(app):
    account = monthly_account()
    db.session.commit()
    app.config["INVOICE_AUTO_APPROVE"] = True
    try:
        run(at(2026, 6, 2))
    finally:
        app.config["INVOICE_AUTO_APPROVE"] = False
    assert invoices_of(account)[0].state == "Approved"


def test_without_approval_invoices_stay_pending(app):
    account = monthly_account()
    db.session.commit()
    run(at(2026, 6, 2))
    assert invoices_of(account)[0].state == "Pending"


def test_running_twice_creates_nothing_more(app):
    accounts = [monthly_account() for _ in range(3)]
    db.session.commit()
    first = run(at(2026, 6, 2))
    again = execute_billing_run(first.id)  # same run executed again (a retried job)
    second = run(at(2026, 6, 2))  # a new run for the same moment (cron fired twice)
    assert [len(invoices_of(a)) for a in accounts] == [1, 1, 1]
    assert (again.invoices_created, again.accounts_total, again.accounts_done) == (3, 3, 3)
    assert (second.invoices_created, second.accounts_total) == (0, 0)


def test_resuming_after_a_crash_half_way_neither_duplicates_nor_skips(app):
    accounts = [
        AccountFactory(invoice_period="Daily", next_invoice_at=at(2026, 5, 2), next_invoice_type="Auto Full")
        for _ in range(6)
    ]
    db.session.commit()
    billing_run = start_billing_run(run_at=at(2026, 5, 4, 6))
    db.session.commit()
    run_id, account_ids = billing_run.id, [a.id for a in accounts]
    # The crash: the first half of the accounts were processed, then the process died.
    for account_id in account_ids[:3]:
        bill_account(billing_run, account_id)
    db.session.remove()  # the dead process's session is gone

    result = execute_billing_run(run_id)

    for account_id in account_ids:
        invoices = db.session.query(Invoice).filter_by(account_id=account_id).order_by(Invoice.start_date).all()
        assert [(i.start_date.day, i.end_date.day) for i in invoices] == [(1, 2), (2, 3), (3, 4)]
    assert (result.status, result.accounts_total, result.accounts_done, result.invoices_created) == ("done", 6, 6, 18)


def test_anomaly_report_flags_far_moves_only(app):
    def account_with_history(name, totals, new_amount):
        account = monthly_account(name=name)
        for month, total in zip((2, 3, 4), totals):
            InvoiceFactory(
                account=account,
                start_date=at(2026, month, 1),
                end_date=at(2026, month + 1, 1),
                state="Approved",
                amount_total=Decimal(total),
            )
        CdrFactory(customer_acc_id=account.id, time_start=at(2026, 5, 10), customer_price=Decimal(new_amount))
        return account

    jump = account_with_history("Jump", ["100", "102", "98"], "180")
    steady = account_with_history("Steady", ["100", "102", "98"], "101")
    small = account_with_history("Small move", ["100", "100", "100"], "110")  # > 2 sd (0) but only 10 %
    drop = account_with_history("Drop", ["50", "50", "50"], "0")
    fresh = monthly_account(name="No history")
    CdrFactory(customer_acc_id=fresh.id, time_start=at(2026, 5, 10), customer_price=Decimal("999"))
    db.session.commit()

    result = run(at(2026, 6, 2))

    by_name = {a["account"]: a for a in result.anomalies}
    assert set(by_name) == {"Jump", "Drop"}
    jump_invoice = invoices_of(jump)[-1]
    assert by_name["Jump"] == {
        "account_id": jump.id,
        "account": "Jump",
        "invoice_id": jump_invoice.id,
        "currency": "EUR",
        "total": "180.00",
        "average": "100.00",
        "change_percent": "80.0",
    }
    assert by_name["Drop"]["change_percent"] == "-100.0"
    assert steady and small


def test_start_refuses_bad_moments_and_weak_admins(app):
    with pytest.raises(ValidationFailed) as exc_info:
        start_billing_run(run_at="yesterday-ish")
    assert str(exc_info.value.errors[0]) == "run-at - is invalid"
    with pytest.raises(ValidationFailed) as exc_info:
        start_billing_run(run_at=dt.datetime.now(UTC) + dt.timedelta(hours=1))
    assert str(exc_info.value.errors[0]) == "run-at - can't be in future"
    with pytest.raises(PermissionDenied):
        start_billing_run(run_at=at(2026, 6, 1), actor=Actor("clerk", kind="admin", level=3))
    with pytest.raises(NotFound):
        get_billing_run("nope")
    assert db.session.query(BillingRun).count() == 0


def test_started_run_is_queued_and_enqueue_executes_it(app):
    account = monthly_account()
    db.session.commit()
    billing_run = start_billing_run(run_at="2026-06-02T00:00:00Z", actor=Actor("boss@telco.example", "admin", 4))
    assert billing_run.status == "queued" and billing_run.created_by == "boss@telco.example"
    db.session.commit()
    enqueue_billing_run(billing_run.id)  # inline queue in tests
    db.session.expire_all()
    assert get_billing_run(billing_run.id).status == "done"
    assert invoices_of(account)[0].billing_run_id == billing_run.id
    events = {e.action for e in db.session.query(AuditEvent).all()}
    assert {"billing_run.started", "billing_run.finished", "invoice.created", "invoice.filled"} <= events


def test_cli_prints_failures_and_summary_and_exits_zero(app, runner):
    good = monthly_account(name="Good")
    broken = monthly_account(name="Broken")
    InvoiceFactory(account=broken, start_date=at(2026, 5, 20), end_date=at(2026, 6, 5))
    db.session.commit()

    result = runner.invoke(args=["billing", "run", "--at", "2026-06-02T06:00:00Z"])

    assert result.exit_code == 0, result.output
    assert (
        f"FAILED account {broken.id} (Broken) period 2026-05-01T00:00:00+00:00 - 2026-06-01T00:00:00+00:00: "
        f"{INVOICE_EXISTS}" in result.output
    )
    assert "Done: 2 of 2 accounts, 1 invoices created, 1 failed, 0 anomalies." in result.output
    assert len(invoices_of(good)) == 1


def test_cli_approve_flag_and_offset_in_at(app, runner):
    account = monthly_account(timezone="Europe/Berlin", next_at=at(2026, 5, 31, 22))
    db.session.commit()
    result = runner.invoke(args=["billing", "run", "--at", "2026-06-01T02:00:00+02:00", "--approve"])
    assert result.exit_code == 0, result.output
    assert "Done: 1 of 1 accounts, 1 invoices created, 0 failed" in result.output
    assert invoices_of(account)[0].state == "Approved"


@pytest.mark.parametrize(
    "value, message", [("31/05/2026", "is invalid"), ("2999-01-01T00:00:00Z", "can't be in future")]
)
def test_cli_refuses_bad_at_with_nonzero_exit(app, runner, value, message):
    result = runner.invoke(args=["billing", "run", "--at", value])
    assert result.exit_code == 2
    assert message in result.output
    assert db.session.query(BillingRun).count() == 0


def test_cli_run_killed_mid_way_then_resumed_neither_duplicates_nor_skips(app, runner, database_url, tmp_path):
    """A real `flask billing run` process is killed (SIGKILL) while invoicing; `billing resume` completes the work."""

    accounts = daily_accounts_with_five_days_of_calls(at)
    account_ids = [a.id for a in accounts]
    expected_per_account = INVOICES_PER_ACCOUNT
    log = run_billing_and_kill_it(database_url, tmp_path)
    at_kill = count_invoices()
    assert 0 < at_kill < len(account_ids) * expected_per_account, (at_kill, log)
    [killed] = db.session.query(BillingRun).all()
    assert killed.status == "running"
    db.session.commit()

    result = runner.invoke(args=["billing", "resume", str(killed.id)])

    assert result.exit_code == 0, result.output
    total = len(account_ids) * expected_per_account
    assert (
        f"Done: {len(account_ids)} of {len(account_ids)} accounts, {total} invoices created, 0 failed" in result.output
    )
    db.session.expire_all()
    for account_id in account_ids:
        invoices = db.session.query(Invoice).filter_by(account_id=account_id).order_by(Invoice.start_date).all()
        assert [(i.start_date, i.end_date) for i in invoices] == [
            (at(2026, 5, day), at(2026, 5, day + 1)) for day in range(1, 6)
        ]
        assert {i.state for i in invoices} == {"Pending"}
        assert [i.originated_calls_count for i in invoices] == [1] * 5
    assert count_invoices() == total
    assert db.session.get(BillingRun, killed.id).status == "done"


def test_cli_resume_of_unknown_run_fails_cleanly(app, runner):
    result = runner.invoke(args=["billing", "resume", "424242"])
    assert result.exit_code == 1
    assert "could not be found" in result.output


def test_recent_runs_are_newest_first_and_capped(app):
    from portal.billing.runs import recent_billing_runs

    ids = [start_billing_run(run_at=at(2026, 6, day)).id for day in (1, 2, 3)]
    assert [r.id for r in recent_billing_runs(2)] == [ids[2], ids[1]]
    assert len(recent_billing_runs(10**9)) == 3
