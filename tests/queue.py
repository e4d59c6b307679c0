"""Jobs on a queue without a worker: `memory_queue` keeps enqueued jobs in memory and `run_queue()` runs them (and
the retries they schedule) in the test's thread, as a consumer would."""

from __future__ import annotations

import time

import pytest

from portal.extensions import db
from portal.jobs import huey


def run_queue(limit: int = 100, seconds: float = 30) -> int:
    """Run queued jobs and scheduled retries (waiting until they are due) until none is left; returns how many
    tries ran."""
    # A worker shares nothing with the code that enqueued: end the test's own transaction first, so that the
    # jobs' sessions (an app context of their own) never wait for a lock it still holds.
    db.session.rollback()
    tries, deadline = 0, time.monotonic() + seconds
    while tries < limit:
        for task in huey.read_schedule():
            huey.enqueue(task)
        task = huey.dequeue()
        if task is None:
            if not huey.scheduled_count():
                return tries
            assert time.monotonic() < deadline, "a scheduled retry never came due"
            time.sleep(0.05)
            continue
        huey.execute(task)
        tries += 1
    raise AssertionError("jobs kept coming")


@pytest.fixture
def memory_queue(app):
    """Jobs go to an in-memory queue (not run inline); retries are due at once (no delay)."""
    saved = {key: app.config[key] for key in ("JOB_RETRIES", "JOB_RETRY_DELAY")}
    app.config.update(JOB_RETRIES=2, JOB_RETRY_DELAY=0)
    huey.immediate = False
    try:
        yield huey
    finally:
        huey.flush()
        huey.immediate = True
        app.config.update(saved)
