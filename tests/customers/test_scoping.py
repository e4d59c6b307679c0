"""What a customer may see (portal.customers.scope): approved invoices of its own customer and allowed accounts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, select

from portal.billing.invoices import create_invoice
from portal.customers.scope import customer_invoices
from portal.extensions import db
from portal.foundations.permissions import SYSTEM
from portal.models import Invoice
from tests.factories import AccountFactory
from tests.invoices import make_invoice


def test_every_invoice_belongs_to_its_accounts_customer(app, session):
    """The invariant customer_invoices() relies on when it selects by customer id alone."""
    account = AccountFactory()
    invoice = create_invoice(
        account_id=account.id,
        start_date=dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc),
        end_date=dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc),
        actor=SYSTEM,
    )
    assert invoice.customer_id == account.customer_id
    make_invoice("Approved")
    mismatched = session.scalars(
        select(Invoice)
        .join(Invoice.account)
        .where(Invoice.customer_id != Invoice.account.property.mapper.class_.customer_id)
    )
    assert list(mismatched) == []


def test_customer_sees_approved_invoices_of_its_accounts_and_a_limited_user_only_its_accounts(app, session):
    first = make_invoice("Approved")
    second = make_invoice("Approved", customer=first.customer)  # the same customer's other account
    pending = make_invoice("Pending", customer=first.customer)
    stranger = make_invoice("Approved")
    second_account_id = second.account_id

    def ids(limited_to=None):
        return set(session.scalars(customer_invoices(first.customer_id, limited_to).with_only_columns(Invoice.id)))

    assert ids() == {first.id, second.id}
    assert ids([second_account_id]) == {second.id}
    assert ids([stranger.account_id]) == set()  # another customer's account named in a limit shows nothing
    assert stranger.id not in ids() and pending.id not in ids()


def test_an_unlimited_customer_query_names_no_account_subquery(app, session):
    customer_id = make_invoice("Approved").customer_id
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        list(session.scalars(customer_invoices(customer_id)))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    reads = [s for s in statements if "FROM invoices" in s]
    assert len(reads) == 1 and "SELECT accounts.id" not in reads[0] and "WHERE accounts" not in reads[0]
