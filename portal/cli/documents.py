"""`flask documents …`: rendering the PDFs that approved invoices are missing."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.group("documents", help="Invoice documents (PDF).")
def documents_group():
    pass


@documents_group.command("render-missing")
@click.option("--newest-per-account", type=click.IntRange(1, None),
              help="Only each account's newest N approved invoices.")
@click.option("--quiet", is_flag=True, help="No progress bar (for running in the background).")
@with_appcontext
def render_missing(newest_per_account, quiet):
    """Render and store the PDF of every approved invoice that has none (resumable)."""
    from portal.documents.service import invoices_missing_pdf
    from portal.documents.tasks import render_missing_pdfs

    todo = len(invoices_missing_pdf(newest_per_account=newest_per_account))
    if quiet:
        stored = render_missing_pdfs(newest_per_account=newest_per_account)
    else:
        with click.progressbar(length=todo, label="Rendering PDFs", show_pos=True, file=sys.stderr) as bar:
            stored = render_missing_pdfs(newest_per_account=newest_per_account, progress=bar.update)
    click.echo(f"Stored {stored} of {todo} missing PDFs.")
