"""Benchmark: month-end as an operator runs it. A month of CDRs for `--accounts` accounts (1-, 3- and 6-page
invoices in a 70/20/10 mix), then the billing run, approve all (500 at a time, as the admin bulk action
does), e-mail all with PDFs, with the PDF and e-mail jobs on a Redis queue run by `huey_consumer` with 1
and with 2 workers, to a real SMTP server on loopback (aiosmtpd).

Reported per worker count: the wall time from the consumer's start until every e-mail is sent,
invoices per minute, and the ratio to the CPU-bound limit (the summed render time of the PDFs, as
stored with each, divided by the cores the workers can use); targets: >= 0.85 of the limit, and
2 workers >= 1.8 x 1 worker. Every message the SMTP server received is counted: nothing may be lost
or sent twice.

    python bench/month_end.py                            # PostgreSQL, 10,000 accounts
    python bench/month_end.py --accounts 300 --workers 1,2
    python bench/month_end.py --accounts 6 --workers 1   # smoke run
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import os
import random
import secrets
import subprocess
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from email import message_from_bytes

from aiosmtpd.controller import Controller
from sqlalchemy import func, insert, select

from bench._server import ROOT, free_port
from bench._setup import QUEUE_URL, UTC, arguments, fresh_database, insert_monthly_accounts, machine, migrated_app

PERIOD_END = datetime(2026, 2, 1, tzinfo=UTC)
RUN_AT = datetime(2026, 2, 10, tzinfo=UTC)
# (share of accounts, destination prefixes on the invoice): about 1, 3 and 6 PDF pages (bench/pdf.py).
MIX = [(0.7, 5), (0.2, 75), (0.1, 170)]


class Collector:
    """aiosmtpd handler: keeps the invoice number of every message it accepts."""

    def __init__(self):
        self.subjects: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - the name aiosmtpd calls
        message = message_from_bytes(envelope.content)
        has_pdf = any(part.get_content_type() == "application/pdf" for part in message.walk())
        with self.lock:
            self.subjects.append(f"{message['Subject']}{'' if has_pdf else ' (NO PDF)'}")
        return "250 OK"


def populate(db, accounts: int, seed: int) -> Counter:
    """`accounts` monthly accounts due at PERIOD_END, one per customer (with an e-mail address), each with a
    month of CDRs over as many destination prefixes as its invoice size asks; returns accounts per size."""
    from portal.models import Cdr, Customer, Organization

    rng = random.Random(seed)
    org = Organization(slug="bench", name="Bench Telco", legal_name="Bench Telco Ltd", address="1 Street")
    db.session.add(org)
    db.session.flush()
    db.session.execute(
        insert(Customer),
        [
            {"id": c, "organization_id": org.id, "name": f"Customer {c}", "email": f"billing{c}@example.com"}
            for c in range(1, accounts + 1)
        ],
    )
    insert_monthly_accounts(db, accounts, customer_of=lambda a: a, due=PERIOD_END)
    sizes: Counter = Counter()
    january = datetime(2026, 1, 1, tzinfo=UTC)
    cdrs = []
    for a in range(1, accounts + 1):
        roll, prefixes = rng.random(), MIX[-1][1]
        for share, count in MIX:
            if roll < share:
                prefixes = count
                break
            roll -= share
        sizes[prefixes] += 1
        for p in range(prefixes):
            for k in range(3):
                billed = 60 * rng.randint(1, 10)
                cdrs.append(
                    {
                        "time_start": january + timedelta(seconds=rng.randrange(31 * 86400)),
                        "duration": billed - 5,
                        "customer_duration": billed,
                        "vendor_duration": billed,
                        "success": True,
                        "customer_acc_id": a,
                        "vendor_acc_id": None,
                        "customer_price": (Decimal("0.045") * billed / 60).quantize(Decimal("0.000001")),
                        "vendor_price": Decimal("0"),
                        "dst_prefix": f"49{1000 + p}",
                        "destination_rate": Decimal("0.045"),
                        "is_last_cdr": True,
                    }
                )
        if len(cdrs) > 20_000:
            db.session.execute(insert(Cdr), cdrs)
            cdrs = []
    if cdrs:
        db.session.execute(insert(Cdr), cdrs)
    db.session.commit()
    return sizes


def month_end(args, workers: int) -> dict:
    """One month-end on a fresh database with `workers` queue workers; its figures."""
    from portal.billing.bulk import request_bulk_approval
    from portal.billing.bulk_execution import execute_bulk_approval
    from portal.billing.runs import execute_billing_run, start_billing_run
    from portal.delivery.tasks import email_invoices
    from portal.extensions import db
    from portal.foundations.permissions import SYSTEM
    from portal.jobs import huey, use_queue
    from portal.models import EmailDelivery, Invoice, InvoiceDocument

    url = fresh_database(args, f"month_end_{workers}")
    app = migrated_app(url)
    queue_name = f"bench-month-end-{secrets.token_hex(4)}"
    figures: dict = {"workers": workers}
    handler = Collector()
    smtp_port = free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    consumer = None
    try:
        with app.app_context():
            sizes = populate(db, args.accounts, seed=workers)
            figures["sizes"] = sizes
            t0 = time.perf_counter()
            run = start_billing_run(run_at=RUN_AT, now=RUN_AT + timedelta(hours=1))
            db.session.commit()
            run = execute_billing_run(run.id)
            figures["billing run s"] = time.perf_counter() - t0
            ids = db.session.scalars(select(Invoice.id).where(Invoice.billing_run_id == run.id).order_by(Invoice.id))
            ids = list(ids)
            use_queue(args.queue_url, queue_name)  # from here on jobs go to Redis, as on a production web process
            t0 = time.perf_counter()
            for start in range(0, len(ids), 500):
                batch = request_bulk_approval(ids[start : start + 500], actor=SYSTEM)
                db.session.commit()  # queues the batch's job; it is executed here, the queued one finds it done
                execute_bulk_approval(batch.id)  # each approval's commit enqueues its PDF job
            figures["approve s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            outcome = email_invoices(ids, SYSTEM)
            figures["e-mail requests s"] = time.perf_counter() - t0
            assert not outcome["failed"], outcome["failed"][:5]
            figures["jobs queued"] = huey.pending_count()
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "PORTAL_ENV": "production",
                "PORTAL_SECRET_KEY": secrets.token_urlsafe(32),
                "PORTAL_DATABASE_URL": url,
                "PORTAL_QUEUE_URL": args.queue_url,
                "PORTAL_QUEUE_NAME": queue_name,
                "PORTAL_MAIL_HOST": "127.0.0.1",
                "PORTAL_MAIL_PORT": str(smtp_port),
                "PORTAL_INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-instance-"),
                "PORTAL_OUTBOX_DIR": tempfile.mkdtemp(prefix="bench-outbox-"),
            }
            log = open(os.path.join(tempfile.mkdtemp(prefix="bench-month-end-"), "consumer.log"), "w")
            t0 = time.perf_counter()
            loads = [os.getloadavg()[0]]
            consumer = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "huey.bin.huey_consumer",
                    "portal.worker.huey",
                    "-w",
                    str(workers),
                    "-k",
                    "process",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + args.timeout
            while True:
                db.session.rollback()
                open_deliveries = db.session.scalar(
                    select(func.count())
                    .select_from(EmailDelivery)
                    .where(EmailDelivery.status.in_(("queued", "sending")))
                )
                if not open_deliveries and huey.pending_count() == 0:
                    break
                if consumer.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the workers stopped or ran out of time; log: {log.name}")
                time.sleep(0.5)
            figures["wall s"] = time.perf_counter() - t0
            loads.append(os.getloadavg()[0])
            figures["loads"] = loads
            figures["invoices"] = len(ids)
            figures["render s"] = (
                db.session.scalar(select(func.sum(InvoiceDocument.render_ms)).where(InvoiceDocument.kind == "pdf")) or 0
            ) / 1000
            figures["pdfs"] = db.session.scalar(
                select(func.count()).select_from(InvoiceDocument).where(InvoiceDocument.kind == "pdf")
            )
            statuses = Counter(db.session.scalars(select(EmailDelivery.status)))
            figures["deliveries"] = dict(statuses)
            use_queue(None, "portal")
    finally:
        if consumer is not None:
            consumer.terminate()
            consumer.wait(timeout=60)
        time.sleep(0.5)
        smtp.stop()
        huey.storage.flush_all() if huey.storage.name == queue_name else None
    received = Counter(handler.subjects)
    figures["received"] = len(handler.subjects)
    figures["doubled"] = sum(n - 1 for n in received.values() if n > 1)
    figures["without pdf"] = sum(1 for subject in handler.subjects if subject.endswith("(NO PDF)"))
    return figures


def main() -> None:
    args = arguments(
        __doc__,
        default_database="postgresql",
        accounts=(int, 10_000, "accounts invoiced"),
        workers=(str, "1,2", "queue worker counts to run, comma-separated"),
        queue_url=QUEUE_URL,
        timeout=(int, 7200, "seconds the workers may take"),
    )
    results = [month_end(args, int(n)) for n in args.workers.split(",")]
    cores = os.cpu_count()
    print(
        f"database: {args.database}; machine: {machine()}; Redis queue, huey_consumer -k process; aiosmtpd on loopback"
    )
    sizes = results[0]["sizes"]
    print(
        f"{args.accounts:,} accounts: "
        + ", ".join(f"{sizes[count]:,} with {count} destinations" for _, count in MIX)
        + " (about 1, 3 and 6 PDF pages)"
    )
    print(
        "| workers | billing run s | approve all s | e-mail requests s | PDFs + e-mails wall s | invoices/min "
        "| summed render s | ratio to CPU-bound limit | received / invoices | sent twice | load average |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        limit = r["render s"] / min(r["workers"], cores)  # the render time spread over the cores the workers use
        r["per minute"] = r["invoices"] / r["wall s"] * 60
        print(
            f"| {r['workers']} | {r['billing run s']:.1f} | {r['approve s']:.1f} | {r['e-mail requests s']:.1f} "
            f"| {r['wall s']:.1f} | {r['per minute']:.0f} | {r['render s']:.1f} | {limit / r['wall s']:.2f} "
            f"| {r['received']:,} / {r['invoices']:,} | {r['doubled']} | {r['loads'][0]:.1f}, {r['loads'][1]:.1f} |"
        )
    if len(results) > 1:
        print(
            f"{results[1]['workers']} workers / {results[0]['workers']}: "
            f"{results[1]['per minute'] / results[0]['per minute']:.2f} x"
        )
    for r in results:
        print(
            f"{r['workers']} workers: deliveries {r['deliveries']}, PDFs {r['pdfs']:,}, "
            f"jobs queued {r['jobs queued']:,}"
        )
        if (
            r["received"] != r["invoices"]
            or r["doubled"]
            or r["without pdf"]
            or r["deliveries"].get("sent") != r["invoices"]
        ):
            raise SystemExit("an e-mail was lost, sent twice or sent without its PDF")


if __name__ == "__main__":
    main()
