"""Benchmark: the JSON:API invoice list at random pages while invoices are being written, on two servers
side by side: one with the exact counts and page anchors kept (portal/reading/exact_count.py,
page_anchors.py), one with them off (PORTAL_COUNT_CACHE_SIZE=0, as `bench/http_server.py
--compare-caches` does).

Every committed write to the invoices table moves its version, and every gunicorn process then
finds its kept count and anchors stale on its next request. A writer commits one invoice update per
transaction at a fixed rate while wrk lists: a paid change through SQL (`UPDATE invoices SET
paid_date = <today or NULL>, updated_at = now() WHERE id = <random>`), the kind of write an operator's
approve-and-send run makes thousands of at month-end. At each rate the two servers are measured in
alternating rounds; the ratio on/off of req/s is the figure (1.0 or more: the caches never cost).

    python bench/lists_under_writes.py                                 # PostgreSQL, 100,000 invoices
    python bench/lists_under_writes.py --rates 0,1,5,20 --duration 10 --rounds 2
    python bench/lists_under_writes.py --invoices 120 --rates 0,5 --duration 1 --rounds 1 --workers 1   # smoke run
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import math
import os
import random
import secrets
import shutil
import statistics
import tempfile
import threading
import time

from sqlalchemy import create_engine, text

from bench._server import free_port, stop_server, wait_until_serving
from bench._setup import arguments, machine
from bench.http_server import ADMIN, CACHES, Target, admin_token, prepare, run_wrk, start_server

SERVERS = {"caches on": {}, "caches off": {setting: "0" for setting in CACHES.values()}}
WRITE = text(
    "UPDATE invoices SET paid_date = CASE WHEN paid_date IS NULL THEN CURRENT_DATE ELSE NULL END, "
    "updated_at = CURRENT_TIMESTAMP WHERE id = :id"
)


class Writer:
    """Commits one invoice update per transaction, `rate` times a second (0: none), on its own connection,
    until stopped; `done` counts the commits."""

    def __init__(self, database_url: str, invoices: int, rate: float):
        self.rate, self.done = rate, 0
        self._engine = create_engine(database_url)
        self._invoices = invoices
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Writer:
        self._started = time.monotonic()
        if self.rate > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.seconds = time.monotonic() - self._started
        self._engine.dispose()

    def _run(self) -> None:
        rng = random.Random(3)
        start = time.monotonic()
        while not self._stop.is_set():
            wait = start + self.done / self.rate - time.monotonic()
            if wait > 0 and self._stop.wait(wait):
                return
            with self._engine.begin() as conn:
                conn.execute(WRITE, {"id": rng.randint(1, self._invoices)})
            self.done += 1


def list_target(args, bearer: dict) -> Target:
    rng = random.Random(5)
    pages = math.ceil(args.invoices / 50)
    paths = [f"{ADMIN}/invoices?page%5Bsize%5D=50&page%5Bnumber%5D={rng.randint(1, pages)}" for _ in range(args.paths)]
    return Target("JSON:API invoice list (50)", paths, bearer)


def main() -> None:
    args = arguments(
        __doc__,
        default_database="postgresql",
        invoices=100_000,
        rates=(str, "0,1,5,20", "comma-separated invoice writes per second, one measurement each"),
        rounds=(int, 2, "rounds per rate, each measuring both servers (median reported)"),
        duration=10,
        connections=24,
        threads=2,
        workers=0,
        server_threads=0,
        paths=(int, 5000, "random list pages wrk picks among"),
    )
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    # prepare()'s data: one customer per 100 invoices, and stored PDFs for a target not measured here.
    args.customers, args.pdfs = 0, 1
    data = prepare(args)
    rates = [float(rate) for rate in args.rates.split(",")]
    logs = tempfile.mkdtemp(prefix="bench-gunicorn-")
    servers, bases, secret = {}, {}, secrets.token_urlsafe(32)
    results = {(rate, name): [] for rate in rates for name in SERVERS}
    loads, writes = {}, {}
    try:
        for name, env in SERVERS.items():
            port = free_port()
            bases[name] = f"http://127.0.0.1:{port}"
            log = os.path.join(logs, f"{port}.log")
            servers[name] = start_server(args, data["url"], port, log, secret=secret, env=env)
        for name, server in servers.items():
            wait_until_serving(bases[name] + "/healthz", server)
        target = list_target(args, {"Authorization": f"Bearer {admin_token(bases['caches on'])}"})
        for rate in rates:
            loads[rate] = [os.getloadavg()[0]]
            with Writer(data["url"], args.invoices, rate) as writer:
                for number in range(args.rounds):
                    order = list(SERVERS) if number % 2 == 0 else list(reversed(SERVERS))
                    for name in order:
                        results[(rate, name)].append(run_wrk(bases[name], target, args, servers[name]))
                    loads[rate].append(os.getloadavg()[0])
            writes[rate] = writer.done / writer.seconds
    finally:
        for server in servers.values():
            stop_server(server)
    report(args, rates, results, loads, writes)


def report(args, rates, results, loads, writes) -> None:
    median = statistics.median
    setup = [
        f"machine: {machine()}",
        f"gunicorn gthread per server: {args.workers or os.cpu_count() * 2 + 1} workers "
        f"x {args.server_threads or 4} threads",
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {args.rounds} rounds per rate",
        f"random pages of 50 over {args.invoices:,} invoices; writes: one paid change per transaction",
    ]
    print("\n".join(setup))
    print(
        "| writes/s asked (done) | caches on req/s | on p95 ms | caches off req/s | off p95 ms "
        "| ratio on/off req/s (rounds) | p95 on/off | load average (1 min) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for rate in rates:
        on, off = results[(rate, "caches on")], results[(rate, "caches off")]
        ratios = [a["rps"] / b["rps"] for a, b in zip(on, off, strict=True)]
        p95s = [a["p95"] / b["p95"] for a, b in zip(on, off, strict=True)]
        print(
            f"| {rate:g} ({writes[rate]:.1f}) | {median(r['rps'] for r in on):.0f} "
            f"| {median(r['p95'] for r in on):.1f} "
            f"| {median(r['rps'] for r in off):.0f} | {median(r['p95'] for r in off):.1f} "
            f"| {median(ratios):.2f} ({', '.join(f'{r:.2f}' for r in ratios)}) | {median(p95s):.2f} "
            f"| {', '.join(f'{x:.1f}' for x in loads[rate])} |"
        )


if __name__ == "__main__":
    main()
