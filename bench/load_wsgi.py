"""WSGI entry of the load test: the production app, with only the per-address sign-in limits raised.

All simulated users come from 127.0.0.1, so the per-IP limits (meant to slow one attacker's
address) would throttle the benchmark itself. `bench/load.py` sets BENCH_PER_IP_LIMIT; the
per-e-mail limit on failed logins and everything else keep their production values.
"""
import os

from portal import create_app

PER_IP = os.environ.get("BENCH_PER_IP_LIMIT", "20 per minute")
app = create_app({"ENV_NAME": "production", "LOGIN_RATE_LIMIT_PER_IP": PER_IP, "JSONAPI_AUTH_RATE_LIMIT": PER_IP})
