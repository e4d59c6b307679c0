"""Background jobs (Huey): inline in the calling process by default, Redis-backed workers in production.

With `PORTAL_QUEUE_URL` unset, `huey.immediate` is on and every job runs at once in the
process that enqueues it (the tests and `make run`). With `PORTAL_QUEUE_URL=redis://…`,
jobs go to Redis and `huey_consumer portal.jobs.huey -w N` runs them (README "Workers").
Every job is idempotent: it re-reads the database and does only what is still to do.
"""
from __future__ import annotations

import os

from flask import Flask, current_app, has_app_context
from huey import MemoryHuey, RedisHuey

_queue_url = os.environ.get("PORTAL_QUEUE_URL")
huey = RedisHuey("portal", url=_queue_url) if _queue_url else MemoryHuey("portal", immediate=True)

_worker_app: Flask | None = None


def configure_jobs(app: Flask) -> None:
    """Run jobs inline unless the app is configured for a queue."""
    huey.immediate = not app.config.get("QUEUE_URL")
    global _worker_app
    _worker_app = _worker_app or app


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
