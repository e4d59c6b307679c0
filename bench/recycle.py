"""Worker recycling under keep-alive clients: gunicorn (gunicorn.conf.py, production settings) restarting its
workers every few requests while clients reuse their connections; counts the requests that got no answer.

    PYTHONPATH=. python bench/recycle.py                          # the configuration as it is
    PYTHONPATH=. python bench/recycle.py --keepalive 5            # with 5 s keep-alive, for comparison

Each client is a requests.Session (it keeps a connection alive whenever the server lets it) sending
GET /healthz, pausing `--think` seconds between requests: a pause of about the 2 s a stopping
gunicorn worker keeps idle connections open lands the next request on a connection the worker is
closing. Serves a fresh SQLite database on 127.0.0.1 only; exits 1 when any request failed.
"""

from __future__ import annotations

import collections
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import free_port, production_env, start_gunicorn, stop_server, wait_until_serving
from bench._setup import arguments, drop_database, fresh_database, machine, migrated_app


def main() -> None:
    args = arguments(
        __doc__,
        clients=(int, 64, "concurrent clients"),
        requests=20,
        think=(float, 2.0, "seconds between a client's requests"),
        max_requests=(int, 10, "requests a worker serves before it is recycled"),
        keepalive=(str, "", "PORTAL_KEEPALIVE for the run (empty: gunicorn.conf.py's default)"),
    )
    url = fresh_database(args, "recycle")
    migrated_app(url)
    work = Path(tempfile.mkdtemp(prefix="bench-recycle-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = production_env(
        url,
        port,
        PORTAL_WORKERS="2",
        PORTAL_THREADS="4",
        PORTAL_MAX_REQUESTS=str(args.max_requests),
        PORTAL_MAX_REQUESTS_JITTER="0",
        PORTAL_ACCESS_LOG=str(work / "access.log"),
        PORTAL_INSTANCE_PATH=str(work),
    )
    if args.keepalive:
        env["PORTAL_KEEPALIVE"] = args.keepalive
    log = work / "gunicorn.log"
    server = start_gunicorn("wsgi:app", env, log)
    errors: collections.Counter = collections.Counter()
    answered = []
    try:
        wait_until_serving(base + "/healthz", server, 60)

        def client():
            http = requests.Session()
            for _ in range(args.requests):
                try:
                    answered.append(http.get(base + "/healthz", timeout=30).status_code)
                except requests.RequestException as exc:
                    errors[f"{type(exc).__name__}: {exc}"[:160]] += 1
                time.sleep(args.think)

        started = time.perf_counter()
        clients = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        stop_server(server, timeout=60)
        drop_database(url)
    recycled = log.read_text().count("Autorestarting worker")
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(
        f"keepalive {args.keepalive or 'as configured'}, {args.clients} clients x {args.requests} requests, "
        f"think {args.think} s, max_requests {args.max_requests}: {len(answered)} answered, "
        f"{sum(errors.values())} failed, {recycled} worker restarts, {elapsed:.1f} s"
    )
    for error, count in errors.most_common(5):
        print(f"  {count} × {error}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
