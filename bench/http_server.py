"""Benchmark (not named http.py: run as a script, that would shadow the standard library's `http` for every
script in bench/): the JSON:API and backend invoice show and lists, the stored-PDF download and the
customer's HTML list and detail, under gunicorn with the production configuration and wrk on loopback,
against yardstick routes on the same server (bench/http_wsgi.py) that do a request's intrinsic work only.

Access is random over the data: every request picks its invoice id, uuid, PDF or page at random (wrk
runs a Lua script over a list of paths drawn from the whole data set), so no per-process cache gets
the same object twice unless the data set is small enough for that to happen in real use.

Targets (ratios of requests/s measured side by side in one run, rounds alternating with the
yardsticks): JSON:API show >= 0.7 x the one-row yardstick; JSON:API and backend lists of 50 >= 0.5 x
the fifty-row yardstick; stored-PDF download >= 0.7 x the one-row yardstick; customer HTML list and
detail p95 <= 1.5 x the one-row yardstick's p95 plus the template's time, measured on the same server in
the same rounds by a yardstick that reads one row and renders the page's template from a context built
once (bench/yardsticks.py): the page's p95 less (template yardstick p95 - one-row p95) over the one-row
p95, printed beside the plain p95 ratio.

`--compare-caches` starts more servers on the same database, each with one cache turned off (the
settings in CACHES), and measures the JSON:API show and list on them in the same rounds.

    python bench/http_server.py                          # PostgreSQL (PORTAL_BENCH_DATABASE_URL or the local server)
    python bench/http_server.py --database sqlite
    python bench/http_server.py --invoices 100000 --compare-caches
    python bench/http_server.py --invoices 60 --duration 1 --rounds 1 --connections 2 --workers 1   # smoke run
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from sqlalchemy import insert, select, text

from bench._cpu import ServerCpu
from bench._data import populate
from bench._server import (
    free_port,
    production_env,
    request,
    start_gunicorn,
    stop_server,
    wait_until_serving,
)
from bench._setup import arguments, fresh_database, migrated_app
from bench.http_report import report

# --compare-caches: a server per cache, with that cache turned off by its setting (0: off). The exact counts
# and the page anchors are kept in one cache per version of the invoices table (portal/reading/exact_count.py):
# "count cache off" turns both off.
CACHES = {"count cache off": "PORTAL_COUNT_CACHE_SIZE"}
ADMIN = "/api/rest/admin"
PASSWORD = "bench-password-1"
PATHS_PER_TARGET = 5000  # random paths per target; wrk picks among them at random on every request
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# wrk: a random path from the list on every request; p50 and p95 (microseconds) printed at the end.
LUA = """
local paths = {%s}
local counter = 0
setup = function(thread) counter = counter + 1; thread:set("seed", counter) end
init = function(args) math.randomseed(os.time() * 1000 + seed) end
request = function() return wrk.format(nil, paths[math.random(#paths)]) end
done = function(summary, latency, requests)
  io.write(string.format("percentiles: %%d %%d\\n", latency:percentile(50), latency:percentile(95)))
end
"""


@dataclass
class Target:
    name: str
    paths: list[str]
    headers: dict = field(default_factory=dict)
    yardstick: str = ""  # "one" or "fifty": the yardstick its ratio is to ("" for a yardstick)
    goal: str = ""  # the target, as printed
    server: str = "main"  # "main" or a key of CACHES (--compare-caches)
    template: str = ""  # the name of the yardstick that renders its page's template (the customer pages)


def admin_token(base: str) -> str:
    body = json.dumps({"auth": {"username": "admin@bench.example", "password": PASSWORD}}).encode()
    status, _, payload = request(base + ADMIN + "/auth", data=body, headers={"Content-Type": "application/json"})
    assert status == 201, status
    return json.loads(payload)["jwt"]


def customer_cookie(base: str, email: str) -> str:
    """The session cookie of a user signed in through the login form. (The production cookie is
    `Secure`, which a cookie jar keeps off plain HTTP: the cookies are carried by hand here.)"""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    cookies: dict[str, str] = {}

    def send(method: str, path: str, body: str | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.body = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";")[0]
        conn.close()
        return response

    token = CSRF.search(send("GET", "/login").body.decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    response = send("POST", "/login", form)
    assert response.status in (302, 303), (response.status, response.body[:300])
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def run_wrk(base: str, target: Target, args, server: subprocess.Popen) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % ",".join(json.dumps(path) for path in target.paths))
    command = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s"]
    command += ["--timeout", "10s", "-s", script.name]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    with ServerCpu(server) as cpu:
        out = subprocess.run(command + [base], capture_output=True, text=True, check=True, timeout=args.duration + 60)
    os.unlink(script.name)
    out = out.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if bad or errors:
        raise SystemExit(f"wrk saw failed requests for {target.name}:\n{out}")
    p50, p95 = (int(value) / 1000 for value in re.search(r"percentiles: (\d+) (\d+)", out).groups())
    return {"rps": rps, "p50": p50, "p95": p95, "cpu_ms": 1000 * cpu.seconds / max(requests, 1)}


def prepare(args) -> dict:
    """A fresh, migrated database with bulk invoices, stored PDFs of `--pdfs` random invoices (copies of one
    real PDF), and an API key; returns what the targets need."""
    from portal.auth.api_keys import create_api_key
    from portal.documents.service import render_invoice_document
    from portal.extensions import db
    from portal.models import Invoice, InvoiceDocument

    url = fresh_database(args, "http")
    app = migrated_app(url)
    rng = random.Random(11)
    with app.app_context():
        t0 = time.perf_counter()
        populate(
            db,
            customers=args.customers or max(args.invoices // 100, 3),
            accounts_per_customer=3,
            invoices=args.invoices,
            heavy_invoices=args.invoices // 10,
            progress=lambda line: None,
        )
        document = render_invoice_document(db.session.get(Invoice, 1))
        db.session.commit()
        pdf_ids = sorted(rng.sample(range(2, args.invoices + 1), min(args.pdfs, args.invoices - 1)))
        copy = {
            column: getattr(document, column)
            for column in ("kind", "filename", "content_type", "data", "size", "sha256", "bill_style", "template")
        }
        for start in range(0, len(pdf_ids), 200):
            db.session.execute(
                insert(InvoiceDocument), [{**copy, "invoice_id": i} for i in pdf_ids[start : start + 200]]
            )
        _row, api_key = create_api_key(name="bench", scopes="read", level=3)
        db.session.commit()
        heavy_uuids = [str(u) for u in db.session.scalars(select(Invoice.uuid).where(Invoice.customer_id == 1))]
        if db.engine.dialect.name == "postgresql":
            # The steady state autovacuum keeps a live database in: statistics, and a visibility map so
            # that counts can read an index alone (a freshly bulk-loaded table has neither).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        size = document.size
        db.session.remove()
        db.engine.dispose()
    print(
        f"database: {args.database}, {args.invoices:,} approved invoices with rows, prepared in "
        f"{time.perf_counter() - t0:.1f} s; stored PDFs: {len(pdf_ids) + 1:,} of {size:,} bytes"
    )
    return {"url": url, "pdf_ids": [1, *pdf_ids], "heavy_uuids": heavy_uuids, "api_key": api_key}


def start_server(
    args, database_url: str, port: int, log_path: str, *, secret: str, env: dict | None = None
) -> subprocess.Popen:
    settings = {
        "PORTAL_JWT_LIFETIME": "3600",
        "PORTAL_OUTBOX_DIR": tempfile.mkdtemp(prefix="bench-outbox-"),
        "PORTAL_INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-instance-"),
        **(env or {}),
    }
    if getattr(args, "workers", 0):
        settings["PORTAL_WORKERS"] = str(args.workers)
    if getattr(args, "server_threads", 0):
        settings["PORTAL_THREADS"] = str(args.server_threads)
    # One secret for every server of a run: a token or cookie from one works on the others. The access
    # log stays on (it is part of the production configuration); it goes to the log file here.
    env = production_env(database_url, port, secret=secret, **settings)
    return start_gunicorn("bench.http_wsgi:app", env, log_path)


def targets(args, data: dict, bearer: dict, customer: dict) -> list[Target]:
    rng = random.Random(5)
    n = args.invoices
    draw = lambda make: [make() for _ in range(PATHS_PER_TARGET)]  # noqa: E731 - one line per target below
    admin_pages = math.ceil(n / 50)
    customer_pages = math.ceil(len(data["heavy_uuids"]) / 25)
    backend = {"Authorization": f"Bearer {data['api_key']}"}
    found = [
        Target("one-row yardstick", draw(lambda: f"/bench/one/{rng.randint(1, n)}")),
        Target("fifty-row yardstick", draw(lambda: f"/bench/fifty/{rng.randint(1, max(n - 49, 1))}")),
        # One row read and the customer page's template rendered from a context built once (bench/yardsticks.py).
        Target("list template yardstick", draw(lambda: f"/bench/template/list/{rng.randint(1, n)}"), customer),
        Target("detail template yardstick", draw(lambda: f"/bench/template/detail/{rng.randint(1, n)}"), customer),
        Target(
            "JSON:API invoice show",
            draw(lambda: f"{ADMIN}/invoices/{rng.randint(1, n)}"),
            bearer,
            "one",
            ">= 0.7",
        ),
        Target(
            "JSON:API invoice list (50)",
            draw(lambda: f"{ADMIN}/invoices?page%5Bsize%5D=50&page%5Bnumber%5D={rng.randint(1, admin_pages)}"),
            bearer,
            "fifty",
            ">= 0.5",
        ),
        Target(
            "backend invoice list (50)",
            draw(lambda: f"/backend/api/v1/invoices?perPage=50&page={rng.randint(1, admin_pages)}"),
            backend,
            "fifty",
            ">= 0.5",
        ),
        Target(
            "stored PDF download",
            draw(lambda: f"{ADMIN}/invoices/{rng.choice(data['pdf_ids'])}/pdf"),
            bearer,
            "one",
            ">= 0.7",
        ),
        Target(
            "customer HTML list (25)",
            draw(lambda: f"/portal/invoices?page={rng.randint(1, customer_pages)}"),
            customer,
            "one",
            "p95 <= 1.5",
            template="list template yardstick",
        ),
        Target(
            "customer HTML detail",
            draw(lambda: f"/portal/invoices/{rng.choice(data['heavy_uuids'])}"),
            customer,
            "one",
            "p95 <= 1.5",
            template="detail template yardstick",
        ),
    ]
    if args.compare_caches:
        for name in ("JSON:API invoice show", "JSON:API invoice list (50)"):
            target = next(t for t in found if t.name == name)
            for server in CACHES:
                found.append(Target(f"{name}, {server}", target.paths, bearer, target.yardstick, target.goal, server))
    return found


def main() -> None:
    args = arguments(
        __doc__,
        default_database="postgresql",
        invoices=100_000,
        customers=(int, 0, "customers (0: one per 100 invoices)"),
        pdfs=(int, 2000, "invoices with a stored PDF"),
        duration=(int, 10, "seconds per wrk run"),
        rounds=(int, 3, "rounds of every target between runs of the yardsticks (median ratio reported)"),
        connections=(int, 24, "wrk connections"),
        threads=(int, 2, "wrk threads"),
        workers=(int, 0, "gunicorn workers (0: gunicorn.conf.py's default, 2 x CPUs + 1)"),
        server_threads=(int, 0, "threads per gunicorn worker (0: gunicorn.conf.py's default)"),
        only=(str, "", "measure only the targets whose names contain one of these comma-separated words"),
        compare_caches=(bool, False, "also measure show and list on servers with one cache turned off each"),
    )
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    data = prepare(args)
    logs = tempfile.mkdtemp(prefix="bench-gunicorn-")
    servers, bases, secret = {}, {}, secrets.token_urlsafe(32)
    try:
        for name, setting in [("main", None)] + (list(CACHES.items()) if args.compare_caches else []):
            port = free_port()
            bases[name] = f"http://127.0.0.1:{port}"
            servers[name] = start_server(
                args,
                data["url"],
                port,
                os.path.join(logs, f"{port}.log"),
                secret=secret,
                env={setting: "0"} if setting else {},
            )
        for name, server in servers.items():
            wait_until_serving(bases[name] + "/healthz", server)
        base = bases["main"]
        bearer = {"Authorization": f"Bearer {admin_token(base)}"}
        customer = {"Cookie": customer_cookie(base, "heavy@bench.example")}
        every = targets(args, data, bearer, customer)
        for target in every:  # every target answers 200 on a few of its paths before it is measured
            # (a template yardstick in every worker: each builds its page's context on its first request)
            for path in target.paths[: 40 if target.name.endswith("template yardstick") else 3]:
                try:
                    request(bases[target.server] + path, headers=target.headers)
                except urllib.error.HTTPError as exc:
                    raise SystemExit(f"{target.name}: {path} answered {exc.code}") from exc
        yardsticks, measured = [t for t in every if not t.yardstick], [t for t in every if t.yardstick]
        if args.only:
            measured = [t for t in measured if any(word in t.name for word in args.only.split(","))]
        # The template yardsticks run only beside the pages they are for.
        wanted = {t.template for t in measured}
        yardsticks = [
            t for t in yardsticks if t.name in ("one-row yardstick", "fifty-row yardstick") or t.name in wanted
        ]
        # Rounds of every target, each between two runs of the yardsticks: a target's ratio in a round is
        # to the mean of the yardstick runs around it, which evens out drift in the machine's speed.
        loads = [os.getloadavg()[0]]
        yardstick_runs = [{t.name: run_wrk(base, t, args, servers["main"]) for t in yardsticks}]
        runs = {t.name: [] for t in measured}
        for _ in range(args.rounds):
            for target in measured:
                runs[target.name].append(run_wrk(bases[target.server], target, args, servers[target.server]))
            yardstick_runs.append({t.name: run_wrk(base, t, args, servers["main"]) for t in yardsticks})
            loads.append(os.getloadavg()[0])
    finally:
        for server in servers.values():
            stop_server(server)
    report(args, yardsticks, yardstick_runs, measured, runs, loads)


if __name__ == "__main__":
    main()
