"""One "worker" process for the shared rate-limit test: production config, N failed logins, prints statuses.

Run as `python -m tests.security.ratelimit_worker <email> <attempts>` with PORTAL_ENV=production and
PORTAL_RATELIMIT_STORAGE_URL set; the config is read at import, exactly as under gunicorn.
"""

from __future__ import annotations

import json
import re
import sys

from portal import create_app

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main(email: str, attempts: int) -> None:
    app = create_app()
    client = app.test_client()
    statuses = []
    for _ in range(attempts):
        token = _CSRF.search(client.get("/login", base_url="https://localhost").get_data(as_text=True)).group(1)
        response = client.post(
            "/login",
            base_url="https://localhost",
            headers={"Referer": "https://localhost/login"},  # CSRF checks it over HTTPS
            data={"csrf_token": token, "email": email, "password": "wrong password!"},
        )
        statuses.append(response.status_code)
    print(json.dumps({"storage": app.config["RATELIMIT_STORAGE_URI"], "statuses": statuses}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
