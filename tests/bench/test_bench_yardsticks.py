"""The template yardsticks render the customer pages from a context built once: one row read per request after
the first, and the same page the customer gets."""

from __future__ import annotations

import pytest

from bench import yardsticks
from portal.extensions import db
from tests.customer.conftest import account, approved_invoice, customer, month, user  # noqa: F401 - fixtures
from tests.statements import recorded_statements


def with_yardsticks(app, monkeypatch) -> None:
    """The yardstick routes on the tests' app (shared by the session's tests, so added once), none built yet."""
    monkeypatch.setattr(yardsticks, "_KEPT", {})
    if "bench_template" not in app.view_functions:
        monkeypatch.setattr(app, "_got_first_request", False)  # the routes are added as at start-up
        yardsticks.add_yardsticks(app)


@pytest.fixture
def served(app, client, login, user, account, monkeypatch):
    """The signed-in customer's client and its invoices' (id, uuid, number), newest first."""
    with_yardsticks(app, monkeypatch)
    invoices = [approved_invoice(account, month(-i)) for i in range(1, 4)]
    db.session.commit()
    login(user)
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
    db.session.expunge_all()
    with recorded_statements() as seen:
        again = client.get(f"/bench/template/{page}/{second_id}")
    assert again.status_code == 200 and len(seen) == 1 and "FROM invoices" in seen[0]
    assert client.get(f"/bench/template/{page}/999999").status_code == 404


def test_template_yardstick_needs_a_customer_on_its_first_request(app, client, monkeypatch):
    with_yardsticks(app, monkeypatch)
    assert client.get("/bench/template/list/1").status_code == 404
