"""Rate limits in production are kept in Redis when PORTAL_RATELIMIT_STORAGE_URL is set, so every worker
process counts against the same limit (in-memory storage would give each worker its own allowance)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_db():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield client
    client.flushdb()


def run_worker(database_url: str, storage: str, email: str, attempts: int) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": "worker-secret-for-the-test",
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_RATELIMIT_STORAGE_URL": storage,
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.security.ratelimit_worker", email, str(attempts)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_workers_share_the_login_limit_through_redis(app, database_url, redis_db):
    email = f"{uuid.uuid4().hex}@customer.example"
    first = run_worker(database_url, REDIS_URL, email, 3)
    second = run_worker(database_url, REDIS_URL, email, 3)
    assert first["storage"] == second["storage"] == REDIS_URL
    # The per-e-mail limit is 5 failures a minute: 3 in one worker + 2 in the other, then 429.
    assert first["statuses"] == [200, 200, 200]
    assert second["statuses"] == [200, 200, 429]
    assert any(key.startswith(b"LIMITS") for key in redis_db.keys())  # noqa: SIM118 - Redis KEYS, not a dict


def test_without_redis_each_worker_counts_alone(app, database_url):
    """The reason Redis is required in production: per-process memory multiplies the limit."""
    email = f"{uuid.uuid4().hex}@customer.example"
    first = run_worker(database_url, "memory://", email, 3)
    second = run_worker(database_url, "memory://", email, 3)
    assert first["statuses"] == second["statuses"] == [200, 200, 200]
