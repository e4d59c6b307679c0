"""factory_boy factories for the domain; they add to db.session and flush, tests commit when they need to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory

from portal.auth.sessions import hash_password
from portal.extensions import db
from portal.models import (
    Account,
    AdminUser,
    BillingRun,
    Cdr,
    Contact,
    Country,
    Customer,
    CustomerUser,
    DiscountPlan,
    Invoice,
    Network,
    Organization,
    Service,
    Transaction,
)

UTC = dt.timezone.utc
# The period an InvoiceFactory invoice covers, and a moment after it when tests fill and approve.
PERIOD_START = dt.datetime(2026, 5, 1, tzinfo=UTC)
PERIOD_END = dt.datetime(2026, 6, 1, tzinfo=UTC)
AFTER_PERIOD = dt.datetime(2026, 11, 1, tzinfo=UTC)
PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - a one-line helper used right below
        sqlalchemy_session_persistence = "flush"


class OrganizationFactory(Base):
    class Meta:
        model = Organization
        sqlalchemy_get_or_create = ("slug",)

    slug = "telco"
    name = "Telco Networks"
    legal_name = "Telco Networks Ltd"
    address = "1 Carrier Street\nLondon EC1A 1AA\nUnited Kingdom"
    vat_number = "GB123456789"
    email = "billing@telco.example"


class CustomerFactory(Base):
    class Meta:
        model = Customer

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Customer {n} Ltd")
    address = "2 Client Road\nBerlin"
    country_code = "DE"
    vat_number = factory.Sequence(lambda n: f"DE{100000000 + n}")
    email = factory.Sequence(lambda n: f"accounts{n}@customer.example")


class ContactFactory(Base):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = "Accounts payable"
    email = factory.Sequence(lambda n: f"ap{n}@customer.example")


class AccountFactory(Base):
    class Meta:
        model = Account

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Account {n}")
    currency = "EUR"
    timezone = "UTC"
    vat_rate = Decimal("20")
    payment_terms_days = 30
    invoice_period = None


class CountryFactory(Base):
    class Meta:
        model = Country
        sqlalchemy_get_or_create = ("iso2",)

    iso2 = "DE"
    name = "Germany"


class NetworkFactory(Base):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Network {n}")
    network_type = "mobile"
    country = factory.SubFactory(CountryFactory)


class ServiceFactory(Base):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")


class CdrFactory(Base):
    class Meta:
        model = Cdr

    class Params:
        network = None  # a Network: the call's network and its country, as a rated call carries both

    network_id = factory.LazyAttribute(lambda o: o.network.id if o.network else None)
    country_id = factory.LazyAttribute(lambda o: o.network.country_id if o.network else None)
    time_start = dt.datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    duration = 60
    customer_duration = 60
    vendor_duration = 60
    success = True
    customer_price = Decimal("0.100000")
    vendor_price = Decimal("0.050000")
    dst_prefix = "49"
    dialpeer_prefix = "49"
    destination_rate = Decimal("0.100000")
    dialpeer_rate = Decimal("0.050000")
    is_last_cdr = True
    src_number = "441234567890"
    dst_number = "4915112345678"


class TransactionFactory(Base):
    class Meta:
        model = Transaction

    account = factory.SubFactory(AccountFactory)
    category = "recurring"
    amount = Decimal("10.00")
    description = "Monthly port fee"
    created_at = dt.datetime(2026, 5, 10, tzinfo=UTC)


class DiscountPlanFactory(Base):
    class Meta:
        model = DiscountPlan

    account = factory.SubFactory(AccountFactory)
    name = "Mobile discount"
    kind = "percentage"
    prefixes = "49"
    percent = Decimal("10")


class InvoiceFactory(Base):
    """An invoice row as the engine would leave it; use the services to move it through states."""

    class Meta:
        model = Invoice

    account = factory.SubFactory(AccountFactory)
    customer_id = factory.SelfAttribute("account.customer_id")
    organization_id = factory.SelfAttribute("account.customer.organization_id")
    currency = factory.SelfAttribute("account.currency")
    state = "New"
    invoice_type = "Manual"
    start_date = PERIOD_START
    end_date = PERIOD_END
    reference = factory.Sequence(str)


class BillingRunFactory(Base):
    """A billing run that is done; counts, failures and anomalies as the model's defaults unless given."""

    class Meta:
        model = BillingRun

    run_at = dt.datetime(2026, 6, 2, tzinfo=UTC)
    status = "done"
    created_by = "boss@telco.example"


class AdminUserFactory(Base):
    class Meta:
        model = AdminUser

    email = factory.Sequence(lambda n: f"admin{n}@telco.example")
    name = factory.Sequence(lambda n: f"Admin {n}")
    level = 5
    password_hash = _PASSWORD_HASH


class CustomerUserFactory(Base):
    class Meta:
        model = CustomerUser

    customer = factory.SubFactory(CustomerFactory)
    email = factory.Sequence(lambda n: f"user{n}@customer.example")
    name = factory.Sequence(lambda n: f"User {n}")
    password_hash = _PASSWORD_HASH
    # Given accounts limit the user to them, as the user services do.
    limited_to_accounts = factory.LazyAttribute(lambda o: bool(getattr(o, "accounts", None)))


def calls_to_germany(account, calls, *, price: str, rate: str) -> None:
    """Successful calls of `account` to Vodafone DE, one an hour from PERIOD_START: `calls` gives each call's
    destination prefix and its seconds; every call costs `price` at `rate` a minute."""
    germany = CountryFactory(iso2="DE", name="Germany")
    network = NetworkFactory(name="Vodafone DE", country=germany)
    for n, (prefix, seconds) in enumerate(calls):
        CdrFactory(
            customer_acc_id=account.id,
            time_start=PERIOD_START + dt.timedelta(hours=n + 1),
            dst_prefix=prefix,
            network=network,
            customer_price=Decimal(price),
            destination_rate=Decimal(rate),
            customer_duration=seconds,
            duration=seconds,
        )
