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
