"""Background jobs (Huey): inline in the calling process by default, Redis-backed workers in production;
and work started once the session's transaction commits (enqueueing jobs), dropped when it rolls back.

With `PORTAL_QUEUE_URL` unset, `huey.immediate` is on and every job runs at once in the
process that enqueues it (the tests and `make run`). With `PORTAL_QUEUE_URL=redis://…`,
jobs go to the Redis queue `PORTAL_QUEUE_NAME` (default `portal`) and
`huey_consumer portal.worker.huey -w N` runs them (docs/operations.md "Workers"); portal.worker
imports every tasks module, so this module imports none.
Every job is idempotent: it re-reads the database and does only what is still to do.

Retries: a job enqueued with `retry_options()` is tried up to 1 + `JOB_RETRIES` times on a
queue, waiting `JOB_RETRY_DELAY` seconds before the first retry and `JOB_RETRY_BACKOFF` times
longer before each next one. A job that records its own failures takes `context=True` and asks
`is_last_try(task)`: an earlier try only logs its error and raises (Huey schedules the retry);
the last try records the failure where admins see it, once. Inline there is no consumer to run
a delayed retry, so the first try is the last.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from flask import Flask, Response, after_this_request, current_app, has_app_context, has_request_context
from huey import MemoryHuey, RedisHuey
from huey.api import Task
from huey.storage import RedisStorage
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from portal.extensions import db

log = logging.getLogger(__name__)

_queue_url = os.environ.get("PORTAL_QUEUE_URL")
_queue_name = os.environ.get("PORTAL_QUEUE_NAME") or "portal"
# On Redis no result is stored: nothing reads them (every job's outcome is in the database), and
# Huey would keep each one in Redis for ever. Inline, the caller gets the result back at once.
huey = RedisHuey(_queue_name, url=_queue_url, results=False) if _queue_url else MemoryHuey(_queue_name, immediate=True)
# The (url, name) of the Redis queue `huey` sends to; None while jobs run inline.
_target: tuple[str, str] | None = (_queue_url, _queue_name) if _queue_url else None

_worker_app: Flask | None = None
# Builds the app of a worker process (portal.worker sets it to create_app).
_app_factory: Callable[[], Flask] | None = None


def configure_jobs(app: Flask) -> None:
    """Point the queue at the app's `QUEUE_URL` and `QUEUE_NAME`, or run jobs inline when no URL is set.

    The app becomes the one that jobs run in when no app context is active (a worker thread).
    """
    use_queue(app.config.get("QUEUE_URL"), app.config.get("QUEUE_NAME") or "portal")
    global _worker_app
    _worker_app = app


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """Build the app of a worker process with `factory` when its first job runs (portal.worker)."""
    global _app_factory
    _app_factory = factory


def use_queue(url: str | None, name: str) -> None:
    """Send jobs to the Redis queue `name` at `url`; with no url, run them inline (immediate mode)."""
    global _target
    if not url:
        huey.immediate = True
        huey.results = True
        _target = None
        return
    huey.immediate = False
    huey.results = False
    if _target != (url, name) or not isinstance(huey.storage, RedisStorage):
        huey.name = name
        huey.storage = RedisStorage(name, url=url)
        _target = (url, name)


def retry_options() -> dict:
    """The retry settings to enqueue a PDF or e-mail job with (keyword arguments of the task call).

    Inline the job gets no retries: Huey would put a delayed retry on a schedule that no
    consumer reads, and the failure would never be recorded.
    """
    if huey.immediate:
        return {"retries": 0}
    config = current_app.config
    return {
        "retries": config["JOB_RETRIES"],
        "retry_delay": config["JOB_RETRY_DELAY"],
        "retry_backoff": config["JOB_RETRY_BACKOFF"],
    }


def is_last_try(task: Task | None) -> bool:
    """True when this try of a job is its last: Huey counts `task.retries` down to 0 as it retries.

    `task` is what Huey passes to a task declared with `context=True`; None (the job's function
    called directly) counts as a last try.
    """
    return task is None or not task.retries


def job_app() -> Flask:
    """The app a job runs in: the current one when inline, else one built for the worker.

    Raises RuntimeError when no app was configured and no factory set (a consumer started on a
    module other than portal.worker).
    """
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        if _app_factory is None:
            raise RuntimeError("no app for jobs: run the consumer on portal.worker.huey")
        _worker_app = _app_factory()
    return _worker_app


def call_after_response(callback: Callable[..., object], *args) -> None:
    """Call `callback(*args)` once the current response has been sent; outside a request, at once.

    The call runs when the server closes the response (after its last byte went out), in an app
    context of its own, so the caller answers without waiting for it. One that raises is logged:
    the response is gone and nothing can report it. Register it from a view or from a call the
    view's commit runs (`call_after_commit`), before the response is built.
    """
    if not has_request_context():
        callback(*args)
        return
    app = current_app._get_current_object()

    def run() -> None:
        try:
            with app.app_context():
                callback(*args)
        except Exception:
            log.exception("after-response call %s%r failed", getattr(callback, "__name__", callback), args)

    @after_this_request
    def _on_close(response: Response) -> Response:
        response.call_on_close(run)
        return response


_PENDING = "portal.after_commit.pending"  # registered in the transaction still running
_COMMITTED = "portal.after_commit.committed"  # its transaction committed; run once it has ended


def call_after_commit(callback: Callable[..., object], *args) -> None:
    """Call `callback(*args)` right after the current transaction of `db.session` commits.

    A job enqueued this way never sees data that is not committed yet, and never runs for
    a change that was rolled back: the call is dropped when the transaction, or the savepoint
    it was registered in, rolls back. Calls run in registration order once the transaction
    has ended and its connection is back in the pool (an inline job takes a connection of
    its own; holding two per request would starve the pool under load). The callback must
    not use this session. One that raises is logged and the others still run: the commit
    has happened and nothing can undo it.
    """
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((transaction, callback, args))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: its calls wait for the outer commit
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info[_COMMITTED] = pending


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [entry for entry in pending if not _within(entry[0], previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _run_committed(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Whatever is still pending was never committed (rolled back, or the session was closed).
    session.info.pop(_PENDING, None)
    for _transaction, callback, args in session.info.pop(_COMMITTED, None) or ():
        try:
            callback(*args)
        except Exception:
            log.exception("after-commit call %s%r failed", getattr(callback, "__name__", callback), args)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False
