"""`flask billing run`: the billing run for cron (docs/operations.md "Billing runs")."""

from __future__ import annotations

import contextlib
import sys

import click
from flask.cli import with_appcontext

from portal.billing.run_recovery import recover_stale_billing_runs
from portal.billing.runs import execute_billing_run, get_billing_run, start_billing_run
from portal.extensions import db
from portal.foundations.errors import ServiceError, ValidationFailed
from portal.foundations.permissions import Actor


@click.group("billing", help="Automatic invoicing.")
def billing_group():
    pass


@billing_group.command("run")
@click.option(
    "--at",
    "run_at",
    metavar="ISO-TIME",
    help="Invoice as of this moment (ISO-8601, UTC unless it has an offset); default now.",
)
@click.option("--approve", is_flag=True, help="Approve the invoices the run creates.")
@with_appcontext
def run_cmd(run_at, approve):
    """Invoice every account whose period plus grace has ended; print failures and a summary."""
    try:
        run = start_billing_run(run_at=run_at, approve=approve, actor=Actor("cli"))
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        raise click.BadParameter(exc.errors[0].message, param_hint="--at") from None
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None

    _execute_and_report(run)


@billing_group.command("resume")
@click.argument("run_id", type=int)
@with_appcontext
def resume_cmd(run_id):
    """Execute an interrupted (or any earlier) run again: only what is left is done."""
    try:
        run = get_billing_run(run_id)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    _execute_and_report(run)


@billing_group.command("recover")
@with_appcontext
def recover_cmd():
    """Mark failed every run left running (or queued) by a process that died; for cron or after a restart."""
    recovered = recover_stale_billing_runs()
    db.session.commit()
    for run_id in recovered:
        run = get_billing_run(run_id)
        click.echo(f"Billing run {run_id} marked failed: {run.failures[-1]['error']}")
    click.echo(f"{len(recovered)} stale billing run{'s' if len(recovered) != 1 else ''} marked failed.")


def _execute_and_report(run) -> None:
    click.echo(f"Billing run {run.id} for {run.run_at.isoformat()}")
    with contextlib.ExitStack() as stack:
        bar = None

        def progress(current):
            # The bar starts once the run has counted the due accounts.
            nonlocal bar
            if bar is None:
                bar = stack.enter_context(
                    click.progressbar(length=current.accounts_total, label="Accounts", file=sys.stderr)
                )
            bar.update(current.accounts_done - bar.pos)

        try:
            run = execute_billing_run(run.id, progress=progress)
        except ServiceError as exc:
            raise click.ClickException(exc.message) from None

    for failure in run.failures:
        click.echo(
            f"FAILED account {failure['account_id']} ({failure['account']}) "
            f"period {failure['start']} - {failure['end']}: {failure['error']}"
        )
    for anomaly in run.anomalies:
        change = f"{anomaly['change_percent']}%" if anomaly["change_percent"] is not None else "from zero"
        click.echo(
            f"ANOMALY account {anomaly['account_id']} ({anomaly['account']}) invoice {anomaly['invoice_id']}: "
            f"total {anomaly['total']} {anomaly['currency']} vs average {anomaly['average']} ({change})"
        )
    click.echo(
        f"Done: {run.accounts_done} of {run.accounts_total} accounts, {run.invoices_created} invoices created, "
        f"{len(run.failures)} failed, {len(run.anomalies)} anomalies."
    )
