"""Benchmark: approving invoices in the admin pages under gunicorn (production configuration), with the PDF
jobs going to a Redis queue that no worker reads during the run, so the approvals are measured alone.

1. `--approvals` single approvals (`POST /admin/invoices/<id>/approve`, one after another, invoices picked at
   random), each timed by the server itself (gunicorn's access log, `%(M)s`), next to the one-row
   yardstick (bench/http_wsgi.py) asked the same way in the same run. Target: < 200 ms server time
   (p95) per approval, and a PDF job in the queue for each.
2. One bulk approval of `--bulk` invoices (`POST /admin/invoices/bulk`, action approve): its server time
   (it only records the batch and queues its job), the progress page it leads to; then that job, taken
   from the queue and run here as a worker would (its time, and the progress page at its end), which
   queues a PDF job for each invoice. The submit is sent twice, as a double click does: the second
   answer leads to the same batch.

Finally every approved invoice has its own number, the numbers have no gap, and the queue held exactly
one bulk job and one PDF job per approval.

    python bench/approve.py                                   # PostgreSQL, 20,000 invoices, 100 + 500 approvals
    python bench/approve.py --database sqlite
    python bench/approve.py --invoices 60 --approvals 5 --bulk 10   # smoke run
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import http.client  # noqa: E402 - after the sys.path line that lets the script import the project
import math  # noqa: E402 - after the sys.path line that lets the script import the project
import os  # noqa: E402 - after the sys.path line that lets the script import the project
import random  # noqa: E402 - after the sys.path line that lets the script import the project
import re  # noqa: E402 - after the sys.path line that lets the script import the project
import secrets  # noqa: E402 - after the sys.path line that lets the script import the project
import statistics  # noqa: E402 - after the sys.path line that lets the script import the project
import tempfile  # noqa: E402 - after the sys.path line that lets the script import the project
import time  # noqa: E402 - after the sys.path line that lets the script import the project
import urllib.parse  # noqa: E402 - after the sys.path line that lets the script import the project

from huey import RedisHuey  # noqa: E402 - after the sys.path line that lets the script import the project
from sqlalchemy import create_engine, text, update  # noqa: E402 - after the sys.path line that lets the script import the project

from bench._data import populate  # noqa: E402 - after the sys.path line that lets the script import the project
from bench._setup import arguments, fresh_database, machine, migrated_app  # noqa: E402 - after the sys.path line that lets the script import the project
from bench.http_server import (  # noqa: E402 - after the sys.path line that lets the script import the project
    CSRF,
    customer_cookie,
    free_port,
    start_server,
    stop_server,
    wait_until_serving,
)

ADMIN_EMAIL = "admin@bench.example"
ACCESS = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" (\d+) \S+ (\d+)ms')


def prepare(args) -> tuple[str, list[int]]:
    """A database of approved invoices of which `approvals + bulk` random ones are set back to Pending."""
    from portal.extensions import db
    from portal.models import Invoice

    url = fresh_database(args, "approve")
    app = migrated_app(url)
    pending = sorted(random.Random(3).sample(range(1, args.invoices + 1), args.approvals + args.bulk))
    with app.app_context():
        populate(
            db,
            customers=max(args.invoices // 100, 3),
            accounts_per_customer=3,
            invoices=args.invoices,
            heavy_invoices=args.invoices // 10,
            progress=lambda line: None,
        )
        for start in range(0, len(pending), 500):
            db.session.execute(
                update(Invoice)
                .where(Invoice.id.in_(pending[start : start + 500]))
                .values(
                    state="Pending",
                    invoice_number=None,
                    approved_at=None,
                    invoice_date=None,
                    due_date=None,
                    net_amount=0,
                    vat_amount=0,
                    total_amount=0,
                    outstanding=0,
                    paid_amount=0,
                    paid_date=None,
                )
            )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    return url, pending


class Browser:
    """An admin's browser on plain HTTP: the session cookie carried by hand, no redirect followed."""

    def __init__(self, base: str, cookie: str):
        self.host, port = urllib.parse.urlsplit(base).netloc.split(":")
        self.port = int(port)
        self.cookies = dict(pair.split("=", 1) for pair in cookie.split("; "))

    def send(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, float]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read().decode(errors="replace")
        elapsed = (time.perf_counter() - started) * 1000
        location = response.headers.get("Location", "")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        conn.close()
        return response.status, location or content, elapsed

    def csrf(self, path: str) -> str:
        status, page, _ = self.send("GET", path)
        assert status == 200, (path, status)
        return CSRF.search(page).group(1)


def run_bulk_job(url: str, queue_url: str, queue_name: str) -> tuple[float, dict]:
    """Take every job from the queue as a worker would: run the bulk approval job, count (not run) the PDF jobs.

    Returns the bulk job's seconds and the jobs seen by kind ({"bulk": n, "pdf": n}).
    """
    from portal.billing.tasks import bulk_approval_job
    from portal.documents.tasks import render_pdf_job
    from portal.jobs import huey, use_queue

    app = migrated_app(url)
    seen = {"bulk": 0, "pdf": 0}
    seconds = 0.0
    with app.app_context():
        use_queue(queue_url, queue_name)  # the bulk job's approvals queue their PDF jobs there
        while (task := huey.dequeue()) is not None:
            if task.name == bulk_approval_job.task_class.__name__:
                seen["bulk"] += 1
                started = time.perf_counter()
                huey.execute(task)
                seconds += time.perf_counter() - started
            else:
                assert task.name == render_pdf_job.task_class.__name__, task.name
                seen["pdf"] += 1
    return seconds, seen


def server_times(log_path: str, pattern: str) -> list[int]:
    """Server times (ms, gunicorn's `%(M)s`) of the access-log lines whose path matches `pattern`."""
    with open(log_path) as log:
        return [int(m.group(4)) for m in ACCESS.finditer(log.read()) if re.fullmatch(pattern, m.group(2))]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def main() -> None:
    args = arguments(
        __doc__,
        default_database="postgresql",
        invoices=20_000,
        queue_url=os.environ.get("PORTAL_BENCH_QUEUE_URL", "redis://127.0.0.1:6379/0"),
        approvals=(int, 100, "single approvals, one after another"),
        bulk=(int, 500, "invoices in the bulk approval"),
        workers=(int, 2, "gunicorn workers"),
    )
    url, pending = prepare(args)
    singles, bulk = pending[: args.approvals], pending[args.approvals :]
    random.Random(4).shuffle(singles)
    queue_name = f"bench-approve-{secrets.token_hex(4)}"
    queue = RedisHuey(queue_name, url=args.queue_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = os.path.join(tempfile.mkdtemp(prefix="bench-approve-"), "access.log")
    server = start_server(
        args,
        url,
        port,
        log_path + ".out",
        secret=secrets.token_urlsafe(32),
        env={
            "PORTAL_QUEUE_URL": args.queue_url,
            "PORTAL_QUEUE_NAME": queue_name,
            "PORTAL_ACCESS_LOG": log_path,
            "PORTAL_WORKERS": str(args.workers),
        },
    )
    loads = [os.getloadavg()[0]]
    try:
        wait_until_serving(base + "/healthz", server)
        browser = Browser(base, customer_cookie(base, ADMIN_EMAIL))
        for invoice_id in singles:
            token = browser.csrf(f"/admin/invoices/{invoice_id}")
            status, location, _ = browser.send("POST", f"/admin/invoices/{invoice_id}/approve", {"csrf_token": token})
            assert status in (302, 303), (invoice_id, status, location[:300])
            browser.send("GET", f"/bench/one/{random.randint(1, args.invoices)}")
        loads.append(os.getloadavg()[0])
        after_singles = queue.pending_count()
        token = browser.csrf("/admin/invoices")
        status, location, bulk_ms = browser.send(
            "POST", "/admin/invoices/bulk", {"csrf_token": token, "action": "approve", "ids": [str(i) for i in bulk]}
        )
        assert status == 303 and "/bulk-approvals/" in location, (status, location[:500])
        progress_status, progress, _ = browser.send("GET", urllib.parse.urlsplit(location).path)
        assert progress_status == 200, progress_status
        again_status, again, _ = browser.send(
            "POST", "/admin/invoices/bulk", {"csrf_token": token, "action": "approve", "ids": [str(i) for i in bulk]}
        )
        assert (again_status, again) == (status, location), (again_status, again[:300])  # the same batch
        loads.append(os.getloadavg()[0])
        job_seconds, jobs = run_bulk_job(url, args.queue_url, queue_name)
        loads.append(os.getloadavg()[0])
        done_status, summary, _ = browser.send("GET", urllib.parse.urlsplit(location).path)
        assert done_status == 200 and f"{len(bulk)} approved · 0 skipped · 0 failed · 0 waiting" in summary, summary
    finally:
        stop_server(server)
        queue.storage.flush_all()
    approve_ms = server_times(log_path, r"/admin/invoices/\d+/approve")
    yardstick_ms = server_times(log_path, r"/bench/one/\d+")
    bulk_server_ms, again_server_ms = server_times(log_path, r"/admin/invoices/bulk")
    progress_ms = server_times(log_path, r"/admin/invoices/bulk-approvals/\d+")
    engine = create_engine(url)
    with engine.connect() as conn:
        # The bench data's own invoices are numbered B-…; the approvals got the portal's numbers.
        numbers = (
            conn.execute(
                text("SELECT invoice_number FROM invoices WHERE state = 'Approved' AND invoice_number NOT LIKE 'B-%'")
            )
            .scalars()
            .all()
        )
    engine.dispose()
    serials = sorted(int(re.search(r"(\d+)$", number).group(1)) for number in numbers)
    gapless = serials == list(range(serials[0], serials[0] + len(serials))) if serials else False
    median = statistics.median
    print(f"database: {args.database}, {args.invoices:,} invoices; queue: Redis, no worker during the run")
    print(f"machine: {machine()}; load average (1 min) during the run: {', '.join(f'{x:.1f}' for x in loads)}")
    print(f"gunicorn gthread, {args.workers} workers; server time from gunicorn's access log (%(M)s)")
    print("| step | count | server ms p50 | p95 | max | one-row yardstick p50 | ratio p50 | target |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    p95 = percentile(approve_ms, 0.95)
    print(
        f"| single approve | {len(approve_ms)} | {median(approve_ms):.0f} | {p95:.0f} | {max(approve_ms)} "
        f"| {median(yardstick_ms):.0f} | {median(approve_ms) / max(median(yardstick_ms), 1):.1f} "
        f"| p95 < 200 ms {'ok' if p95 < 200 else 'MISSED'} |"
    )
    print(
        f"| bulk approve | {len(bulk)} invoices | {bulk_server_ms} | | | | "
        f"| returns at once (client saw {bulk_ms:.0f} ms); the same submit again: {again_server_ms} ms, same batch |"
    )
    print(
        f"| bulk job | {len(bulk)} invoices | {job_seconds * 1000:.0f} | | | | "
        f"| {job_seconds * 1000 / len(bulk):.1f} ms per invoice, on the bench process as a worker |"
    )
    print(f"| progress page | {len(progress_ms)} | {median(progress_ms):.0f} | | {max(progress_ms)} | | | |")
    expected = len(singles) + len(bulk)
    print(
        f"PDF jobs queued: {after_singles} after the single approvals, {jobs['pdf']} in all (expected {expected}); "
        f"bulk jobs: {jobs['bulk']}; "
        f"invoice numbers issued: {len(serials)}, without a gap: {'yes' if gapless else 'NO'}"
    )
    if jobs["pdf"] != expected or jobs["bulk"] != 1 or len(serials) != expected or not gapless:
        raise SystemExit("an approval was lost, doubled or burned a number")


if __name__ == "__main__":
    main()
