"""Who reaches the customer portal, and which invoices exist for whom (everything else is a 404)."""

import hashlib
import re

import pytest

from portal.customers.accounts import delete_account
from portal.extensions import db
from portal.models import DownloadLink, InvoiceDocument
from tests.customer.conftest import approved_invoice, month
from tests.factories import AccountFactory, AdminUserFactory, CustomerUserFactory, InvoiceFactory

PAGES = ["/portal/", "/portal/invoices", "/portal/invoices.csv"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, app, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", PAGES + ["/portal/invoices/{uuid}", "/portal/invoices/{uuid}/cdrs.csv"])
def test_admins_get_a_404_in_the_customer_portal(client, login, account, url):
    invoice = approved_invoice(account, month(-1))
    admin = AdminUserFactory()
    db.session.commit()
    login(admin)
    assert client.get(url.format(uuid=invoice.uuid)).status_code == 404


def test_admins_cannot_post_the_pdf_download(client, login, account):
    invoice = approved_invoice(account, month(-1))
    admin = AdminUserFactory()
    db.session.commit()
    login(admin)
    assert client.post(f"/portal/invoices/{invoice.uuid}/pdf").status_code in (400, 404)


def test_main_index_sends_customers_to_the_dashboard(signed_in):
    response = signed_in.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/portal/")


@pytest.mark.parametrize("suffix", ["", "/cdrs.csv"])
def test_another_customers_invoice_is_a_404(signed_in, suffix):
    foreign = approved_invoice(AccountFactory(), month(-1))
    db.session.commit()
    assert signed_in.get(f"/portal/invoices/{foreign.uuid}{suffix}").status_code == 404


@pytest.mark.parametrize("state", ["New", "Pending"])
def test_invoices_not_yet_approved_do_not_exist_for_customers(signed_in, account, state):
    draft = InvoiceFactory(account=account, state=state, reference=f"DRAFT-{state}-REF")
    db.session.commit()
    assert signed_in.get(f"/portal/invoices/{draft.uuid}").status_code == 404
    assert draft.reference not in signed_in.get("/portal/invoices").get_data(as_text=True)


# A fixed unknown UUID: parallel test workers must collect the same parameters.
@pytest.mark.parametrize(
    "bad", ["not-a-uuid", "6f1c2a4e-0d3b-4c55-9b1e-2f5a7c9d0e11", "1", "'; drop table invoices;--"]
)
def test_unknown_or_malformed_invoice_ids_are_a_404(signed_in, bad):
    response = signed_in.get(f"/portal/invoices/{bad}")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_user_limited_to_one_account_never_sees_the_others(client, login, customer, account):
    other = AccountFactory(customer=customer, name="Acme wholesale")
    mine = approved_invoice(account, month(-1))
    theirs = approved_invoice(other, month(-1))
    limited = CustomerUserFactory(customer=customer, accounts=[account])
    db.session.commit()
    login(limited)
    listing = client.get("/portal/invoices").get_data(as_text=True)
    assert mine.invoice_number in listing and theirs.invoice_number not in listing
    assert "Acme wholesale" not in client.get("/portal/").get_data(as_text=True)
    assert client.get(f"/portal/invoices/{theirs.uuid}").status_code == 404
    assert theirs.invoice_number not in client.get("/portal/invoices.csv").get_data(as_text=True)
    response = client.get(f"/portal/invoices?account={other.id}")
    assert "Choose one of your accounts." in response.get_data(as_text=True)


def test_a_limited_user_whose_last_allowed_account_is_deleted_sees_nothing(client, login, customer, account):
    """The allowed-accounts link rows cascade away with the account; the user stays limited (to nothing)."""
    kept = AccountFactory(customer=customer, name="Acme wholesale")
    theirs = approved_invoice(kept, month(-1))
    data = b"%PDF-1.4 stored"
    db.session.add(
        InvoiceDocument(
            invoice_id=theirs.id,
            kind="pdf",
            filename="x.pdf",
            data=data,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    )
    limited = CustomerUserFactory(customer=customer, accounts=[account])
    db.session.commit()
    delete_account(account)
    db.session.commit()
    db.session.expire_all()
    assert limited.limited_to_accounts and limited.accounts == []
    login(limited)
    for url in PAGES:
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert theirs.invoice_number not in body and "Acme wholesale" not in body, url
    assert client.get(f"/portal/invoices?account={kept.id}").status_code == 200
    assert "Choose one of your accounts." in client.get(f"/portal/invoices?account={kept.id}").get_data(as_text=True)
    assert client.get(f"/portal/invoices/{theirs.uuid}").status_code == 404
    assert client.get(f"/portal/invoices/{theirs.uuid}/cdrs.csv").status_code == 404
    token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/portal/").get_data(as_text=True)).group(1)
    download = client.post(f"/portal/invoices/{theirs.uuid}/pdf", data={"csrf_token": token})
    assert download.status_code == 404 and b"%PDF" not in download.data
    assert db.session.query(DownloadLink).count() == 0  # no link minted for it either


def test_the_whole_dashboard_and_list_show_only_the_own_customer(signed_in, account):
    foreign = approved_invoice(AccountFactory(name="Rival account"), month(-1), total="999.00")
    approved_invoice(account, month(-1))
    db.session.commit()
    for url in PAGES:
        body = signed_in.get(url).get_data(as_text=True)
        assert foreign.invoice_number not in body and "Rival account" not in body
