"""Loading the demo: deterministic for a seed, the CLI flags (--if-empty, --print-logins), the demo clock."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from portal.demo import load_demo_data
from portal.demo.clock import demo_now
from portal.demo.users import ADMIN_PASSWORD, CUSTOMER_PASSWORD
from portal.extensions import db
from portal.models import Account, Cdr, Customer, Invoice, Payment, Transaction
from tests.conftest import _empty_tables

SMALL = {"months": 4, "calls_per_account": 50, "pdfs": "none"}


def fingerprint() -> dict:
    """Counts and totals that two loads with one seed must share."""
    s = db.session
    return {
        "customers": s.scalar(select(func.count()).select_from(Customer)),
        "accounts": s.scalar(select(func.count()).select_from(Account)),
        "cdrs": s.scalar(select(func.count()).select_from(Cdr)),
        "cdr_seconds": s.scalar(select(func.sum(Cdr.duration))),
        "transactions": s.scalar(select(func.count()).select_from(Transaction)),
        "invoices": sorted(
            (
                i.account.name,
                i.start_date.isoformat(),
                i.state,
                i.invoice_number,
                str(i.amount_total),
                str(i.total_amount),
                str(i.paid_amount),
                str(i.uuid),
            )
            for i in s.scalars(select(Invoice))
        ),
        "payments": s.scalar(select(func.count()).select_from(Payment)),
    }


def test_same_seed_loads_the_same_data(app):
    first_summary = load_demo_data(seed=7, **SMALL)
    first = fingerprint()
    _empty_tables()
    second_summary = load_demo_data(seed=7, **SMALL)
    assert fingerprint() == first
    assert first_summary == second_summary
    assert first["cdrs"] > 1000 and len(first["invoices"]) > 50


def test_another_seed_loads_other_data(app):
    load_demo_data(seed=7, **SMALL)
    first = fingerprint()
    _empty_tables()
    load_demo_data(seed=8, **SMALL)
    assert fingerprint()["cdr_seconds"] != first["cdr_seconds"]


def test_cli_loads_once_with_if_empty_and_prints_logins(app, runner):
    args = ["demo-data", "--if-empty", "--months", "4", "--calls-per-account", "20", "--pdfs", "none"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Loaded 10 customers" in result.output
    before = fingerprint()
    again = runner.invoke(args=args)
    assert again.exit_code == 0 and "already holds data" in again.output
    assert fingerprint() == before

    plain = runner.invoke(args=["demo-data"])
    assert plain.exit_code != 0 and "already holds data" in plain.output

    logins = runner.invoke(args=["demo-data", "--print-logins", "--url", "http://127.0.0.1:8123"])
    assert logins.exit_code == 0
    assert "http://127.0.0.1:8123" in logins.output
    assert "admin@telco.example" in logins.output and ADMIN_PASSWORD in logins.output
    customer_lines = [line for line in logins.output.splitlines() if line.strip().startswith("customer")]
    assert len(customer_lines) >= 2 and CUSTOMER_PASSWORD in customer_lines[0]
    assert len({line.split()[1].split("@")[1] for line in customer_lines}) >= 2


def test_print_logins_on_an_empty_database_says_what_to_do(runner):
    result = runner.invoke(args=["demo-data", "--print-logins"])
    assert result.exit_code != 0
    assert "flask --app portal demo-data" in result.output


def test_demo_clock_is_the_first_of_the_month():
    assert demo_now(dt.date(2026, 3, 17)) == dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    assert demo_now(dt.date(2026, 1, 1)) == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def test_every_approved_demo_invoice_has_its_pdf(app):
    from portal.models import Invoice, InvoiceDocument

    load_demo_data(seed=3, months=4, calls_per_account=10)
    approved = db.session.query(Invoice.id).filter(Invoice.state == "Approved").count()
    with_pdf = db.session.query(InvoiceDocument.invoice_id).filter(InvoiceDocument.kind == "pdf").count()
    assert approved > 0 and with_pdf == approved


def test_recent_pdfs_then_render_missing_completes_the_set(app, runner):
    from portal.models import Invoice, InvoiceDocument

    load_demo_data(seed=3, months=4, calls_per_account=10, pdfs="recent")
    approved = db.session.query(Invoice).filter(Invoice.state == "Approved").all()
    with_pdf = {d.invoice_id for d in db.session.query(InvoiceDocument).filter(InvoiceDocument.kind == "pdf")}
    accounts = {i.account_id for i in approved}
    newest = {max((i for i in approved if i.account_id == a), key=lambda i: i.end_date).id for a in accounts}
    assert newest <= with_pdf and len(with_pdf) <= 2 * len(accounts) < len(approved)
    result = runner.invoke(args=["documents", "render-missing", "--quiet"])
    assert result.exit_code == 0, result.output
    assert f"Stored {len(approved) - len(with_pdf)} of {len(approved) - len(with_pdf)} missing PDFs." in result.output
    db.session.expire_all()
    assert db.session.query(InvoiceDocument).filter(InvoiceDocument.kind == "pdf").count() == len(approved)
