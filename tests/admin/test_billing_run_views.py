"""Billing runs from the admin area: start form, progress while running (htmx polling), then the result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from portal.billing.schedule import set_invoice_period
from portal.models import BillingRun, Invoice
from tests.factories import AccountFactory, BillingRunFactory, CdrFactory, InvoiceFactory

UTC = dt.timezone.utc
MAY = dt.datetime(2026, 5, 10, tzinfo=UTC)


def _monthly(name, **kwargs):
    account = AccountFactory(name=name, timezone="UTC", **kwargs)
    return account


def _due_accounts(session):
    """Three accounts due on 1 June: one with a steady history then a collapse (anomaly), one ordinary,
    one whose later manual invoice makes the run fail for it."""
    steady = _monthly("Steady Voice")
    for month in (2, 3, 4):
        InvoiceFactory(
            account=steady,
            state="Approved",
            amount_total=Decimal("10"),
            start_date=dt.datetime(2026, month, 1, tzinfo=UTC),
            end_date=dt.datetime(2026, month + 1, 1, tzinfo=UTC),
        )
    set_invoice_period(steady, "Monthly", now=MAY)
    for _ in range(3):
        CdrFactory(customer_acc_id=steady.id, time_start=dt.datetime(2026, 5, 5, tzinfo=UTC))
    ordinary = _monthly("Ordinary Voice")
    set_invoice_period(ordinary, "Monthly", now=MAY)
    CdrFactory(customer_acc_id=ordinary.id, time_start=dt.datetime(2026, 5, 6, tzinfo=UTC))
    broken = _monthly("Broken Voice")
    set_invoice_period(broken, "Monthly", now=MAY)
    InvoiceFactory(
        account=broken, start_date=dt.datetime(2026, 5, 15, tzinfo=UTC), end_date=dt.datetime(2026, 6, 15, tzinfo=UTC)
    )
    session.commit()
    return steady, ordinary, broken


def test_start_form_runs_the_billing_and_the_run_page_shows_the_result(admin, session):
    steady, ordinary, broken = _due_accounts(session)
    response = admin.post_form("/admin/billing-runs/new", {"run_at": "2026-06-02T00:00:00", "approve": "y"})
    assert response.status_code == 303
    run = session.scalars(select(BillingRun)).one()
    assert response.headers["Location"].endswith(f"/admin/billing-runs/{run.id}")
    assert (run.status, run.approve, run.accounts_total, run.invoices_created) == ("done", True, 3, 2)
    html = admin.get(f"/admin/billing-runs/{run.id}").get_data(as_text=True)
    assert 'data-status="done"' in html and "hx-trigger" not in html
    created = session.scalars(select(Invoice).where(Invoice.billing_run_id == run.id)).all()
    assert {i.account_id for i in created} == {steady.id, ordinary.id}
    assert all(i.state == "Approved" and i.invoice_number in html for i in created)
    failures = html.split('id="run-failures"')[1].split("</section>")[0]
    assert "Broken Voice" in failures and "May 1, 2026 – May 31, 2026" in failures
    assert "invoice exists with end_date greater than or equal to current end_date" in failures
    anomalies = html.split('id="run-anomalies"')[1].split("</section>")[0]
    assert "Steady Voice" in anomalies and "€0.30" in anomalies and "€10.00" in anomalies and "-97.0%" in anomalies
    assert "Ordinary Voice" not in anomalies


def test_start_form_refuses_a_moment_in_the_future_or_unreadable(admin, session):
    future = admin.post_form("/admin/billing-runs/new", {"run_at": "2999-01-01T00:00"})
    assert future.status_code == 422 and "can&#39;t be in future" in future.get_data(as_text=True)
    garbage = admin.post_form("/admin/billing-runs/new", {"run_at": "next tuesday"})
    assert garbage.status_code == 422 and "is invalid" in garbage.get_data(as_text=True)
    assert session.scalar(select(BillingRun.id)) is None


def test_a_running_run_polls_every_two_seconds_and_shows_progress(admin, session):
    run = BillingRunFactory(status="running", accounts_total=4, accounts_done=1, invoices_created=1)
    session.commit()
    html = admin.get(f"/admin/billing-runs/{run.id}").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in html and "1 of 4 accounts" in html
    assert 'id="run-failures"' not in html
    fragment = admin.get(f"/admin/billing-runs/{run.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="billing-run"') and "<html" not in fragment
    run.status, run.accounts_done, run.finished_at = "done", 4, dt.datetime(2026, 6, 2, 0, 5, tzinfo=UTC)
    session.commit()
    done = admin.get(f"/admin/billing-runs/{run.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-trigger" not in done and "4 of 4 accounts" in done and 'id="run-failures"' in done


def test_billing_runs_list_and_unknown_run(admin, session):
    BillingRunFactory(status="failed", failures=[{"error": "x"}])
    session.commit()
    html = admin.get("/admin/billing-runs").get_data(as_text=True)
    assert "badge--failed" in html and "Start a billing run" in html
    assert admin.get("/admin/billing-runs/424242").status_code == 404
