"""Locust users for the load test (`bench/load.py` starts the server and runs this file headless).

Five kinds of visitor share the 50 users: customers in the browser pages, admins in the
browser pages, customer and admin JSON:API clients, and backend/orgs API integrations. Every
response is checked (status, content type, and for PDFs the file signature), so a wrong page
counts as a failure, not only a 5xx. The ids and tokens come from the JSON file that
`bench/load.py` writes (`BENCH_LOAD_DATA`).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task
from requests.cookies import RequestsCookieJar

DATA = json.loads(open(os.environ["BENCH_LOAD_DATA"], encoding="utf-8").read())
PASSWORD = DATA["password"]
JSONAPI = "application/vnd.api+json"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Seconds each user waits between two tasks, "min-max" (`bench/load.py --think-time`); "0": none.
THINK_LOW, _, THINK_HIGH = os.environ.get("BENCH_THINK_TIME", "1-3").partition("-")
# Each simulated user signs in with a login of its own (signing out ends all sessions of a user).
_next_login = {"heavy": itertools.count(), "light": itertools.count(), "admin": itertools.count()}


def own_login(who: str) -> str:
    return DATA[who]["emails"][next(_next_login[who]) % len(DATA[who]["emails"])]


class LoopbackCookieJar(RequestsCookieJar):
    """Send `Secure` cookies to loopback over plain http, as browsers do for a local origin.

    The server runs the unchanged production configuration (Secure session cookies), but the
    load client talks plain http to 127.0.0.1, so it keeps loopback cookies sendable over http.
    (A cookie policy cannot do it: requests copies the jar into a fresh one per request.) Cookies
    of any other host keep the standard rule.
    """

    def set_cookie(self, cookie, *args, **kwargs):
        if cookie.secure and cookie.domain in LOOPBACK:
            cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


def csrf_token(html: str) -> str | None:
    match = CSRF.search(html)
    return match.group(1) if match else None


def expect(response, status: int = 200, content_type: str | None = None, starts_with: bytes | None = None):
    """Mark a `catch_response` response failed unless it is what a working portal answers."""
    if response.status_code != status:
        reason = f" ({response.error!r})" if getattr(response, "error", None) else ""
        response.failure(f"status {response.status_code}, expected {status}{reason}")
    elif content_type and not response.headers.get("Content-Type", "").startswith(content_type):
        response.failure(f"content type {response.headers.get('Content-Type')!r}, expected {content_type}")
    elif starts_with is not None and not response.content.startswith(starts_with):
        response.failure(f"body does not start with {starts_with!r}")
    else:
        response.success()


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(float(THINK_LOW), float(THINK_HIGH or THINK_LOW))

    def on_start(self):
        self.client.cookies = LoopbackCookieJar()


class BrowserUser(PortalUser):
    """Signs in through the login form; keeps its session cookie like a browser."""

    abstract = True
    email = ""
    home = ""

    def on_start(self):
        super().on_start()
        self.sign_in()

    def sign_in(self):
        page = self.client.get("/login", name="login: form")
        token = csrf_token(page.text)
        with self.client.post(
            "/login",
            name="login: submit",
            allow_redirects=False,
            catch_response=True,
            data={"csrf_token": token, "email": self.email, "password": PASSWORD},
        ) as response:
            if response.status_code != 302 or not response.headers.get("Location", "").endswith(self.home):
                response.failure(f"sign-in answered {response.status_code} {response.headers.get('Location')}")
            else:
                response.success()

    def sign_out(self):
        page = self.client.get(self.home, name=f"{self.area}: dashboard")
        with self.client.post(
            "/logout",
            name="logout",
            data={"csrf_token": csrf_token(page.text)},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            expect(response, 302)

    @task(1)
    def login_again(self):
        self.sign_out()
        self.sign_in()


class CustomerBrowser(BrowserUser):
    weight = 5
    area = "customer"
    home = "/portal/"

    def on_start(self):
        self.who = random.choice(["heavy", "light"])
        self.email = own_login(self.who)
        super().on_start()

    @task(2)
    def dashboard(self):
        with self.client.get("/portal/", name="customer: dashboard", catch_response=True) as response:
            expect(response, 200, "text/html")

    @task(3)
    def invoice_list(self):
        with self.client.get("/portal/invoices", name="customer: invoice list", catch_response=True) as response:
            expect(response, 200, "text/html")

    @task(3)
    def filter(self):
        params = random.choice(
            [
                {"status": "unpaid"},
                {"status": "paid", "sort": "amount", "direction": "asc"},
                {"preset": "last_3_months", "per_page": "50"},
                {"period_from": "2026-01-01", "period_to": "2026-06-30"},
                {"account": str(random.choice(DATA[self.who]["accounts"])), "page": "2"},
                {"number": random.choice(DATA[self.who]["numbers"])},
            ]
        )
        headers = {"HX-Request": "true"} if random.random() < 0.5 else {}  # half as htmx fragment requests
        with self.client.get(
            "/portal/invoices", params=params, headers=headers, name="customer: filter", catch_response=True
        ) as response:
            expect(response, 200, "text/html")

    @task(3)
    def detail(self):
        uuid = random.choice(DATA[self.who]["uuids"])
        with self.client.get(
            f"/portal/invoices/{uuid}", name="customer: invoice detail", catch_response=True
        ) as response:
            expect(response, 200, "text/html")

    @task(1)
    def download_pdf(self):
        uuid = random.choice(DATA[self.who]["pdf_uuids"])
        page = self.client.get(f"/portal/invoices/{uuid}", name="customer: invoice detail")
        with self.client.post(
            f"/portal/invoices/{uuid}/pdf",
            name="customer: Download PDF",
            data={"csrf_token": csrf_token(page.text)},
            catch_response=True,
        ) as response:
            expect(response, 200, "application/pdf", b"%PDF-")


class AdminBrowser(BrowserUser):
    weight = 1
    area = "admin"
    home = "/admin/"

    def on_start(self):
        self.email = own_login("admin")
        super().on_start()

    @task(1)
    def dashboard(self):
        with self.client.get("/admin/", name="admin: dashboard", catch_response=True) as response:
            expect(response, 200, "text/html")

    @task(3)
    def invoice_list(self):
        params = random.choice(
            [
                {},
                {"state": "Approved", "sort": "-total"},
                {"customer": "1"},
                {"minDate": "2026-10-01", "maxDate": "2026-10-31", "perPage": "100"},
            ]
        )
        with self.client.get(
            "/admin/invoices", params=params, name="admin: invoice list/filter", catch_response=True
        ) as response:
            expect(response, 200, "text/html")

    @task(3)
    def invoice_detail(self):
        invoice_id = random.choice(DATA["admin"]["invoice_ids"])
        with self.client.get(
            f"/admin/invoices/{invoice_id}", name="admin: invoice detail", catch_response=True
        ) as response:
            expect(response, 200, "text/html")


class CustomerJsonApi(PortalUser):
    """A customer's billing system on the customer JSON:API (JWT from /auth)."""

    weight = 2
    base = "/api/rest/customer/v1"

    def on_start(self):
        super().on_start()
        self.who = random.choice(["heavy", "light"])
        self.email = own_login(self.who)
        self.authenticate()

    def authenticate(self):
        with self.client.post(
            f"{self.base}/auth",
            name="json:api customer: auth",
            catch_response=True,
            json={"auth": {"login": self.email, "password": PASSWORD}},
        ) as response:
            expect(response, 201)
            self.headers = {
                "Accept": JSONAPI,
                "Authorization": f"Bearer {response.json().get('jwt', '')}" if response.status_code == 201 else "",
            }

    @task(1)
    def login_again(self):
        self.authenticate()

    @task(3)
    def invoice_list(self):
        params = random.choice(
            [
                {},
                {"filter[start_date_gteq]": "2026-06-01", "page[size]": "100"},
                {"sort": "-amount_spent", "page[number]": "2"},
            ]
        )
        with self.client.get(
            f"{self.base}/invoices",
            params=params,
            headers=self.headers,
            name="json:api customer: invoices",
            catch_response=True,
        ) as response:
            expect(response, 200, JSONAPI)

    @task(2)
    def invoice(self):
        uuid = random.choice(DATA[self.who]["uuids"])
        with self.client.get(
            f"{self.base}/invoices/{uuid}", headers=self.headers, name="json:api customer: invoice", catch_response=True
        ) as response:
            expect(response, 200, JSONAPI)

    @task(1)
    def download(self):
        uuid = random.choice(DATA[self.who]["pdf_uuids"])
        with self.client.get(
            f"{self.base}/invoices/{uuid}/download",
            headers=self.headers,
            name="json:api customer: PDF download",
            catch_response=True,
        ) as response:
            expect(response, 200, "application/pdf", b"%PDF-")


class AdminJsonApi(PortalUser):
    """An operator's tool on the admin JSON:API."""

    weight = 1
    base = "/api/rest/admin"

    def on_start(self):
        super().on_start()
        self.email = own_login("admin")
        self.authenticate()

    def authenticate(self):
        with self.client.post(
            f"{self.base}/auth",
            name="json:api admin: auth",
            catch_response=True,
            json={"auth": {"username": self.email, "password": PASSWORD}},
        ) as response:
            expect(response, 201)
            self.headers = {
                "Accept": JSONAPI,
                "Authorization": f"Bearer {response.json().get('jwt', '')}" if response.status_code == 201 else "",
            }

    @task(3)
    def invoice_list(self):
        params = random.choice(
            [
                {"include": "account"},
                {"filter[account_id_eq]": "1", "sort": "-id"},
                {"filter[amount_spent_gt]": "100", "page[size]": "100"},
            ]
        )
        with self.client.get(
            f"{self.base}/invoices",
            params=params,
            headers=self.headers,
            name="json:api admin: invoices",
            catch_response=True,
        ) as response:
            expect(response, 200, JSONAPI)

    @task(2)
    def invoice(self):
        invoice_id = random.choice(DATA["admin"]["invoice_ids"])
        with self.client.get(
            f"{self.base}/invoices/{invoice_id}",
            params={"include": "originated-destinations.country"},
            headers=self.headers,
            name="json:api admin: invoice",
            catch_response=True,
        ) as response:
            expect(response, 200, JSONAPI)


class BackendIntegration(PortalUser):
    """An ERP on the backend API v1 and the orgs API v2 with an API key."""

    weight = 2

    def on_start(self):
        super().on_start()
        self.headers = {"Authorization": f"Bearer {DATA['api_key']}"}

    @task(3)
    def invoice_list(self):
        path, params = random.choice(
            [
                ("/backend/api/v1/invoices", {"perPage": "50"}),
                ("/backend/api/v1/invoices", {"minDate": "2026-10-01", "sort": "-total", "page": "2"}),
                ("/backend/api/v1/customers/1/invoices", {"includeUnsent": "1"}),
            ]
        )
        with self.client.get(
            path, params=params, headers=self.headers, name="backend v1: invoices", catch_response=True
        ) as response:
            expect(response, 200, "application/json")

    @task(2)
    def invoice(self):
        invoice_id = random.choice(DATA["admin"]["invoice_ids"])
        with self.client.get(
            f"/backend/api/v1/invoices/{invoice_id}",
            headers=self.headers,
            name="backend v1: invoice",
            catch_response=True,
        ) as response:
            expect(response, 200, "application/json")

    @task(1)
    def pdf(self):
        invoice_id = random.choice(DATA["pdf_invoice_ids"])
        with self.client.get(
            f"/backend/api/v1/invoices/{invoice_id}",
            headers={**self.headers, "Accept": "application/pdf"},
            name="backend v1: PDF",
            catch_response=True,
        ) as response:
            expect(response, 200, "application/pdf", b"%PDF-")

    @task(1)
    def orgs_v2(self):
        orgs = DATA["orgs_v2"]
        with self.client.get(
            f"/v2/orgs/{orgs['org']}/accounts/{orgs['account']}/invoices",
            params={"start_date": orgs["start_date"], "end_date": orgs["end_date"]},
            headers=self.headers,
            name="orgs v2: invoices",
            catch_response=True,
        ) as response:
            expect(response, 200, "application/json")


class Yardstick(PortalUser):
    """The yardstick mix of the same run (bench/yardsticks.py): one invoice row, and fifty, read and encoded.
    A fixed number of the users (`BENCH_YARDSTICK_USERS`, set by bench/load.py)."""

    fixed_count = int(os.environ.get("BENCH_YARDSTICK_USERS", "1"))

    @task(2)
    def one(self):
        with self.client.get(
            f"/bench/one/{random.randint(1, DATA['invoices'])}", name="yardstick: one row", catch_response=True
        ) as response:
            expect(response, 200, "application/json")

    @task(1)
    def fifty(self):
        start = random.randint(1, max(DATA["invoices"] - 49, 1))
        with self.client.get(f"/bench/fifty/{start}", name="yardstick: fifty rows", catch_response=True) as response:
            expect(response, 200, "application/json")
