"""The admin invoice list costs the same number of SQL statements whether it shows one invoice or many."""

from __future__ import annotations

from sqlalchemy import event

from portal.extensions import db
from tests.invoices import make_invoice


def statements_for(client, url: str) -> int:
    seen = []

    def record(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        answer = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert answer.status_code == 200
    return len(seen)


def test_admin_list_statements_do_not_grow_with_rows_of_different_customers(app, session, admin_client):
    client = admin_client(5)
    first = make_invoice("Approved")
    one = statements_for(client, "/admin/invoices")
    # Each new invoice has its own customer and account: a lazy load per row would show up here.
    others = [make_invoice("Approved") for _ in range(4)]
    db.session.expire_all()
    many = statements_for(client, "/admin/invoices")
    page = client.get("/admin/invoices").get_data(as_text=True)
    assert all(inv.customer.name in page and inv.account.name in page for inv in [first, *others])
    assert many == one


def test_admin_list_counts_up_to_the_limit_then_says_more(app, session, admin_client, monkeypatch):
    from portal.reading import paging

    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    client = admin_client(5)
    for _ in range(5):
        make_invoice("Approved")
    page = client.get("/admin/invoices?perPage=2").get_data(as_text=True)
    assert "more than 3 invoices" in page and "Page 1</span>" in page and 'rel="next"' in page
    last = client.get("/admin/invoices?perPage=2&page=3").get_data(as_text=True)
    assert 'rel="next"' not in last and 'rel="prev"' in last
    monkeypatch.setattr(paging, "COUNT_LIMIT", 1000)
    exact = client.get("/admin/invoices?perPage=2").get_data(as_text=True)
    assert "5 invoices" in exact and "Page 1 of 3" in exact
