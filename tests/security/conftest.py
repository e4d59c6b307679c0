"""Security fixtures: the access-matrix world (two customers with two accounts each, every kind of user and
credential, built once) and the admin-page clients (signed in, with CSRF tokens)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from portal.delivery.links import mint_download_link
from portal.extensions import db, limiter
from portal.foundations.permissions import SYSTEM
from portal.models import Attachment, BillStyle, MessageTemplate, UsageReportProfile
from tests.admin.conftest import admin, admin_as, admin_client  # noqa: F401 - fixtures
from tests.api.jsonapi.conftest import add_pdf, login_admin, login_customer, make_invoice
from tests.api.key_clients import make_key
from tests.conftest import _empty_tables
from tests.factories import (
    UTC,
    AccountFactory,
    AdminUserFactory,
    CdrFactory,
    ContactFactory,
    CustomerFactory,
    CustomerUserFactory,
    DiscountPlanFactory,
    OrganizationFactory,
)

START = dt.datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class Side:
    """One customer's records: the ids, uuids and tokens another customer must never reach."""

    customer: object
    accounts: list
    approved: list  # one approved invoice (with a stored PDF and a download link) per account
    pending: list
    new: list
    documents: list
    tokens: list  # /d/<token> of each approved invoice
    links: list

    def markers(self, account_index: int | None = None) -> set[str]:
        """Strings that identify this side's data in any response (one account's only with `account_index`)."""
        picks = range(len(self.accounts)) if account_index is None else [account_index]
        out: set[str] = set()
        for i in picks:
            account = self.accounts[i]
            out |= {str(account.uuid), account.name}
            for invoice in (self.approved[i], self.pending[i], self.new[i]):
                out |= {str(invoice.uuid), invoice.reference}
            out.add(self.approved[i].invoice_number)
        return {m for m in out if m}

    def hidden_markers(self) -> set[str]:
        """Invoices that even this side's own customer users may not see (not approved yet)."""
        return {str(i.uuid) for i in self.pending + self.new} | {i.reference for i in self.pending + self.new}


@dataclass
class World:
    a: Side
    b: Side
    users: dict = field(default_factory=dict)  # name -> user row (sessions)
    tokens: dict = field(default_factory=dict)  # name -> bearer credential (JWTs and API keys)
    records: dict = field(default_factory=dict)  # other records admin routes act on (contact, template, …)


def _side(tag: str, pdf: bytes, offset: int) -> Side:
    customer = CustomerFactory(name=f"{tag} Carrier Ltd")
    accounts, approved, pending, new, documents, tokens, links = [], [], [], [], [], [], []
    for n in (1, 2):
        account = AccountFactory(customer=customer, name=f"{tag}-acct-{n}")
        accounts.append(account)
        base = START + dt.timedelta(days=10 * (offset + n))
        CdrFactory(customer_acc_id=account.id, time_start=base + dt.timedelta(hours=2))
        invoices = []
        for day, state in ((0, "Approved"), (1, "Pending"), (2, "New")):
            invoice = make_invoice(account, base + dt.timedelta(days=day), state=state)
            invoice.reference = f"REF-{tag}-{n}-{state.upper()}"
            invoices.append(invoice)
        raised, filled, fresh = invoices
        data = pdf + f"% {tag}-{n}".encode()
        document = add_pdf(raised, data, f"{raised.invoice_number}.pdf")
        link, token = mint_download_link(
            raised, actor=SYSTEM, expires_in=dt.timedelta(days=30), max_uses=1000, purpose="email"
        )
        approved.append(raised), pending.append(filled), new.append(fresh)
        documents.append(document), tokens.append(token), links.append(link)
    return Side(customer, accounts, approved, pending, new, documents, tokens, links)


@pytest.fixture(scope="module")
def world(_app):
    """Customers A and B, users of every kind, JWTs and API keys; committed once, emptied after the module."""
    from weasyprint import HTML

    with _app.app_context():
        limiter.reset()
        pdf = HTML(string="<h1>Invoice</h1>").write_pdf()
        OrganizationFactory()
        a, b = _side("Alpha", pdf, 0), _side("Bravo", pdf, 3)
        users = {
            "customer_a": CustomerUserFactory(customer=a.customer, email="all@alpha.example"),
            "customer_a_limited": CustomerUserFactory(
                customer=a.customer, email="one@alpha.example", accounts=[a.accounts[0]]
            ),
            "customer_b": CustomerUserFactory(customer=b.customer, email="all@bravo.example"),
        }
        records = {
            "contact": ContactFactory(customer=b.customer),
            "plan": DiscountPlanFactory(account=b.accounts[0]),
            "template": MessageTemplate(name="Matrix template", subject="Invoice", body_text="Hello"),
            "attachment": Attachment(name="Matrix terms", filename="terms.pdf", data=pdf, size=len(pdf)),
            "style": BillStyle(name="Matrix style", layout="summary"),
            "profile": UsageReportProfile(name="Matrix profile"),
        }
        db.session.add_all(records.values())
        for level in range(1, 6):
            users[f"admin_{level}"] = AdminUserFactory(level=level, email=f"level{level}@telco.example")
        db.session.commit()
        client = _app.test_client()
        tokens = {
            "admin_jwt": login_admin(client, users["admin_5"]),
            "customer_jwt_a": login_customer(client, users["customer_a"]),
            "customer_jwt_a_limited": login_customer(client, users["customer_a_limited"]),
            "customer_jwt_b": login_customer(client, users["customer_b"]),
            "key_read": make_key(scopes="read", level=5, name="admin read"),
            "key_write": make_key(scopes="read,write", level=5, name="admin write"),
            "key_customer_a": make_key(scopes="read,write", level=5, customer=a.customer, name="alpha"),
        }
        limiter.reset()
        db.session.commit()
        yield World(a=a, b=b, users=users, tokens=tokens, records=records)
        db.session.rollback()
        db.session.remove()
        _empty_tables()
        db.session.remove()


def snapshot() -> dict[str, list]:
    """Every row of every table except the audit trail and sign-in bookkeeping, for "nothing changed" checks."""
    db.session.expire_all()
    state = {}
    for table in db.metadata.sorted_tables:
        if table.name in {"audit_events"}:
            continue
        columns = [c for c in table.columns if c.name not in {"last_login_at", "last_used_at"}]
        rows = db.session.execute(select(*columns)).all()
        state[table.name] = sorted(map(repr, rows))
    return state


@pytest.fixture
def signed_in_clients(app, login):
    """`signed_in_clients(*users)` -> one test client per user, each signed in as that user."""

    def _clients(*users):
        clients = [app.test_client() for _ in users]
        for user, test_client in zip(users, clients):
            login(user, test_client)
        return clients

    return _clients
