"""Creating a manual invoice from the admin area: engine errors beside the fields, success, levels."""

from __future__ import annotations

from portal.models import Invoice
from tests.admin.conftest import post
from tests.factories import AccountFactory


def _create(client, account_id, start_date: str, end_date: str, **more):
    """Post the new-invoice form for an account and period."""
    form = {"account": account_id, "start_date": start_date, "end_date": end_date, **more}
    return post(client, "/admin/invoices/new", form)


def test_creates_fills_and_redirects_to_the_invoice(app, admin_client, session):
    account = AccountFactory()
    session.commit()
    client = admin_client(2)
    response = _create(client, account.id, "2026-05-01", "2026-06-01", customer=account.customer_id)
    [invoice] = session.query(Invoice).all()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/invoices/{invoice.id}")
    assert invoice.state == "Pending"  # the fill job ran inline
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created for" in page


def test_engine_errors_are_shown_beside_their_fields(app, admin_client, session):
    response = _create(admin_client(2), "", "soon", "")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="account-error"' in body and "can&#39;t be blank" in body
    assert 'id="start_date-error"' in body and "is invalid" in body
    assert 'id="end_date-error"' in body


def test_base_errors_are_shown_on_the_form(app, admin_client, session):
    account = AccountFactory()
    session.commit()
    response = _create(admin_client(2), account.id, "2026-05-01", "2099-01-01")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "end_time can&#39;t be in future" in body
    assert session.query(Invoice).count() == 0


def test_dates_in_the_wrong_order_and_automatic_accounts(app, admin_client, session):
    auto = AccountFactory(invoice_period="Monthly")
    session.commit()
    body = _create(admin_client(2), auto.id, "2026-05-10", "2026-05-01").get_data(as_text=True)
    assert "must be greater than start date" in body and "have invoices auto generation enabled" in body


def test_level_1_may_not_create(app, admin_client, session):
    account = AccountFactory()
    session.commit()
    response = _create(admin_client(1), account.id, "2026-05-01", "2026-06-01")
    assert response.status_code == 403 and "needs expert level 2" in response.get_data(as_text=True)


def test_account_options_follow_the_customer(app, admin_client, session):
    mine, other = AccountFactory(name="Mine"), AccountFactory(name="Other")
    session.commit()
    body = admin_client(1).get(f"/admin/invoices/account-options?customer={mine.customer_id}").get_data(as_text=True)
    assert "Mine" in body and "Other" not in body
