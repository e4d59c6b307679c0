"""The template yardsticks render the customer pages from a context built once: one row read per request after
the first, and the same page the customer gets."""

from __future__ import annotations

import pytest

from bench import yardsticks
from portal import create_app
from portal.extensions import db
from tests.clients import FreshUserClient
from tests.customer.conftest import account, approved_invoice, customer, month, user  # noqa: F401 - fixtures
from tests.statements import recorded_statements


@pytest.fixture
def bench_app(database_url, tmp_path, monkeypatch):
    """An app of its own with the yardstick routes, as a benchmark server builds it (the tests' shared app
    keeps only the product's routes: tests/security/test_access_matrix.py lists every one), none built yet."""
    monkeypatch.setattr(yardsticks, "_KEPT", {})
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": database_url, "OUTBOX_DIR": str(tmp_path)})
    app.test_client_class = FreshUserClient
    yardsticks.add_yardsticks(app)
    yield app
    with app.app_context():
        db.engine.dispose()  # its pooled connections closed, not left to the garbage collector


@pytest.fixture
def served(bench_app, login, user, account):
    """The signed-in customer's client of the benchmark app (its requests run in app contexts of their own)
    and the invoices' (id, uuid, number), newest first, committed through the tests' app."""
    invoices = [approved_invoice(account, month(-i)) for i in range(1, 4)]
    db.session.commit()
    client = bench_app.test_client()
    login(user, client)
    return client, [(inv.id, inv.uuid, inv.invoice_number) for inv in invoices]


@pytest.mark.parametrize("page, path", [("list", "/portal/invoices"), ("detail", None)])
def test_template_yardstick_reads_one_row_and_renders_the_customers_page(served, page, path):
    client, [(first_id, first_uuid, number), (second_id, _, _), _] = served
    first = client.get(f"/bench/template/{page}/{first_id}")
    assert first.status_code == 200
    # The page the view renders, from the same context (the detail: the first invoice of the list).
    real = client.get(path or f"/portal/invoices/{first_uuid}").get_data(as_text=True)
    kept = first.get_data(as_text=True)
    for part in (number, "Acme main", "ops@acme.example"):
        assert part in kept and part in real
    with client.application.app_context(), recorded_statements() as seen:  # the benchmark app's engine
        again = client.get(f"/bench/template/{page}/{second_id}")
    assert again.status_code == 200 and len(seen) == 1 and "FROM invoices" in seen[0]
    assert client.get(f"/bench/template/{page}/999999").status_code == 404


def test_template_yardstick_needs_a_customer_on_its_first_request(bench_app):
    assert bench_app.test_client().get("/bench/template/list/1").status_code == 404
