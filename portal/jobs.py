"""Background jobs (Huey): inline in the calling process by default, Redis-backed workers in production.

With `PORTAL_QUEUE_URL` unset, `huey.immediate` is on and every job runs at once in the
process that enqueues it (the tests and `make run`). With `PORTAL_QUEUE_URL=redis://…`,
jobs go to the Redis queue `PORTAL_QUEUE_NAME` (default `portal`) and
`huey_consumer portal.jobs.huey -w N` runs them (README "Workers").
Every job is idempotent: it re-reads the database and does only what is still to do.

Retries: a job enqueued with `retry_options()` is tried up to 1 + `JOB_RETRIES` times on a
queue, waiting `JOB_RETRY_DELAY` seconds before the first retry and `JOB_RETRY_BACKOFF` times
longer before each next one. A job that records its own failures takes `context=True` and asks
`is_last_try(task)`: an earlier try only logs its error and raises (Huey schedules the retry);
the last try records the failure where admins see it, once. Inline there is no consumer to run
a delayed retry, so the first try is the last.
"""
from __future__ import annotations

import os

from flask import Flask, current_app, has_app_context
from huey import MemoryHuey, RedisHuey
from huey.api import Task
from huey.storage import RedisStorage

_queue_url = os.environ.get("PORTAL_QUEUE_URL")
_queue_name = os.environ.get("PORTAL_QUEUE_NAME") or "portal"
# On Redis no result is stored: nothing reads them (every job's outcome is in the database), and
# Huey would keep each one in Redis for ever. Inline, the caller gets the result back at once.
huey = (RedisHuey(_queue_name, url=_queue_url, results=False) if _queue_url
        else MemoryHuey(_queue_name, immediate=True))
# The (url, name) of the Redis queue `huey` sends to; None while jobs run inline.
_target: tuple[str, str] | None = (_queue_url, _queue_name) if _queue_url else None

_worker_app: Flask | None = None


def configure_jobs(app: Flask) -> None:
    """Point the queue at the app's `QUEUE_URL` and `QUEUE_NAME`, or run jobs inline when no URL is set.

    The app becomes the one that jobs run in when no app context is active (a worker thread).
    """
    use_queue(app.config.get("QUEUE_URL"), app.config.get("QUEUE_NAME") or "portal")
    global _worker_app
    _worker_app = app


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
    return {"retries": config["JOB_RETRIES"], "retry_delay": config["JOB_RETRY_DELAY"],
            "retry_backoff": config["JOB_RETRY_BACKOFF"]}


def is_last_try(task: Task | None) -> bool:
    """True when this try of a job is its last: Huey counts `task.retries` down to 0 as it retries.

    `task` is what Huey passes to a task declared with `context=True`; None (the job's function
    called directly) counts as a last try.
    """
    return task is None or not task.retries


def job_app() -> Flask:
    """The app a job runs in: the current one when inline, else one built for the worker."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from portal import create_app

        _worker_app = create_app()
    return _worker_app


def register_tasks() -> None:
    """Import the modules that define tasks so a worker knows them."""
    import portal.billing.tasks  # noqa: F401
    import portal.delivery.tasks  # noqa: F401
    import portal.documents.tasks  # noqa: F401
    import portal.auth.tasks  # noqa: F401


register_tasks()
