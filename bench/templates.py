"""Benchmark: the customer invoice list and detail pages, in-process, with the template's own render time.

Builds one database (the heavy customer owns 10 % of the invoices), signs the heavy customer in, then
requests random list pages and random invoice details through the app's test client. For each request it
times the whole request and, apart, the render of its template (between Flask's `before_render_template`
and `template_rendered` signals: Jinja alone, on the context the view built), and counts the SQL
statements of the request and those run while the template renders (lazy loads a template triggers).
`bench/http_server.py` measures the same pages under gunicorn against the one-row yardstick and, for their
template's time under the same load, against yardsticks that render the same templates from a context built
once (bench/yardsticks.py). `--profile N` prints the N costliest functions of each page (cProfile over the
timed requests; `--profile-sort cumulative` orders them with their callees).

    python bench/templates.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_x
    python bench/templates.py --invoices 100000 --requests 300 --profile 30
"""

from __future__ import annotations

import cProfile
import gc
import io
import math
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import before_render_template, template_rendered
from sqlalchemy import event, select

from bench._data import populate
from bench._setup import arguments, drop_database, fresh_database, machine, migrated_app
from bench.generate import finish_postgresql

PER_PAGE = 25  # the customer list's default page size


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


class Clock:
    """Times the template renders and counts SQL statements (all, and those run while a template renders)."""

    def __init__(self, app, engine):
        self.started: tuple[float, float] | None = None
        self.render = 0.0
        self.render_cpu = 0.0
        self.queries = 0
        self.render_queries = 0
        before_render_template.connect(self._before, app)
        template_rendered.connect(self._after, app)
        event.listen(engine, "before_cursor_execute", self._query)

    def _before(self, *_args, **_kwargs) -> None:
        self.started = time.perf_counter(), time.process_time()

    def _after(self, *_args, **_kwargs) -> None:
        wall, cpu = self.started
        self.render += time.perf_counter() - wall
        self.render_cpu += time.process_time() - cpu
        self.started = None

    def _query(self, *_args) -> None:
        self.queries += 1
        if self.started is not None:
            self.render_queries += 1

    def reset(self) -> None:
        self.render, self.render_cpu, self.queries, self.render_queries = 0.0, 0.0, 0, 0


def build(args):
    """The populated database: (app, its engine, the heavy customer's user id, the uuids of its invoices)."""
    from portal.extensions import db
    from portal.models import CustomerUser, Invoice

    url = fresh_database(args, "templates")
    app = migrated_app(url)
    with app.app_context():
        t0 = time.perf_counter()
        # The data of bench/http_server.py: its heavy customer owns a tenth of the invoices.
        sizes = {"customers": args.customers or max(args.invoices // 100, 3), "accounts_per_customer": 3}
        populate(db, **sizes, invoices=args.invoices, heavy_invoices=args.invoices // 10, progress=lambda _: None)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            finish_postgresql(db)  # the steady state autovacuum keeps a live database in
        heavy = db.session.scalar(select(CustomerUser).where(CustomerUser.email == "heavy@bench.example"))
        uuids = [
            str(u) for u in db.session.scalars(select(Invoice.uuid).where(Invoice.customer_id == heavy.customer_id))
        ]
        user_id = heavy.get_id()
        engine = db.engine
        db.session.remove()
    print(f"{args.invoices:,} invoices ({len(uuids):,} of the heavy customer) in {time.perf_counter() - t0:.1f} s")
    return app, engine, user_id, uuids, url


def measure(client, clock: Clock, paths: list[str], profiler: cProfile.Profile | None) -> dict:
    times, cpu, renders, render_cpu, queries, render_queries = [], [], [], [], set(), set()
    for path in paths:
        clock.reset()
        if profiler:
            profiler.enable()
        t0, c0 = time.perf_counter(), time.process_time()
        answer = client.get(path)
        elapsed, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
        if profiler:
            profiler.disable()
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}: {answer.get_data(as_text=True)[:300]}")
        times.append(elapsed * 1000)
        cpu.append(cpu_seconds * 1000)
        renders.append(clock.render * 1000)
        render_cpu.append(clock.render_cpu * 1000)
        queries.add(clock.queries)
        render_queries.add(clock.render_queries)
    return {
        "times": times,
        "cpu": cpu,
        "renders": renders,
        "render_cpu": render_cpu,
        "queries": sorted(queries),
        "render_queries": sorted(render_queries),
    }


def main() -> None:
    own = {
        "customers": (int, 0, "customers (0: one per 100 invoices)"),
        "requests": (int, 200, "timed requests per page"),
        "profile": (int, 0, "print the N functions with the most own time of each page (cProfile)"),
        "profile_sort": (str, "tottime", "order of the profile: tottime (own time) or cumulative (with callees)"),
    }
    args = arguments(__doc__, default_database="postgresql", invoices=20_000, keep=False, **own)
    app, engine, user_id, uuids, url = build(args)
    clock = Clock(app, engine)
    client = app.test_client()
    with client.session_transaction() as session:  # Flask-Login's own keys, as after a sign-in
        session["_user_id"] = user_id
        session["_fresh"] = True
    rng = random.Random(5)
    pages = math.ceil(len(uuids) / PER_PAGE)
    draws = {
        "customer HTML list (25)": lambda: f"/portal/invoices?page={rng.randint(1, pages)}",
        "customer HTML detail": lambda: f"/portal/invoices/{rng.choice(uuids)}",
    }
    gc.freeze()  # as gunicorn.conf.py does once the app is loaded
    load = [os.getloadavg()[0]]
    results, profiles = {}, {}
    for name, draw in draws.items():
        measure(client, clock, [draw() for _ in range(5)], None)  # warm-up
        results[name] = measure(client, clock, [draw() for _ in range(args.requests)], None)
        if args.profile:  # a pass of its own: the profiler's overhead stays out of the timings
            profiles[name] = cProfile.Profile(time.process_time)  # CPU: waits are not the code's
            measure(client, clock, [draw() for _ in range(args.requests)], profiles[name])
        load.append(os.getloadavg()[0])
    print(f"database: {engine.dialect.name}; machine: {machine()}; load average {min(load):.1f}–{max(load):.1f}")
    print("ms, p50 / p95; wall time, and this process's CPU time (steadier on a loaded machine)")
    print(
        f"{'page':26} {'request wall':>14} {'request CPU':>13} {'template wall':>14} {'template CPU':>13}"
        "  queries (in template)"
    )
    for name, r in results.items():
        cells = [
            f"{statistics.median(r[k]):6.1f} / {percentile(r[k], 95):5.1f}"
            for k in ("times", "cpu", "renders", "render_cpu")
        ]
        print(
            f"{name:26} {cells[0]:>14} {cells[1]:>13} {cells[2]:>14} {cells[3]:>13}  "
            f"{','.join(map(str, r['queries']))} ({','.join(map(str, r['render_queries']))})"
        )
    for name, profiler in profiles.items():
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.profile_sort).print_stats(args.profile)
            order = {"tottime": "own time", "cumulative": "time with callees"}.get(args.profile_sort, args.profile_sort)
            print(f"\n== {name}: {args.requests} requests, by {order} ==\n{out.getvalue()}")
    if not args.keep:
        engine.dispose()
        drop_database(url)


if __name__ == "__main__":
    main()
