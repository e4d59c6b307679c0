"""Customer user invites and set-password links, account limits, disabling, admin levels, and the
permission table enforced by every admin service."""

from __future__ import annotations

import email
import email.policy
import time
from pathlib import Path

import pytest

from portal.auth.api_keys import create_api_key
from portal.auth.service import check_password_reset_token, reset_password
from portal.auth.sessions import load_user_from_id, verify_password
from portal.auth.tokens import make_password_reset_token
from portal.billing.runs import start_billing_run
from portal.customers.accounts import create_account
from portal.customers.customers import add_contact, create_customer, delete_customer
from portal.customers.users import (
    change_admin_level,
    create_admin_user,
    invite_customer_user,
    limit_customer_user,
    make_password_token,
    reinvite_customer_user,
    set_user_enabled,
)
from portal.foundations.errors import Gone, InvalidState, NotFound, PermissionDenied, ValidationFailed
from portal.foundations.permissions import ACTION_LEVELS, Actor, admin_actor
from tests.factories import AccountFactory, AdminUserFactory, CustomerFactory, CustomerUserFactory

ADMIN = Actor("boss@telco.example", kind="admin", level=5, id=10_000)


def _token(link: str) -> str:
    return link.rsplit("/", 1)[1]


def test_invite_creates_a_user_and_mails_a_link_that_sets_a_password_once(session, app):
    customer = CustomerFactory()
    account = AccountFactory(customer=customer)
    outbox = Path(app.config["OUTBOX_DIR"])
    before = set(outbox.glob("*.eml"))
    user, link, sent = invite_customer_user(
        email="New@Customer.example", customer_id=customer.id, account_ids=[account.id], actor=ADMIN
    )
    assert sent and link.startswith("http://localhost/password/reset/")
    assert user.email == "new@customer.example" and user.password_hash is None
    assert user.accounts == [account]
    [mail] = set(outbox.glob("*.eml")) - before
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    assert message["To"] == "new@customer.example"
    assert link in message.get_body(preferencelist=("plain",)).get_content()
    assert check_password_reset_token(_token(link))[0] is user
    reset_password(_token(link), "a long enough password")
    session.expire_all()
    assert verify_password(user.password_hash, "a long enough password")
    with pytest.raises(Gone):
        reset_password(_token(link), "another long password")


def test_invite_link_lives_seven_days_while_a_reset_link_lives_one_hour(session, monkeypatch):
    user = CustomerUserFactory(password_hash=None)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 6 * 86400)
    invite = make_password_token(user)
    reset = make_password_reset_token(user)
    monkeypatch.setattr(time, "time", lambda: real_time() - 8 * 86400)
    old_invite = make_password_token(user)
    monkeypatch.setattr(time, "time", real_time)
    assert check_password_reset_token(invite)[0] is user
    with pytest.raises(Gone):
        check_password_reset_token(reset)
    with pytest.raises(Gone):
        check_password_reset_token(old_invite)


@pytest.mark.parametrize(
    "tamper", [lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), lambda t: "x" + t, lambda t: "not.a.token"]
)
def test_tampered_invite_tokens_are_not_found(session, tamper):
    token = make_password_token(CustomerUserFactory())
    with pytest.raises(NotFound):
        check_password_reset_token(tamper(token))


def test_invite_token_of_a_disabled_user_does_not_work(session):
    user = CustomerUserFactory()
    token = make_password_token(user)
    set_user_enabled(user, False, actor=ADMIN)
    with pytest.raises(NotFound):
        check_password_reset_token(token)


def test_reinvite_refuses_a_disabled_user(session):
    user = CustomerUserFactory(enabled=False)
    with pytest.raises(InvalidState, match="enable it before"):
        reinvite_customer_user(user, actor=ADMIN)


def test_invite_limited_to_an_account_of_another_customer_is_refused(session):
    customer, other = CustomerFactory(), CustomerFactory()
    theirs = AccountFactory(customer=other)
    with pytest.raises(ValidationFailed) as exc:
        invite_customer_user(email="x@customer.example", customer_id=customer.id, account_ids=[theirs.id], actor=ADMIN)
    assert [str(e) for e in exc.value.errors] == ["account - must belong to the customer"]


def test_limit_customer_user_to_own_accounts_or_all(session):
    user = CustomerUserFactory()
    mine = AccountFactory(customer=user.customer)
    theirs = AccountFactory()
    limit_customer_user(user, [mine.id], actor=ADMIN)
    assert user.accounts == [mine]
    with pytest.raises(ValidationFailed, match="account - must belong to the customer"):
        limit_customer_user(user, [mine.id, theirs.id], actor=ADMIN)
    limit_customer_user(user, [], actor=ADMIN)
    assert user.accounts == []


def test_disabling_a_user_ends_its_sessions(session):
    user = CustomerUserFactory()
    session_id = user.get_id()
    assert load_user_from_id(session_id) is user
    set_user_enabled(user, False, actor=ADMIN)
    assert user.enabled is False and load_user_from_id(session_id) is None
    set_user_enabled(user, True, actor=ADMIN)
    assert load_user_from_id(session_id) is None  # the old session stays ended
    assert load_user_from_id(user.get_id()) is user


def test_admin_level_changes_and_the_guards_against_lock_out(session):
    boss = AdminUserFactory(level=5)
    clerk = AdminUserFactory(level=1)
    change_admin_level(clerk, "3", actor=admin_actor(boss))
    assert clerk.level == 3
    with pytest.raises(ValidationFailed, match="level - must be between 1 and 5"):
        change_admin_level(clerk, 6, actor=admin_actor(boss))
    with pytest.raises(InvalidState, match="can't lower your own level"):
        change_admin_level(boss, 4, actor=admin_actor(boss))
    with pytest.raises(InvalidState, match="can't disable yourself"):
        set_user_enabled(boss, False, actor=admin_actor(boss))
    with pytest.raises(InvalidState, match="At least one enabled level 5 admin must remain"):
        change_admin_level(boss, 4, actor=ADMIN)
    second = AdminUserFactory(level=5)
    change_admin_level(boss, 4, actor=admin_actor(second))
    assert boss.level == 4


# The permission table: each admin action refused below its level with a clear message. ----------


def _actions(session):
    customer = CustomerFactory()
    account = AccountFactory(customer=customer)
    user = CustomerUserFactory(customer=customer)
    admin = AdminUserFactory(level=1)
    return {
        "customer.write": lambda actor: create_customer(actor=actor, name="Acme"),
        "customer.delete": lambda actor: delete_customer(CustomerFactory(), actor=actor),
        "contact.write": lambda actor: add_contact(customer, email="c@acme.example", actor=actor),
        "account.write": lambda actor: create_account(customer, actor=actor, name="A", currency="EUR", timezone="UTC"),
        "customer_user.write": lambda actor: limit_customer_user(user, [account.id], actor=actor),
        "customer_user.invite": lambda actor: invite_customer_user(
            email="i@acme.example", customer_id=customer.id, actor=actor
        ),
        "admin_user.write": lambda actor: create_admin_user(email="a@telco.example", password="x" * 12, actor=actor),
        "admin_user.level": lambda actor: change_admin_level(admin, 2, actor=actor),
        "api_key.write": lambda actor: create_api_key(name="k", scopes="read", level=1, actor=actor),
        "billing_run.start": lambda actor: start_billing_run(actor=actor),
    }


REQUIRED = {
    "customer.write": "customer.write",
    "customer.delete": "customer.write",
    "contact.write": "customer.write",
    "account.write": "account.write",
    "customer_user.write": "customer_user.write",
    "customer_user.invite": "customer_user.write",
    "admin_user.write": "admin_user.write",
    "admin_user.level": "admin_user.write",
    "api_key.write": "api_key.write",
    "billing_run.start": "billing_run.start",
}


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_each_admin_service_enforces_its_level(session, name, level):
    action = REQUIRED[name]
    needed = ACTION_LEVELS[action]
    call = _actions(session)[name]
    actor = Actor(f"level{level}@telco.example", kind="admin", level=level, id=99_999)
    if level < needed:
        with pytest.raises(PermissionDenied) as exc:
            call(actor)
        assert exc.value.message == (
            f"Permission denied: {action.replace('_', ' ').replace('.', ' ')} needs expert level {needed}."
        )
    else:
        call(actor)
