"""Loading the whole demo: organization, catalog, customers, a year of traffic and charges, invoices, users.

Scale: `scale` 1 is ten hand-written customers with 24 accounts and about 3,000 CDRs per
originating account (≈ 65k CDRs, ≈ 400 invoices). Each step up adds ten generated customers
(three accounts each) and CDRs per account shrink with √scale, so `scale` 100 ≈ 1,000
customers, 3,000 accounts and ≈ 900k CDRs; 400 ≈ 4,000 customers and ≈ 1.8M CDRs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from portal.demo.catalog import COUNTRIES, create_catalog
from portal.demo.charges import create_charges
from portal.demo.clock import demo_now, months_before
from portal.demo.credit_notes import issue_demo_credit_notes
from portal.demo.customers import NAMED_CUSTOMERS, add_discount_plans, create_customer, generated_customer
from portal.demo.invoices import make_invoice, plan_invoices
from portal.demo.organization import ORG_SLUG, create_document_settings, create_organization
from portal.demo.traffic import TrafficAccount, generate_account_cdrs, insert_traffic
from portal.demo.users import create_admins, create_customer_users
from portal.documents.service import invoices_missing_pdf
from portal.documents.tasks import render_missing_pdfs
from portal.extensions import db
from portal.foundations.errors import Conflict
from portal.models import Organization

RECENT_PDFS_PER_ACCOUNT = 2
CALLS_PER_ACCOUNT = 2700  # at scale 1; re-routed calls add about 12 % more CDR rows
COMMIT_EVERY_ROWS = 200_000
COMMIT_EVERY_INVOICES = 500


@dataclass
class DemoSummary:
    """What a demo load created: customers and accounts (known once they exist), then the rows it counts as
    it goes, and invoices by state."""

    customers: int
    accounts: int
    cdrs: int = 0
    transactions: int = 0
    invoices: Counter = field(default_factory=Counter)


def _no_progress(label: str, length: int):
    class _Bar:
        def update(self, n):
            pass

    return contextlib.nullcontext(_Bar())


def database_has_organization() -> bool:
    return db.session.scalar(select(func.count()).select_from(Organization)) > 0


def load_demo_data(
    *,
    scale: int = 1,
    seed: int = 1,
    today: dt.date | None = None,
    progress=_no_progress,
    months: int = 12,
    calls_per_account: int | None = None,
    pdfs: str = "all",
) -> DemoSummary:
    """Load the demo into an empty database and commit it step by step.

    Args:
        scale: 1 for the demo; larger for benchmarks (see the module docstring).
        seed: the random seed; the same seed in the same month gives the same data.
        today: the date that fixes the demo's "now" (default the current date; see demo.clock).
        progress: `progress(label, length)` → context manager whose value has `update(n)`.
        months, calls_per_account: smaller data for tests (default a year, 2,700 calls at scale 1).
        pdfs: "all" renders every approved invoice's PDF (as approval does); "recent" only each
            account's two newest (the rest: `flask documents render-missing`); "none" figures only.

    Raises Conflict when the database already holds an organization.
    """
    if pdfs not in ("all", "recent", "none"):
        raise ValueError(f"pdfs must be all, recent or none, not {pdfs!r}")
    if database_has_organization():
        raise Conflict(
            "The database already holds data (an organization exists); demo data loads only into an empty database."
        )
    # Reproducible demo data from a seed, not a secret.
    rng = random.Random(seed)  # nosec B311
    now = demo_now(today)
    first = months_before(now, months)

    org = create_organization(first - dt.timedelta(days=400))
    create_document_settings(first - dt.timedelta(days=400))
    destinations = create_catalog()
    specs = list(NAMED_CUSTOMERS) + [generated_customer(rng, i) for i in range(11, 10 * scale + 1)]
    calling_code = {c.iso2: c.calling_code for c in COUNTRIES}
    customers, accounts = [], []
    with progress("Customers and accounts", len(specs)) as bar:
        for spec in specs:
            customer, pairs = create_customer(org, spec, rng, first - dt.timedelta(days=rng.randrange(30, 300)))
            customers.append(customer)
            accounts.extend((account, s.role, calling_code.get(spec.country, "44")) for account, s in pairs)
            bar.update(1)
    add_discount_plans(accounts[0][0])
    create_admins()
    create_customer_users(customers[0], customers[1], customers[2].accounts[0])
    db.session.commit()
    summary = DemoSummary(customers=len(customers), accounts=len(accounts))

    traffic = {a.id: TrafficAccount(a.id, a.currency, a.timezone, code) for a, _role, code in accounts}
    vendors = [traffic[a.id] for a, role, _code in accounts if role in ("vendor", "both")]
    calls = calls_per_account or max(30, round(CALLS_PER_ACCOUNT / math.sqrt(scale)))
    pending_rows = 0
    with progress("CDRs and charges", len(accounts)) as bar:
        for index, (account, role, _code) in enumerate(accounts):
            if role != "vendor":
                rows = generate_account_cdrs(
                    rng, traffic[account.id], int(calls * rng.uniform(0.6, 1.4)), vendors, destinations, first, now
                )
                summary.cdrs += insert_traffic(rows)
                pending_rows += len(rows)
                summary.transactions += create_charges(rng, account, first, now, refund=index % 7 == 3)
            if pending_rows >= COMMIT_EVERY_ROWS:
                db.session.commit()
                pending_rows = 0
            bar.update(1)
    db.session.commit()

    plan = plan_invoices([(a, role) for a, role, _code in accounts], first, now)
    with progress("Invoices", len(plan)) as bar:
        for n, planned in enumerate(plan, 1):
            summary.invoices[make_invoice(rng, planned, now, render_pdf=False)] += 1
            if n % COMMIT_EVERY_INVOICES == 0:
                db.session.commit()
            bar.update(1)
    db.session.commit()
    summary.invoices["credit notes"] = issue_demo_credit_notes(rng, customers[:3], now.date())
    db.session.commit()

    # PDFs last, one commit each, so the data above is kept whatever happens here.
    if pdfs != "none":
        newest = RECENT_PDFS_PER_ACCOUNT if pdfs == "recent" else None
        with progress("PDFs", len(invoices_missing_pdf(newest_per_account=newest))) as bar:
            render_missing_pdfs(newest_per_account=newest, progress=bar.update)
    return summary


__all__ = ["DemoSummary", "ORG_SLUG", "database_has_organization", "load_demo_data"]
