"""Benchmark: invoice PDF render time by size with the real renderer, and memory growth over many renders.

Targets: 2 pages (5 rows; the statement and payment box fill the first) <= 150 ms, 3 pages <= 500 ms,
200 destination rows < 1 s (context + render, median), RSS growth over 500 renders < 10 MiB after a warm-up.
Each size is also rendered with the automatic table layout (portal/documents/columns.py turned off, as its
fallback does when the font metrics cannot be read): what the computed column widths save.

    python bench/pdf.py
    python bench/pdf.py --database postgresql
    python bench/pdf.py --repeat 1 --renders 3 --warmup 1     # smoke run
"""

from __future__ import annotations

import gc
import io
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader
from sqlalchemy import func, insert, select

from bench._data import populate
from bench._setup import arguments, fresh_database, machine, migrated_app

# (label, destination rows, target in ms); populate() gives every invoice 5 destination and 5 network rows.
SIZES = [("2 pages", 5, 150), ("3 pages", 75, 500), ("200 destination rows", 200, 1000)]


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def add_destinations(db, invoice, rows: int) -> None:
    """Give `invoice` `rows` originated destination rows (distinct prefixes), as a fill of a busy account would."""
    from portal.models import InvoiceDestination

    existing = db.session.scalar(select(func.count()).where(InvoiceDestination.invoice_id == invoice.id))
    template = db.session.scalars(select(InvoiceDestination).where(InvoiceDestination.invoice_id == invoice.id)).first()
    # populate() writes explicit ids, which leave PostgreSQL's sequence behind: give explicit ids too.
    next_id = db.session.scalar(select(func.max(InvoiceDestination.id))) + 1
    extra = [
        {
            "id": next_id + n,
            "invoice_id": invoice.id,
            "direction": "originated",
            "dst_prefix": f"4{9100 + n}",
            "country_id": template.country_id,
            "network_id": template.network_id,
            "rate": Decimal("0.045"),
            "spent": True,
            "calls_count": 10 + n,
            "successful_calls_count": 6 + n,
            "calls_duration": 900 + n,
            "billing_duration": 1200 + n,
            "amount": Decimal("1.250000"),
            "discount": Decimal(0),
            "first_call_at": invoice.start_date,
            "last_call_at": invoice.end_date - timedelta(seconds=1),
        }
        for n in range(rows - existing)
    ]
    if extra:
        db.session.execute(insert(InvoiceDestination), extra)
    db.session.commit()


def render(invoice) -> bytes:
    from portal.documents.context import invoice_pdf_context
    from portal.documents.pdf import render_invoice_pdf

    return render_invoice_pdf(invoice_pdf_context(invoice))


def main() -> None:
    args = arguments(
        __doc__,
        repeat=5,
        renders=(int, 500, "renders for the memory check"),
        warmup=(int, 20, "renders before the memory baseline"),
    )
    url = fresh_database(args, "pdf")
    app = migrated_app(url)
    from portal.extensions import db
    from portal.models import Invoice

    with app.app_context():
        populate(
            db,
            customers=2,
            accounts_per_customer=3,
            invoices=len(SIZES),
            heavy_invoices=len(SIZES),
            progress=lambda line: None,
        )
        invoices = [db.session.get(Invoice, n + 1) for n in range(len(SIZES))]
        for invoice, (_, rows, _) in zip(invoices, SIZES):
            add_destinations(db, invoice, rows)
        render(invoices[0])  # fonts and templates load once per process; not part of any figure

        print(f"database: {db.engine.dialect.name}; machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
        # CPU time is what one render costs; wall time also holds the waits of a shared machine.
        print(
            "| invoice | destination rows | pages | bytes | median wall ms | median CPU ms | target "
            "| CPU ms, automatic layout | automatic / computed widths |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for invoice, (label, rows, target_ms) in zip(invoices, SIZES):
            walls, cpus, automatic, data = [], [], [], b""
            for _ in range(args.repeat):
                db.session.expire_all()  # the context is read from the database each time, as at approval
                t0, c0 = time.perf_counter(), time.process_time()
                data = render(invoice)
                walls.append((time.perf_counter() - t0) * 1000)
                cpus.append((time.process_time() - c0) * 1000)
                db.session.expire_all()
                with patch("portal.documents.context.column_widths_or_none", lambda columns, rows: None):
                    c0 = time.process_time()
                    render(invoice)
                    automatic.append((time.process_time() - c0) * 1000)
            pages = len(PdfReader(io.BytesIO(data)).pages)
            wall, cpu = statistics.median(walls), statistics.median(cpus)
            verdict = "ok" if wall <= target_ms else ("ok on CPU" if cpu <= target_ms else "MISSED")
            print(
                f"| {label} | {rows} | {pages} | {len(data):,} | {wall:.0f} | {cpu:.0f} | <= {target_ms}: {verdict} "
                f"| {statistics.median(automatic):.0f} | {statistics.median(automatic) / cpu:.2f} |"
            )

        for _ in range(args.warmup):
            render(invoices[0])
        gc.collect()
        before = rss_bytes()
        t0 = time.perf_counter()
        for _ in range(args.renders):
            db.session.expire_all()
            render(invoices[0])
        gc.collect()
        growth = (rss_bytes() - before) / 1024 / 1024
        elapsed = time.perf_counter() - t0
        verdict = "ok" if growth < 10 else "MISSED"
        print(
            f"memory: RSS {before / 1024 / 1024:.1f} MiB after {args.warmup} warm-up renders, "
            f"growth {growth:+.1f} MiB over {args.renders} renders ({elapsed:.1f} s) (target < 10 MiB: {verdict})"
        )


if __name__ == "__main__":
    main()
