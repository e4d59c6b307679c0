"""Users and API key pages: invites with their link, account limits, disabling, admin levels, keys shown once."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.auth.api_keys import verify_api_key
from portal.auth.service import check_password_reset_token
from portal.models import AdminUser, ApiKey, CustomerUser
from tests.factories import AccountFactory, AdminUserFactory, CustomerFactory, CustomerUserFactory


def test_invite_page_creates_the_user_and_shows_a_working_set_password_link(admin, session):
    customer = CustomerFactory()
    account = AccountFactory(customer=customer)
    session.commit()
    response = admin.post_form(
        f"/admin/customers/{customer.id}/users/new",
        {"email": "jane@acme.example", "name": "Jane", "account_ids": [str(account.id)]},
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = re.search(r"/password/reset/([A-Za-z0-9_.\-]+)", html).group(1)
    user = session.scalars(select(CustomerUser)).one()
    assert check_password_reset_token(token)[0] is user
    assert "An e-mail with this link was sent to jane@acme.example" in html
    assert user.accounts == [account] and user.password_hash is None


def test_invite_with_an_account_of_another_customer_is_refused(admin, session):
    customer = CustomerFactory()
    theirs = AccountFactory()
    session.commit()
    response = admin.post_form(
        f"/admin/customers/{customer.id}/users/new", {"email": "jane@acme.example", "account_ids": [str(theirs.id)]}
    )
    assert response.status_code == 422
    assert "must belong to the customer" in response.get_data(as_text=True)
    assert session.scalar(select(CustomerUser.id)) is None


def test_invite_with_a_taken_email_shows_the_error(admin, session):
    existing = CustomerUserFactory()
    session.commit()
    response = admin.post_form(f"/admin/customers/{existing.customer_id}/users/new", {"email": existing.email})
    assert response.status_code == 422
    assert "has already been taken" in response.get_data(as_text=True)


def test_customer_user_page_limits_accounts_and_disables(admin, session):
    user = CustomerUserFactory()
    mine = AccountFactory(customer=user.customer)
    theirs = AccountFactory()
    session.commit()
    refused = admin.post_form(f"/admin/users/customers/{user.id}", {"account_ids": [str(theirs.id)]})
    assert refused.status_code == 422 and "must belong to the customer" in refused.get_data(as_text=True)
    saved = admin.post_form(f"/admin/users/customers/{user.id}", {"account_ids": [str(mine.id)]})
    assert saved.status_code == 303
    version = user.session_version
    admin.post_form(f"/admin/users/customers/{user.id}/disable")
    session.expire_all()
    user = session.get(CustomerUser, user.id)
    assert [a.id for a in user.accounts] == [mine.id]
    assert user.enabled is False and user.session_version == version + 1


def test_users_page_lists_admins_and_customer_users(admin, session):
    CustomerUserFactory(email="jane@acme.example")
    session.commit()
    html = admin.get("/admin/users").get_data(as_text=True)
    assert admin.user.email in html and "jane@acme.example" in html


def test_create_admin_user_and_change_its_level(admin, session):
    bad = admin.post_form("/admin/users/admins/new", {"email": "new@telco.example", "password": "short", "level": "2"})
    assert bad.status_code == 422
    assert "is too short (minimum is 10 characters)" in bad.get_data(as_text=True)
    ok = admin.post_form(
        "/admin/users/admins/new", {"email": "new@telco.example", "password": "long enough pass", "level": "2"}
    )
    assert ok.status_code == 303
    created = session.scalars(select(AdminUser).where(AdminUser.email == "new@telco.example")).one()
    assert created.level == 2
    admin.post_form(f"/admin/users/admins/{created.id}/level", {"level": "4"})
    session.expire_all()
    assert session.get(AdminUser, created.id).level == 4


def test_an_admin_cannot_disable_themselves(admin, session):
    AdminUserFactory(level=5)
    session.commit()
    response = admin.post_form(f"/admin/users/admins/{admin.user.id}/disable", follow_redirects=True)
    assert "You can&#39;t disable yourself." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(AdminUser, admin.user.id).enabled is True


def test_api_key_is_shown_once_and_works_until_revoked(admin, session):
    customer = CustomerFactory(name="Acme")
    session.commit()
    response = admin.post_form(
        "/admin/api-keys/new",
        {"name": "ERP", "scope": ["read", "write"], "level": "3", "customer_id": str(customer.id)},
    )
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    assert "Scopes read, write · level 3 · only Acme" in response.get_data(as_text=True)
    key = re.search(r'id="api-key" readonly value="([^"]+)"', response.get_data(as_text=True)).group(1)
    row = verify_api_key(key)
    assert (row.name, row.scopes, row.level, row.customer_id) == ("ERP", "read,write", 3, customer.id)
    session.commit()  # the key's last use
    listing = admin.get("/admin/api-keys").get_data(as_text=True)
    assert "ERP" in listing and key not in listing and "never" not in listing.split("ERP", 1)[1].split("</tr>")[0]
    admin.post_form(f"/admin/api-keys/{row.id}/revoke")
    session.expire_all()
    assert session.get(ApiKey, row.id).revoked_at is not None
    assert verify_api_key(key) is None


def test_api_key_form_errors(admin):
    response = admin.post_form("/admin/api-keys/new", {"name": "ERP", "level": "9", "customer_id": "424242"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "must be read, write or read,write" in html
    assert "must be between 1 and 5" in html and "does not exist" in html
