"""`flask demo-data`, `flask cdrs import` and `flask transactions import`: getting data into the portal."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from portal.cli.transaction import committed
from portal.demo import database_has_organization, load_demo_data
from portal.demo.users import demo_logins
from portal.extensions import db
from portal.foundations.errors import ServiceError
from portal.imports.cdrs import import_cdrs
from portal.imports.errors import ImportRejected
from portal.imports.transactions import import_transactions


def _click_progress(label: str, length: int):
    return click.progressbar(length=length, label=label.ljust(24), show_pos=True, file=sys.stderr)


@click.command("demo-data", context_settings={"show_default": True})
@click.option(
    "--scale",
    type=click.IntRange(1, 10_000),
    default=1,
    help="1 = demo; 100 ≈ 1,000 customers, 3,000 accounts, 900k CDRs.",
)
@click.option("--seed", type=int, default=1, help="Same seed, same month: same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds an organization.")
@click.option("--print-logins", is_flag=True, help="Only print the URL and the demo logins (loads nothing).")
@click.option("--url", default="http://127.0.0.1:5000", help="URL printed with the logins.")
@click.option("--months", type=click.IntRange(4, 24), default=12, hidden=True)
@click.option("--calls-per-account", type=click.IntRange(1, 1_000_000), hidden=True)
@click.option(
    "--pdfs",
    type=click.Choice(["all", "recent", "none"]),
    default="all",
    help="PDFs to render now: every approved invoice, each account's two newest, or none "
    "(render the rest later with `flask --app portal documents render-missing`).",
)
@with_appcontext
def demo_data_command(scale, seed, if_empty, print_logins, url, months, calls_per_account, pdfs):
    """Load deterministic demo data (organization `telco`) into an empty database."""
    if print_logins:
        logins = demo_logins()
        if not logins:
            raise click.ClickException("No demo logins in this database: run `flask --app portal demo-data` first.")
        click.echo(f"\n  Portal: {url}\n")
        for login in logins:
            click.echo(f"  {login.role:<9} {login.email:<32} password: {login.password:<20} ({login.note})")
        click.echo("")
        return
    if if_empty and database_has_organization():
        click.echo("The database already holds data: demo data not loaded.")
        return
    with committed():
        summary = load_demo_data(
            scale=scale,
            seed=seed,
            progress=_click_progress,
            months=months,
            calls_per_account=calls_per_account,
            pdfs=pdfs,
        )
    states = ", ".join(f"{n} {state}" for state, n in sorted(summary.invoices.items()))
    click.echo(
        f"Loaded {summary.customers} customers, {summary.accounts} accounts, {summary.cdrs} CDRs, "
        f"{summary.transactions} transactions, {sum(summary.invoices.values())} invoices ({states})."
    )


def _run_import(importer, file, skip_bad: bool, what: str) -> None:
    try:
        result = importer(file, skip_bad=skip_bad)
    except ImportRejected as exc:
        db.session.rollback()
        for bad in exc.bad_rows:
            click.echo(f"line {bad.line}: {bad.reason}", err=True)
        raise click.ClickException(exc.message) from None
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    for bad in result.bad_rows:
        click.echo(f"skipped line {bad.line}: {bad.reason}", err=True)
    click.echo(
        f"Imported {result.imported} {what}"
        + (f", skipped {len(result.bad_rows)} bad rows." if result.bad_rows else ".")
    )


def _import_group(name: str, help_text: str, importer, what: str) -> click.Group:
    """`flask <name> import FILE [--skip-bad]` for one of the CSV importers."""
    group = click.Group(name, help=help_text)

    @group.command("import", help=f'Import {what} from a CSV file (columns: docs/operations.md "CSV import columns").')
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--skip-bad", is_flag=True, help="Import the good rows and list the bad ones.")
    @with_appcontext
    def import_command(file, skip_bad):
        _run_import(importer, file, skip_bad, what)

    return group


cdrs_group = _import_group("cdrs", "Call detail records.", import_cdrs, "CDRs")
transactions_group = _import_group("transactions", "Non-call charges and credits.", import_transactions, "transactions")
