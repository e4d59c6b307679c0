"""search_invoices costs two statements whatever the table holds, and counts without the sorting joins."""

from __future__ import annotations

from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.foundations.permissions import customer_actor
from portal.models import Invoice
from portal.reading.invoice_search import parse_invoice_filters, search_invoices
from tests.factories import CustomerUserFactory
from tests.invoices import make_invoice
from tests.statements import recorded_statements as statements


def search(args, **kwargs):
    return search_invoices(parse_invoice_filters(MultiDict(args), include_unsent_default=True), **kwargs)


def test_the_count_reads_the_invoices_table_alone_and_the_page_two_statements(app, session):
    for _ in range(3):
        make_invoice("Approved")
    db.session.expire_all()
    with statements() as seen:
        page = search({"perPage": "2"})
    assert page.total == 3 and len(page.items) == 2
    assert len(seen) == 3  # the page, the versions the count is kept under, the count
    count = next(s for s in seen if "count(" in s.lower())
    # Joining customers and accounts for every matching row made the count grow with the table.
    assert "JOIN" not in count.upper()


def test_statement_count_stays_the_same_as_invoices_grow(app, session):
    make_invoice("Approved")
    db.session.expire_all()
    with statements() as few:
        search({})
    for _ in range(4):
        make_invoice("Approved")
    db.session.expire_all()
    with statements() as many:
        page = search({})
    assert page.total == 5
    assert len(few) == len(many) == 1  # a page that ends short of its size tells the total: no count
    with statements() as full:
        page = search({"perPage": "2"})
    assert page.total == 5 and len(full) == 3  # the page, the versions, the count


def test_count_without_joins_still_honours_filters_and_customer_scope(app, session):
    mine = make_invoice("Approved")
    make_invoice("Approved")
    make_invoice("Pending", customer=mine.customer)
    user = CustomerUserFactory(customer=mine.customer)
    db.session.commit()
    assert search({"customer": str(mine.customer_id)}).total == 2
    assert search({"customer": str(mine.customer_id), "state": "Approved"}).total == 1
    # A customer key sees only its customer's raised invoices: the total says so too.
    scoped = search({}, actor=customer_actor(user))
    assert scoped.total == len(scoped.items) == 1 and scoped.items[0].id == mine.id
    assert db.session.query(Invoice).count() == 3


def test_a_customers_invoices_in_one_state_are_read_through_the_customer_state_id_index(app, session, is_postgresql):
    invoice = make_invoice("Approved")
    executed: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        executed.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = search({"customer": str(invoice.customer_id), "state": "Approved"})
        beyond = search({"customer": str(invoice.customer_id), "state": "Approved", "page": "2"})  # counts
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert [inv.id for inv in page.items] == [invoice.id] and beyond.items == [] and beyond.total == 1
    connection = db.session.connection()
    if is_postgresql:
        # A handful of rows would be read sequentially; the question is which index serves the query.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    explain = "EXPLAIN " if is_postgresql else "EXPLAIN QUERY PLAN "
    searches = [(statement, parameters) for statement, parameters in executed if "invoices.state =" in statement]
    assert len(searches) == 3 and sum("count(" in statement for statement, _ in searches) == 1  # rows, rows, count
    for statement, parameters in searches:
        plan = " ".join(str(row) for row in connection.exec_driver_sql(explain + statement, parameters))
        # Without it, the rows query sorted every invoice of the state (184 ms at 100k invoices).
        assert "ix_invoices_customer_state_id" in plan, plan


def test_page_ids_come_from_the_invoices_table_alone_unless_the_sort_needs_a_join(app, session):
    invoices = [make_invoice("Approved") for _ in range(3)]
    db.session.expire_all()
    with statements() as seen:
        page = search({"perPage": "2", "page": "2"})
    assert [i.id for i in page.items] == [invoices[0].id] and not page.has_next
    rows = next(s for s in seen if "IN (SELECT" in s)
    inner = rows[rows.index("IN (SELECT") :]
    assert "JOIN" not in inner.upper().split(")")[0]  # the id subquery names the invoices table only
    with statements() as seen:
        by_name = search({"perPage": "2", "sort": "customer"})
    names = sorted(i.customer.name for i in invoices)
    assert [i.customer.name for i in by_name.items] == names[:2] and by_name.has_next
    rows = next(s for s in seen if "IN (SELECT" in s)
    assert "JOIN" in rows[rows.index("IN (SELECT") :].upper()
