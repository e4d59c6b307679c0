"""Customer portal fixtures: customers with accounts, signed-in customer users and approved invoices."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from portal.extensions import db
from tests.factories import AccountFactory, CustomerFactory, CustomerUserFactory, InvoiceFactory

UTC = dt.timezone.utc
TODAY = dt.datetime.now(UTC).date()
_numbers = itertools.count(1)


def approved_invoice(
    account, month_start: dt.date, *, total="100.00", paid="0", due: dt.date | None = None, months: int = 1, **extra
):
    """An approved invoice of `account` for whole months from `month_start`, as approval leaves it."""
    total, paid = Decimal(total), Decimal(paid)
    start = dt.datetime.combine(month_start, dt.time(), tzinfo=UTC)
    end = dt.datetime.combine(month_start + relativedelta(months=months), dt.time(), tzinfo=UTC)
    invoice_date = (end + dt.timedelta(days=1)).date()
    values = dict(
        account=account,
        state="Approved",
        start_date=start,
        end_date=end,
        invoice_number=f"INV-T-{next(_numbers):06d}",
        invoice_date=invoice_date,
        due_date=due or invoice_date + dt.timedelta(days=30),
        approved_at=end,
        amount_spent=total,
        amount_total=total,
        net_amount=total,
        total_amount=total,
        originated_amount_spent=total,
        paid_amount=paid,
        outstanding=total - paid,
    )
    values.update(extra)
    return InvoiceFactory(**values)


def month(offset: int) -> dt.date:
    """First day of the month `offset` months from the current one (negative: past)."""
    return TODAY.replace(day=1) + relativedelta(months=offset)


@pytest.fixture
def customer(app):
    return CustomerFactory(name="Acme Voice")


@pytest.fixture
def account(customer):
    return AccountFactory(customer=customer, name="Acme main", currency="EUR")


@pytest.fixture
def user(customer, account):
    u = CustomerUserFactory(customer=customer, email="ops@acme.example")
    db.session.commit()
    return u


@pytest.fixture
def signed_in(client, login, user):
    login(user)
    return client
