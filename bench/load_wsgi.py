"""WSGI entry of the load test: the production app, with only the per-address sign-in limits raised.

All simulated users come from 127.0.0.1, so the per-IP limits (meant to slow one attacker's
address) would throttle the benchmark itself. `bench/load.py` sets BENCH_PER_IP_LIMIT; one setting
covers the HTML login and both JSON:API sign-ins (portal.auth.rules). The per-e-mail limit on failed
logins and everything else keep their production values. The yardstick routes of bench/yardsticks.py
are added.
"""

import os

from bench.yardsticks import add_yardsticks
from portal import create_app

PER_IP = os.environ.get("BENCH_PER_IP_LIMIT", "20 per minute")
overrides = {"ENV_NAME": "production", "LOGIN_RATE_LIMIT_PER_IP": PER_IP}
if os.environ.get("BENCH_RATELIMIT_PREFIX"):
    # The counters of this run only, in a Redis that other runs may share.
    overrides["RATELIMIT_KEY_PREFIX"] = os.environ["BENCH_RATELIMIT_PREFIX"]
app = create_app(overrides)
add_yardsticks(app)  # the yardstick mix of the same run (bench/locustfile.py, Yardstick)
