"""Benchmark (not named http.py: run as a script, that would shadow the standard library's `http` for every
script in bench/): JSON:API invoice show and list, and the stored-PDF download, under gunicorn with the production
configuration and wrk on loopback, against a minimal one-row route on the same server.

Targets (ratios of requests/s measured side by side in one run): show and list >= 0.5 x the minimal
route, PDF download >= 0.7 x.

    python bench/http_server.py                          # PostgreSQL (PORTAL_BENCH_DATABASE_URL or the local server)
    python bench/http_server.py --database sqlite
    python bench/http_server.py --invoices 50 --duration 1 --rounds 1 --connections 2 --workers 1   # smoke run
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import json  # noqa: E402 - after the sys.path line that lets the script import the project
import os  # noqa: E402 - after the sys.path line that lets the script import the project
import re  # noqa: E402 - after the sys.path line that lets the script import the project
import secrets  # noqa: E402 - after the sys.path line that lets the script import the project
import shutil  # noqa: E402 - after the sys.path line that lets the script import the project
import socket  # noqa: E402 - after the sys.path line that lets the script import the project
import statistics  # noqa: E402 - after the sys.path line that lets the script import the project
import subprocess  # noqa: E402 - after the sys.path line that lets the script import the project
import tempfile  # noqa: E402 - after the sys.path line that lets the script import the project
import time  # noqa: E402 - after the sys.path line that lets the script import the project
import urllib.error  # noqa: E402 - after the sys.path line that lets the script import the project
import urllib.request  # noqa: E402 - after the sys.path line that lets the script import the project

import psutil  # noqa: E402 - after the sys.path line that lets the script import the project
from sqlalchemy import text  # noqa: E402 - after the sys.path line that lets the script import the project

from bench._data import populate  # noqa: E402 - after the sys.path line that lets the script import the project
from bench._setup import arguments, fresh_database, machine, migrated_app  # noqa: E402 - after the sys.path line that lets the script import the project

ROOT = HERE.parent
ADMIN = "/api/rest/admin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, *, data: bytes | None = None, headers: dict | None = None, timeout: float = 10):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def wait_until_serving(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {server.returncode}")
        try:
            if request(url, timeout=2)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def admin_token(base: str) -> str:
    body = json.dumps({"auth": {"username": "admin@bench.example", "password": "bench-password-1"}}).encode()
    status, _, payload = request(base + ADMIN + "/auth", data=body, headers={"Content-Type": "application/json"})
    assert status == 201, status
    return json.loads(payload)["jwt"]


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU seconds used so far by gunicorn (master and workers) and every PostgreSQL server process."""
    total = 0.0
    try:
        master = psutil.Process(server.pid)
        times = master.cpu_times()  # workers recycled after max_requests count in the master's children times
        total += times.user + times.system + times.children_user + times.children_system
        for process in master.children(recursive=True):
            times = process.cpu_times()
            total += times.user + times.system
    except psutil.NoSuchProcess:
        pass
    for process in psutil.process_iter(["name", "cpu_times"]):
        if process.info["name"] and process.info["name"].startswith("postgres") and process.info["cpu_times"]:
            total += process.info["cpu_times"].user + process.info["cpu_times"].system
    return total


def run_wrk(url: str, headers: dict, args, server: subprocess.Popen) -> dict:
    command = [
        "wrk",
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{args.duration}s",
        "--timeout",
        "10s",
        "--latency",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    cpu_before = server_cpu_seconds(server)
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True, timeout=args.duration + 60).stdout
    cpu = server_cpu_seconds(server) - cpu_before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if bad or errors:
        raise SystemExit(f"wrk saw failed requests on {url}:\n{out}")
    return {
        "rps": rps,
        "p50": _percentile(out, "50%"),
        "p99": _percentile(out, "99%"),
        "cpu_ms": 1000 * cpu / max(requests, 1),
    }


def _percentile(out: str, label: str) -> float:
    value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\b", out, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def prepare(args) -> tuple[str, int, int]:
    """A fresh, migrated database with bulk invoices and one stored PDF; returns (url, invoice id, PDF size)."""
    from portal.documents.service import render_invoice_document
    from portal.extensions import db
    from portal.models import Invoice

    url = fresh_database(args, "http")
    app = migrated_app(url)
    with app.app_context():
        t0 = time.perf_counter()
        populate(
            db,
            customers=max(args.invoices // 100, 3),
            accounts_per_customer=3,
            invoices=args.invoices,
            heavy_invoices=args.invoices // 10,
            progress=lambda line: None,
        )
        document = render_invoice_document(db.session.get(Invoice, 1))
        db.session.commit()
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
        f"{time.perf_counter() - t0:.1f} s; stored PDF of invoice 1: {size:,} bytes"
    )
    return url, 1, size


def start_server(args, database_url: str, port: int, log_path: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(32),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_BIND": f"127.0.0.1:{port}",
        "PORTAL_JWT_LIFETIME": "3600",
        "PORTAL_OUTBOX_DIR": tempfile.mkdtemp(prefix="bench-outbox-"),
        "PORTAL_INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-instance-"),
    }
    if args.workers:
        env["PORTAL_WORKERS"] = str(args.workers)
    if args.server_threads:
        env["PORTAL_THREADS"] = str(args.server_threads)
    log = open(log_path, "w")
    # The access log stays on (it is part of the production configuration); it goes to a file here.
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "bench.http_wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main() -> None:
    args = arguments(
        __doc__,
        default_database="postgresql",
        invoices=(int, 20_000, "approved invoices in the database"),
        duration=(int, 10, "seconds per wrk run"),
        rounds=(int, 3, "rounds of every target between runs of the yardstick (median ratio reported)"),
        connections=(int, 24, "wrk connections"),
        threads=(int, 2, "wrk threads"),
        workers=(int, 0, "gunicorn workers (0: gunicorn.conf.py's default, 2 x CPUs + 1)"),
        server_threads=(int, 0, "threads per gunicorn worker (0: gunicorn.conf.py's default)"),
    )
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    database_url, invoice_id, _ = prepare(args)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = os.path.join(tempfile.mkdtemp(prefix="bench-gunicorn-"), "gunicorn.log")
    server = start_server(args, database_url, port, log_path)
    try:
        wait_until_serving(base + "/healthz", server)
        bearer = {"Authorization": f"Bearer {admin_token(base)}"}
        targets = [
            ("minimal route (one row)", "/bench/minimal", {}),
            ("JSON:API invoice show", f"{ADMIN}/invoices/{invoice_id}", bearer),
            ("JSON:API invoice list (50)", f"{ADMIN}/invoices", bearer),
            ("stored PDF download", f"{ADMIN}/invoices/{invoice_id}/pdf", bearer),
        ]
        for _, path, headers in targets:  # every target answers 200 before it is measured
            status, content_type, _ = request(base + path, headers=headers)
            assert status == 200, (path, status)
        # Rounds of every target, each between two runs of the yardstick: a target's ratio in a round
        # is to the mean of the yardstick runs around it, which evens out drift in the machine's speed.
        minimal_runs = [run_wrk(base + targets[0][1], {}, args, server)]
        runs = {name: [] for name, _, _ in targets[1:]}
        for _ in range(args.rounds):
            for name, path, headers in targets[1:]:
                runs[name].append(run_wrk(base + path, headers, args, server))
            minimal_runs.append(run_wrk(base + targets[0][1], {}, args, server))
    finally:
        stop_server(server)
    report(args, minimal_runs, runs)


def report(args, minimal_runs: list[dict], runs: dict[str, list[dict]]) -> None:
    median = statistics.median
    around = [{key: (a[key] + b[key]) / 2 for key in ("rps", "cpu_ms")} for a, b in zip(minimal_runs, minimal_runs[1:])]
    workers = args.workers or (os.cpu_count() * 2 + 1)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(
        f"gunicorn gthread, {workers} workers x {args.server_threads or 4} threads; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s; {args.rounds} rounds"
    )
    print("minimal route runs: " + ", ".join(f"{run['rps']:.0f}" for run in minimal_runs) + " req/s")
    print(
        "| target | req/s (median) | p50 ms | p99 ms | ratio to minimal: median (rounds) "
        "| server CPU ms/req | CPU ratio | target |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| minimal route (one row) | {median(r['rps'] for r in minimal_runs):.0f} "
        f"| {median(r['p50'] for r in minimal_runs):.1f} | {median(r['p99'] for r in minimal_runs):.1f} | 1.00 "
        f"| {median(r['cpu_ms'] for r in minimal_runs):.2f} | 1.00 | |"
    )
    for name, results in runs.items():
        goal = 0.7 if "PDF" in name else 0.5
        ratios = [result["rps"] / yardstick["rps"] for result, yardstick in zip(results, around)]
        cpu_ratios = [yardstick["cpu_ms"] / result["cpu_ms"] for result, yardstick in zip(results, around)]
        verdict = "ok" if median(ratios) >= goal else "MISSED"
        print(
            f"| {name} | {median(r['rps'] for r in results):.0f} | {median(r['p50'] for r in results):.1f} "
            f"| {median(r['p99'] for r in results):.1f} | {median(ratios):.2f} "
            f"({', '.join(f'{r:.2f}' for r in ratios)}) | {median(r['cpu_ms'] for r in results):.2f} "
            f"| {median(cpu_ratios):.2f} | >= {goal} {verdict} |"
        )


if __name__ == "__main__":
    main()
