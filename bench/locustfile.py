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

    def check(self, method: str, path: str, name: str, *expected, **request):
        """Send a request and mark it failed unless it answers `expected` (status, content type,
        first bytes: as `expect` takes them)."""
        with self.client.request(method, path, name=name, catch_response=True, **request) as response:
            expect(response, *expected)
        return response


class BrowserUser(PortalUser):
    """Signs in through the login form; keeps its session cookie like a browser."""

    abstract = True
    email = ""
    home = ""

    def page(self, path: str, name: str, **request):
        """GET an HTML page and mark it failed unless it answers 200 with HTML."""
        return self.check("GET", path, name, 200, "text/html", **request)

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
        self.check("POST", "/logout", "logout", 302, data={"csrf_token": csrf_token(page.text)}, allow_redirects=False)

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
        self.page("/portal/", "customer: dashboard")

    @task(3)
    def invoice_list(self):
        self.page("/portal/invoices", "customer: invoice list")

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
        self.page("/portal/invoices", "customer: filter", params=params, headers=headers)

    @task(3)
    def detail(self):
        uuid = random.choice(DATA[self.who]["uuids"])
        self.page(f"/portal/invoices/{uuid}", "customer: invoice detail")

    @task(1)
    def download_pdf(self):
        uuid = random.choice(DATA[self.who]["pdf_uuids"])
        page = self.client.get(f"/portal/invoices/{uuid}", name="customer: invoice detail")
        data = {"csrf_token": csrf_token(page.text)}
        self.check(
            "POST",
            f"/portal/invoices/{uuid}/pdf",
            "customer: Download PDF",
            200,
            "application/pdf",
            b"%PDF-",
            data=data,
        )


# The admin invoice list as the admins ask for it: plain, filtered, sorted, a long page.
ADMIN_LIST_QUERIES = [
    {},
    {"state": "Approved", "sort": "-total"},
    {"customer": "1"},
    {"minDate": "2026-10-01", "maxDate": "2026-10-31", "perPage": "100"},
]


class AdminBrowser(BrowserUser):
    weight = 1
    area = "admin"
    home = "/admin/"

    def on_start(self):
        self.email = own_login("admin")
        super().on_start()

    @task(1)
    def dashboard(self):
        self.page("/admin/", "admin: dashboard")

    @task(3)
    def invoice_list(self):
        self.page("/admin/invoices", "admin: invoice list/filter", params=random.choice(ADMIN_LIST_QUERIES))

    @task(3)
    def invoice_detail(self):
        invoice_id = random.choice(DATA["admin"]["invoice_ids"])
        self.page(f"/admin/invoices/{invoice_id}", "admin: invoice detail")


class JsonApiUser(PortalUser):
    """A client of a JSON:API: signs in at `{base}/auth` with its own login (the `login_field` of the
    auth body) for a JWT, and sends it along."""

    abstract = True
    base = ""
    area = ""
    login_field = ""
    list_queries: tuple = ({},)  # the invoice list's query strings, one picked at random per request

    def on_start(self):
        super().on_start()
        self.email = own_login(self.who())
        self.authenticate()

    def who(self) -> str:
        """Which logins (a key of the load data) this user signs in with."""
        raise NotImplementedError

    @task(3)
    def invoice_list(self):
        self.read("/invoices", "invoices", params=random.choice(self.list_queries))

    def credentials(self) -> dict:
        return {self.login_field: self.email, "password": PASSWORD}

    def authenticate(self):
        response = self.check(
            "POST", f"{self.base}/auth", f"json:api {self.area}: auth", 201, json={"auth": self.credentials()}
        )
        token = response.json().get("jwt", "") if response.status_code == 201 else ""
        self.headers = {"Accept": JSONAPI, "Authorization": f"Bearer {token}" if token else ""}

    def read(self, path: str, name: str, **request):
        """A JSON:API GET below `base`, checked for 200 and the JSON:API media type."""
        self.check(
            "GET", self.base + path, f"json:api {self.area}: {name}", 200, JSONAPI, headers=self.headers, **request
        )


class CustomerJsonApi(JsonApiUser):
    """A customer's billing system on the customer JSON:API (JWT from /auth)."""

    weight = 2
    base = "/api/rest/customer/v1"
    area = "customer"
    login_field = "login"
    list_queries = (
        {},
        {"filter[start_date_gteq]": "2026-06-01", "page[size]": "100"},
        {"sort": "-amount_spent", "page[number]": "2"},
    )

    def who(self) -> str:
        self.customer = random.choice(["heavy", "light"])
        return self.customer

    @task(1)
    def login_again(self):
        self.authenticate()

    @task(2)
    def invoice(self):
        self.read(f"/invoices/{random.choice(DATA[self.customer]['uuids'])}", "invoice")

    @task(1)
    def download(self):
        uuid = random.choice(DATA[self.customer]["pdf_uuids"])
        path = f"{self.base}/invoices/{uuid}/download"
        self.check(
            "GET", path, "json:api customer: PDF download", 200, "application/pdf", b"%PDF-", headers=self.headers
        )


class AdminJsonApi(JsonApiUser):
    """An operator's tool on the admin JSON:API."""

    weight = 1
    base = "/api/rest/admin"
    area = "admin"
    login_field = "username"
    list_queries = (
        {"include": "account"},
        {"filter[account_id_eq]": "1", "sort": "-id"},
        {"filter[amount_spent_gt]": "100", "page[size]": "100"},
    )

    def who(self) -> str:
        return "admin"

    @task(2)
    def invoice(self):
        invoice_id = random.choice(DATA["admin"]["invoice_ids"])
        self.read(f"/invoices/{invoice_id}", "invoice", params={"include": "originated-destinations.country"})


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
        self.check("GET", path, "backend v1: invoices", 200, "application/json", params=params, headers=self.headers)

    @task(2)
    def invoice(self):
        path = f"/backend/api/v1/invoices/{random.choice(DATA['admin']['invoice_ids'])}"
        self.check("GET", path, "backend v1: invoice", 200, "application/json", headers=self.headers)

    @task(1)
    def pdf(self):
        path = f"/backend/api/v1/invoices/{random.choice(DATA['pdf_invoice_ids'])}"
        headers = {**self.headers, "Accept": "application/pdf"}
        self.check("GET", path, "backend v1: PDF", 200, "application/pdf", b"%PDF-", headers=headers)

    @task(1)
    def orgs_v2(self):
        orgs = DATA["orgs_v2"]
        path = f"/v2/orgs/{orgs['org']}/accounts/{orgs['account']}/invoices"
        params = {"start_date": orgs["start_date"], "end_date": orgs["end_date"]}
        self.check("GET", path, "orgs v2: invoices", 200, "application/json", params=params, headers=self.headers)


class Yardstick(PortalUser):
    """The yardstick mix of the same run (bench/yardsticks.py): one invoice row, and fifty, read and encoded.
    A fixed number of the users (`BENCH_YARDSTICK_USERS`, set by bench/load.py)."""

    fixed_count = int(os.environ.get("BENCH_YARDSTICK_USERS", "1"))

    @task(2)
    def one(self):
        self.check(
            "GET", f"/bench/one/{random.randint(1, DATA['invoices'])}", "yardstick: one row", 200, "application/json"
        )

    @task(1)
    def fifty(self):
        start = random.randint(1, max(DATA["invoices"] - 49, 1))
        self.check("GET", f"/bench/fifty/{start}", "yardstick: fifty rows", 200, "application/json")
