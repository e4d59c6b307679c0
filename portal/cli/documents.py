"""`flask documents …`: rendering the PDFs that approved invoices are missing."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from portal.documents.service import invoices_missing_pdf
from portal.documents.tasks import render_missing_pdfs


@click.group("documents", help="Invoice documents (PDF).")
def documents_group():
    pass


@documents_group.command("render-missing", context_settings={"show_default": True})
@click.option(
    "--newest-per-account", type=click.IntRange(1, None), help="Only each account's newest N approved invoices."
)
@click.option("--quiet", is_flag=True, help="No progress bar (for running in the background).")
@click.option(
    "--tries",
    type=click.IntRange(1, 20),
    default=4,
    help="Tries per invoice before its failure is recorded on it.",
)
@click.option(
    "--retry-delay",
    type=click.FloatRange(0, 600),
    default=1.0,
    help="Seconds before an invoice's second try; doubled before each next one.",
)
@with_appcontext
def render_missing(newest_per_account, quiet, tries, retry_delay):
    """Render and store the PDF of every approved invoice that has none (resumable).

    An invoice that still fails after its tries has the error recorded on it (admins see it under
    Failures, with Retry) and the run goes on. Exits 1 when any invoice failed.
    """
    options = {"newest_per_account": newest_per_account, "tries": tries, "retry_delay": retry_delay}
    if quiet:
        summary = render_missing_pdfs(**options)
    else:
        todo = len(invoices_missing_pdf(newest_per_account=newest_per_account))
        with click.progressbar(length=todo, label="Rendering PDFs", show_pos=True, file=sys.stderr) as bar:
            summary = render_missing_pdfs(progress=bar.update, **options)
    click.echo(f"Stored {summary.stored} of {summary.todo} missing PDFs.")
    if summary.failed:
        click.echo(f"{summary.failed} failed; the error is recorded on each invoice (admin: Failures).")
    if summary.unrecorded:
        click.echo(f"{summary.unrecorded} failed and the failure could not be recorded (see the log above).")
    if summary.failed or summary.unrecorded:
        sys.exit(1)
