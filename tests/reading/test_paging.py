"""Bounded counts and one-extra-row paging (portal.reading.paging), on the real database."""

from __future__ import annotations

from sqlalchemy import event, select

from portal.extensions import db
from portal.models import Invoice
from portal.reading.paging import InvoicePage, bounded_count
from tests.invoices import make_invoice


def test_bounded_count_is_exact_up_to_the_limit_and_reads_at_most_one_row_more(app, session):
    for _ in range(5):
        make_invoice("Approved")
    stmt = select(Invoice.id).order_by(Invoice.id)
    assert bounded_count(stmt, None) == (5, True)
    assert bounded_count(stmt, 5) == (5, True)
    assert bounded_count(stmt, 4) == (4, False)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert bounded_count(stmt, 2) == (2, False)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 1 and "LIMIT" in statements[0].upper()


def test_page_arithmetic_with_an_inexact_total():
    page = InvoicePage(items=[1] * 10, total=1000, page=3, per_page=10, total_is_exact=False, more=True)
    assert page.total_label == "more than 1,000" and page.has_next and page.has_prev
    assert page.pages == 100  # the pages known so far
    far = InvoicePage(items=[1] * 10, total=1000, page=150, per_page=10, total_is_exact=False, more=True)
    assert far.pages == 151 and far.has_next
    last = InvoicePage(items=[1] * 4, total=1000, page=150, per_page=10, total_is_exact=False, more=False)
    assert last.pages == 150 and not last.has_next
    exact = InvoicePage(items=[1] * 4, total=14, page=2, per_page=10)
    assert exact.total_label == "14" and exact.pages == 2 and not exact.has_next
