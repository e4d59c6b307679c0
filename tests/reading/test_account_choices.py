"""The accounts a manual invoice may be made for: only those of the customer named, in one statement, and
the form costs the same however many customers there are."""

from __future__ import annotations

from portal.extensions import db
from portal.reading.admin_pages import account_choices_of, customer_named
from tests.factories import AccountFactory, AdminUserFactory, CustomerFactory
from tests.statements import recorded_statements


def test_the_accounts_of_the_customer_named_in_any_case_in_one_statement(app):
    ours = CustomerFactory(name="Alpha Telecom")
    mine = [AccountFactory(customer=ours, name=n, invoice_period=p) for n, p in (("west", None), ("east", "Monthly"))]
    AccountFactory(customer=CustomerFactory(name="Alpha Telecom GmbH"), name="other")
    db.session.commit()
    with recorded_statements() as seen:
        chosen = account_choices_of(None, "alpha TELECOM", limit=10)
    assert len(seen) == 1
    assert [(a.id, a.name, a.invoice_period) for a in chosen] == [
        (mine[1].id, "east", "Monthly"),
        (mine[0].id, "west", None),
    ]
    assert account_choices_of(None, "Alpha", limit=10) == []  # a part of a name chooses nobody
    assert account_choices_of(None, "", limit=10) == []
    assert customer_named("ALPHA telecom") and not customer_named("Alpha")


def test_the_new_invoice_form_costs_the_same_statements_for_1_and_5_customers(client, login):
    login(AdminUserFactory(level=5))
    sent = []
    for _ in range(2):
        AccountFactory()
        db.session.commit()
        with recorded_statements() as seen:
            body = client.get("/admin/invoices/new").get_data(as_text=True)
        sent.append(len(seen))
        assert "Choose a customer first" in body
        for _ in range(3):
            AccountFactory()
        db.session.commit()
    assert sent[0] == sent[1]
