"""gunicorn settings for production serving (`make serve`); every value can be overridden by environment."""

import gc
import multiprocessing
import os

bind = os.environ.get("PORTAL_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Requests spend most of their time waiting on the database: a few processes, each with threads.
workers = int(os.environ.get("PORTAL_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("PORTAL_THREADS", 4))
timeout = int(os.environ.get("PORTAL_TIMEOUT", 60))
# A stopping worker (recycled, or at a deploy) finishes its requests in flight: give them as long as
# `timeout` lets any request run, so none is cut off mid-response.
graceful_timeout = int(os.environ.get("PORTAL_GRACEFUL_TIMEOUT", timeout))
# No idle keep-alive connections: every response ends with "Connection: close" and the worker closes the
# connection once the client has its whole answer. An idle kept-alive connection is closed by the server
# when the worker is recycled (or its keep-alive time runs out), and a client that sends its next request
# on it at that moment gets a connection reset instead of an answer (2 in 7,332 under the load test while
# workers recycled). Behind a proxy that keeps its own pool of upstream connections, PORTAL_KEEPALIVE=N
# turns keep-alive back on (the proxy must close idle connections before N seconds, and retry).
keepalive = int(os.environ.get("PORTAL_KEEPALIVE", 0))
# Recycle workers now and then so slow leaks cannot grow without bound.
max_requests = int(os.environ.get("PORTAL_MAX_REQUESTS", 5000))
max_requests_jitter = int(os.environ.get("PORTAL_MAX_REQUESTS_JITTER", 500))
preload_app = True
accesslog = os.environ.get("PORTAL_ACCESS_LOG", "-")
errorlog = "-"
# The request id (x-request-id response header) ties an access-log line to application logs.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'


def when_ready(server):
    """The preloaded app is imported: move every object alive now (modules, the app, SQLAlchemy's
    mappers, compiled templates: ~200,000) into the permanent generation. The workers' periodic
    full garbage collections then walk only what requests create: 2.7 ms instead of 100 ms, a
    pause that used to land on every thirtieth request or so (bench/README.md "Pages")."""
    gc.freeze()


def post_fork(server, worker):
    """Each worker opens its own database connections (none inherited from the preloading master)."""
    from portal.extensions import db

    app = worker.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
