"""The accounts a manual invoice may be made for come with their customers in one statement."""

from __future__ import annotations

from portal.extensions import db
from portal.reading.admin_pages import accounts_to_choose
from tests.factories import AccountFactory, AdminUserFactory
from tests.statements import recorded_statements


def test_every_account_comes_with_its_customer_in_one_statement(app):
    accounts = [AccountFactory() for _ in range(4)]
    db.session.commit()
    db.session.expire_all()
    with recorded_statements() as seen:
        chosen = accounts_to_choose(None)
        names = [(a.customer.name, a.name) for a in chosen]
    assert len(seen) == 1
    assert names == sorted((a.customer.name, a.name) for a in accounts)
    with recorded_statements() as seen:
        one = accounts_to_choose(accounts[0].customer_id)
        assert [a.customer.name for a in one] == [accounts[0].customer.name]
    assert len(seen) == 1


def test_the_new_invoice_form_costs_the_same_statements_for_1_and_5_customers(client, login):
    login(AdminUserFactory(level=5))
    sent = []
    for _ in range(2):
        AccountFactory()
        db.session.commit()
        with recorded_statements() as seen:
            assert client.get("/admin/invoices/new").status_code == 200
        sent.append(len(seen))
        for _ in range(3):
            AccountFactory()
        db.session.commit()
    assert sent[0] == sent[1]
