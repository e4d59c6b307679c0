"""portal.foundations.streaming: a stream reads through a session of its own, which outlives the request's and
is always closed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.customers.scope import CustomerScope
from portal.extensions import db
from portal.foundations.streaming import stream_with_own_session
from portal.models import Invoice
from portal.reading.customer_views import CustomerInvoiceFilters, iter_customer_invoices
from tests.bulk import FIRST_DAY, approved_invoices
from tests.factories import AccountFactory


def invoice_ids(session, fail_after: int | None = None):
    result = session.scalars(
        select(Invoice.id).order_by(Invoice.id).execution_options(yield_per=2, stream_results=True)
    )
    try:
        for n, invoice_id in enumerate(result, start=1):
            if n == fail_after:
                raise RuntimeError("failed mid-stream")
            yield invoice_id
    finally:
        result.close()


@pytest.fixture
def account(app):
    account = AccountFactory()
    approved_invoices(account, 7)
    db.session.commit()
    return account


def test_a_stream_takes_a_connection_only_once_read_and_gives_it_back_at_the_end(account):
    expected = list(db.session.scalars(select(Invoice.id).order_by(Invoice.id)))
    db.session.commit()
    before = db.engine.pool.checkedout()
    stream = stream_with_own_session(invoice_ids)
    assert db.engine.pool.checkedout() == before  # nothing runs before the first item
    first = next(stream)
    assert db.engine.pool.checkedout() == before + 1
    assert [first, *stream] == expected
    assert db.engine.pool.checkedout() == before


def test_a_stream_closed_early_or_failing_gives_its_connection_back(account):
    before = db.engine.pool.checkedout()
    stream = stream_with_own_session(invoice_ids)
    next(stream), next(stream), next(stream)
    stream.close()  # what a WSGI server does when the client goes away
    assert db.engine.pool.checkedout() == before
    failing = stream_with_own_session(invoice_ids, fail_after=4)
    with pytest.raises(RuntimeError):
        list(failing)
    assert db.engine.pool.checkedout() == before


def test_the_invoice_stream_outlives_the_requests_session(app, account):
    """Flask-SQLAlchemy removes `db.session` when the request ends, before a streamed body is sent."""
    with app.test_request_context():
        stream = iter_customer_invoices(
            CustomerScope(account.customer_id),
            CustomerInvoiceFilters(sort="number", direction="asc"),
            today=FIRST_DAY.date(),
            batch=2,
        )
        first = next(stream)
        db.session.remove()
    numbers = [first.invoice_number] + [invoice.invoice_number for invoice in stream]
    assert numbers == [f"INV-{n:06d}" for n in range(7)]
    assert first.account.name == account.name  # loaded with the row, usable after the stream's session closed
