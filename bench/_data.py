"""Large, consistent data for page and API benchmarks, written with bulk inserts.

Invoices are approved, with destination, network and service rows whose sums equal the
invoice totals, so every page renders real figures. One heavy customer owns
`heavy_invoices` invoices; the rest are spread over the other accounts.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, text

from bench._setup import COUNTRIES, UTC, catch_up_sequences


def populate(
    db,
    *,
    customers: int,
    accounts_per_customer: int,
    invoices: int,
    heavy_invoices: int,
    seed: int = 7,
    progress=print,
    invoice_progress=None,
) -> dict:
    """Write the data; `progress` gets a line of text every 5,000 invoices, `invoice_progress`
    (if given) gets (invoices written, invoices planned) after every batch, the last one included."""
    from portal.auth.sessions import hash_password
    from portal.models import (
        Account,
        AdminUser,
        Country,
        Customer,
        CustomerUser,
        Invoice,
        InvoiceDestination,
        InvoiceNetwork,
        InvoiceServiceData,
        Network,
        Organization,
    )

    rng = random.Random(seed)
    s = db.session
    org = Organization(
        slug="telco",
        name="Telco Networks",
        legal_name="Telco Networks Ltd",
        address="1 Carrier Street\nLondon",
        vat_number="GB123456789",
    )
    s.add(org)
    s.flush()
    country_ids, network_ids = [], []
    for iso2, name, _ in COUNTRIES[:6]:  # Germany to Spain
        country = Country(iso2=iso2, name=name)
        s.add(country)
        s.flush()
        country_ids.append(country.id)
        for kind in ("mobile", "fixed"):
            network = Network(name=f"{name} {kind}", network_type=kind, country_id=country.id)
            s.add(network)
            s.flush()
            network_ids.append((country.id, network.id, kind))

    s.execute(
        insert(Customer),
        [
            {
                "id": c,
                "organization_id": org.id,
                "name": f"Customer {c:05d} GmbH",
                "email": f"ap{c}@example.com",
                "vat_number": f"DE{100000000 + c}",
                "address": f"{c} Example Street\nBerlin",
            }
            for c in range(1, customers + 1)
        ],
    )
    currencies = ["EUR", "USD", "GBP"]
    account_rows = []
    for c in range(1, customers + 1):
        for a in range(accounts_per_customer):
            account_id = (c - 1) * accounts_per_customer + a + 1
            account_rows.append(
                {
                    "id": account_id,
                    "uuid": uuid.UUID(int=rng.getrandbits(128)),
                    "customer_id": c,
                    "name": f"Account {account_id}",
                    "currency": currencies[account_id % 3],
                    "timezone": "Europe/Berlin",
                    "vat_rate": Decimal("19"),
                    "payment_terms_days": 30,
                }
            )
    s.execute(insert(Account), account_rows)
    password = hash_password("bench-password-1")
    s.execute(insert(AdminUser), [{"email": "admin@bench.example", "level": 5, "password_hash": password}])
    s.execute(
        insert(CustomerUser),
        [
            {"email": "heavy@bench.example", "customer_id": 1, "password_hash": password},
            {"email": "light@bench.example", "customer_id": 2, "password_hash": password},
        ],
    )
    s.commit()

    heavy_accounts = list(range(1, accounts_per_customer + 1))
    other_accounts = list(range(accounts_per_customer + 1, len(account_rows) + 1))
    plan = [(heavy_accounts[i % len(heavy_accounts)]) for i in range(heavy_invoices)]
    plan += [other_accounts[i % len(other_accounts)] for i in range(max(invoices - heavy_invoices, 0))]
    # Each account's n-th invoice covers the n-th day before 2026-11-01. Ids are handed out oldest
    # first, as a live database assigns them over time, so every customer's invoices spread over the
    # whole id range (the heavy customer's newest invoices have the highest ids, not the lowest).
    per_account_index: dict[int, int] = {}
    dated = []
    for account_id in plan:
        n = per_account_index.get(account_id, 0)
        per_account_index[account_id] = n + 1
        dated.append((n, account_id))
    dated.sort(key=lambda item: (-item[0], item[1]))
    today = date(2026, 11, 1)
    chunk: dict[str, list] = {"inv": [], "dst": [], "net": [], "svc": []}
    dst_id = net_id = svc_id = 0
    for invoice_id, (n, account_id) in enumerate(dated, start=1):
        end = datetime(2026, 11, 1, tzinfo=UTC) - timedelta(days=n)
        start = end - timedelta(days=1)
        account = account_rows[account_id - 1]
        orig_total = Decimal(0)
        orig_calls = 0
        for k in range(5):
            country_id, network_id, kind = network_ids[(invoice_id + k) % len(network_ids)]
            calls = rng.randint(5, 500)
            amount = (Decimal(rng.randint(100, 100000)) / 1000).quantize(Decimal("0.000001"))
            orig_total += amount
            orig_calls += calls
            # What a destination row and a network row of the same traffic both say.
            traffic = {
                "invoice_id": invoice_id,
                "direction": "originated",
                "country_id": country_id,
                "network_id": network_id,
                "rate": Decimal("0.045"),
                "spent": True,
                "calls_count": calls,
                "successful_calls_count": calls * 6 // 10,
                "calls_duration": calls * 90,
                "billing_duration": calls * 120,
                "amount": amount,
                "first_call_at": start,
                "last_call_at": end - timedelta(seconds=1),
            }
            dst_id += 1
            chunk["dst"].append({**traffic, "id": dst_id, "dst_prefix": f"49{15 + k}", "discount": Decimal(0)})
            net_id += 1
            chunk["net"].append({**traffic, "id": net_id})
        services = Decimal("25.000000")
        svc_id += 1
        chunk["svc"].append(
            {
                "id": svc_id,
                "invoice_id": invoice_id,
                "service_id": None,
                "spent": True,
                "transactions_count": 1,
                "amount": services,
            }
        )
        total = orig_total + services
        net = total.quantize(Decimal("0.01"))
        vat = (net * Decimal("0.19")).quantize(Decimal("0.01"))
        invoice_date = today - timedelta(days=n)
        paid = (net + vat) if n % 3 == 0 else Decimal(0)
        chunk["inv"].append(
            {
                "id": invoice_id,
                "uuid": uuid.UUID(int=rng.getrandbits(128)),
                "reference": str(invoice_id),
                "invoice_number": f"B-{invoice_id:07d}",
                "organization_id": org.id,
                "customer_id": account["customer_id"],
                "account_id": account_id,
                "currency": account["currency"],
                "state": "Approved",
                "invoice_type": "Auto Full",
                "start_date": start,
                "end_date": end,
                "created_at": end,
                "filled_at": end,
                "approved_at": end,
                "invoice_date": invoice_date,
                "due_date": invoice_date + timedelta(days=30),
                "amount_spent": total,
                "amount_total": total,
                "originated_amount_spent": orig_total,
                "originated_calls_count": orig_calls,
                "originated_successful_calls_count": orig_calls * 6 // 10,
                "originated_calls_duration": orig_calls * 90,
                "originated_billing_duration": orig_calls * 120,
                "originated_first_call_at": start,
                "originated_last_call_at": end - timedelta(seconds=1),
                "services_amount_spent": services,
                "service_transactions_count": 1,
                "charges_calls": orig_total,
                "charges_recurring": services,
                "charges_non_call": services,
                "vat_rate": Decimal("19"),
                "net_amount": net,
                "vat_amount": vat,
                "total_amount": net + vat,
                "paid_amount": paid,
                "outstanding": net + vat - paid,
                "paid_date": invoice_date if paid else None,
            }
        )
        if len(chunk["inv"]) >= 5000:
            _flush(s, chunk, Invoice, InvoiceDestination, InvoiceNetwork, InvoiceServiceData)
            progress(f"  {invoice_id:,} / {len(plan):,} invoices")
            if invoice_progress:
                invoice_progress(invoice_id, len(plan))
    _flush(s, chunk, Invoice, InvoiceDestination, InvoiceNetwork, InvoiceServiceData)
    if invoice_progress:
        invoice_progress(len(plan), len(plan))
    catch_up_sequences(s)
    return {"invoices": len(plan), "accounts": len(account_rows), "customers": customers}


def _flush(session, chunk, invoice, destination, network, service) -> None:
    for key, model in (("inv", invoice), ("dst", destination), ("net", network), ("svc", service)):
        if chunk[key]:
            session.execute(insert(model), chunk[key])
            chunk[key] = []
    session.commit()


PAID_AFTER_DAYS = 60


def populate_in_database(
    db, *, customers: int, accounts_per_customer: int, invoices: int, heavy_invoices: int, progress=print
) -> dict:
    """What `populate` writes, with the invoices and their detail rows generated by PostgreSQL itself
    (INSERT … SELECT from generate_series): the same accounts, periods, id order and consistent sums,
    with random figures of the same ranges, at a few seconds per 100,000 invoices instead of minutes.
    Invoices older than PAID_AFTER_DAYS are paid."""
    from portal.models import Invoice, InvoiceDestination, InvoiceNetwork, InvoiceServiceData

    counts = populate(
        db,
        customers=customers,
        accounts_per_customer=accounts_per_customer,
        invoices=0,
        heavy_invoices=0,
        progress=progress,
    )
    s = db.session
    s.execute(text("SET LOCAL TimeZone = 'UTC'"))
    heavy = min(heavy_invoices, invoices)
    others = counts["accounts"] - accounts_per_customer
    s.execute(
        text(
            "CREATE TEMP TABLE bench_plan ON COMMIT DROP AS "
            "SELECT row_number() OVER (ORDER BY n DESC, account_id) AS id, account_id, n FROM ("
            " SELECT 1 + i % :per AS account_id, i / :per AS n FROM generate_series(0, :heavy - 1) i"
            " UNION ALL SELECT :per + 1 + j % :others, j / :others FROM generate_series(0, :rest - 1) j) p"
        ),
        {"per": accounts_per_customer, "heavy": heavy, "others": max(others, 1), "rest": invoices - heavy},
    )
    # Five traffic rows per invoice, as populate writes them: one destination and one network row each.
    s.execute(
        text(
            "CREATE TEMP TABLE bench_traffic ON COMMIT DROP AS "
            "SELECT p.id AS invoice_id, k, n.id AS network_id, n.country_id, 5 + floor(random() * 496)::int AS calls,"
            " ((100 + floor(random() * 99901)::int) / 1000.0)::numeric(20, 6) AS amount,"
            " timestamp '2026-10-31' - p.n * interval '1 day' AS start_at "
            "FROM bench_plan p CROSS JOIN generate_series(0, 4) k "
            "JOIN (SELECT id, country_id, row_number() OVER (ORDER BY id) - 1 AS nr, count(*) OVER () AS nn"
            "      FROM networks) n ON n.nr = (p.id + k) % n.nn"
        )
    )
    # Every third invoice paid, as populate pays them, and, unlike there, every invoice older than
    # PAID_AFTER_DAYS: a customer owes its recent invoices, not two thirds of years of them.
    paid = f"(p.n % 3 = 0 OR p.n >= {PAID_AFTER_DAYS})"
    given = {
        "uuid": "gen_random_uuid()",
        "reference": "p.id::text",
        "invoice_number": "'B-' || lpad(p.id::text, 7, '0')",
        "organization_id": "a_org.organization_id",
        "customer_id": "a.customer_id",
        "account_id": "a.id",
        "currency": "a.currency",
        "state": "'Approved'",
        "invoice_type": "'Auto Full'",
        "start_date": "t.start_at",
        "end_date": "t.start_at + interval '1 day'",
        "created_at": "t.start_at + interval '1 day'",
        "updated_at": "t.start_at + interval '1 day'",
        "filled_at": "t.start_at + interval '1 day'",
        "approved_at": "t.start_at + interval '1 day'",
        "invoice_date": "date '2026-11-01' - p.n::int",
        "due_date": "date '2026-11-01' - p.n::int + 30",
        "amount_spent": "t.orig + 25",
        "amount_total": "t.orig + 25",
        "originated_amount_spent": "t.orig",
        "originated_calls_count": "t.calls",
        "originated_successful_calls_count": "t.calls * 6 / 10",
        "originated_calls_duration": "t.calls * 90",
        "originated_billing_duration": "t.calls * 120",
        "originated_first_call_at": "t.start_at",
        "originated_last_call_at": "t.start_at + interval '86399 seconds'",
        "services_amount_spent": "25",
        "service_transactions_count": "1",
        "charges_calls": "t.orig",
        "charges_recurring": "25",
        "charges_non_call": "25",
        "vat_rate": "19",
        "net_amount": "m.net",
        "vat_amount": "m.vat",
        "total_amount": "m.net + m.vat",
        "paid_amount": f"CASE WHEN {paid} THEN m.net + m.vat ELSE 0 END",
        "outstanding": f"CASE WHEN {paid} THEN 0 ELSE m.net + m.vat END",
        "paid_date": f"CASE WHEN {paid} THEN date '2026-11-01' - p.n::int END",
    }
    names, values = _with_defaults(Invoice, given)
    s.execute(
        text(
            f"INSERT INTO invoices (id, {names}) SELECT p.id, {values} FROM bench_plan p "
            "JOIN accounts a ON a.id = p.account_id JOIN customers a_org ON a_org.id = a.customer_id "
            "JOIN (SELECT invoice_id, min(start_at) AS start_at, sum(amount) AS orig, sum(calls) AS calls"
            "      FROM bench_traffic GROUP BY invoice_id) t ON t.invoice_id = p.id, "
            "LATERAL (SELECT round(t.orig + 25, 2) AS net) n0, "
            "LATERAL (SELECT n0.net AS net, round(n0.net * 0.19, 2) AS vat) m ORDER BY p.id"
        )
    )
    traffic = {
        "invoice_id": "invoice_id",
        "direction": "'originated'",
        "country_id": "country_id",
        "network_id": "network_id",
        "rate": "0.045",
        "spent": "true",
        "calls_count": "calls",
        "successful_calls_count": "calls * 6 / 10",
        "calls_duration": "calls * 90",
        "billing_duration": "calls * 120",
        "amount": "amount",
        "first_call_at": "start_at",
        "last_call_at": "start_at + interval '86399 seconds'",
    }
    rows = {"invoice_destinations": (InvoiceDestination, {**traffic, "dst_prefix": "'49' || (15 + k)"})}
    rows["invoice_networks"] = (InvoiceNetwork, traffic)
    for table, (model, columns) in rows.items():
        names, values = _with_defaults(model, columns)
        s.execute(
            text(
                f"INSERT INTO {table} (id, {names}) SELECT (invoice_id - 1) * 5 + k + 1, {values} "
                "FROM bench_traffic ORDER BY invoice_id, k"
            )
        )
    names, values = _with_defaults(
        InvoiceServiceData, {"invoice_id": "id", "spent": "true", "transactions_count": "1", "amount": "25"}
    )
    s.execute(text(f"INSERT INTO invoice_service_data (id, {names}) SELECT id, {values} FROM bench_plan ORDER BY id"))
    s.commit()
    catch_up_sequences(s)
    return {**counts, "invoices": invoices}


def _with_defaults(model, given: dict[str, str]) -> tuple[str, str]:
    """(column list, SQL values) of an INSERT … SELECT: `given`, then every other column's scalar default,
    as SQLAlchemy's insert() would have filled it in."""
    names, values = list(given), list(given.values())
    for column in model.__table__.columns:
        default = column.default
        if column.name not in given and column.name != "id" and default is not None and default.is_scalar:
            names.append(column.name)
            values.append(repr(str(default.arg)) if isinstance(default.arg, str) else str(default.arg))
    return ", ".join(names), ", ".join(values)
