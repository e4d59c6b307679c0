"""Customer, contact, account and discount plan services: every rule and its error message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.customers.accounts import (
    add_discount_plan,
    create_account,
    delete_account,
    set_discount_plan_active,
    update_account,
)
from portal.customers.customers import add_contact, create_customer, delete_customer, update_customer
from portal.foundations.errors import InvalidState, ValidationFailed
from portal.foundations.permissions import Actor
from portal.models import Account, AuditEvent, BillStyle, Contact, Customer, CustomerUser
from tests.factories import (
    AccountFactory,
    ContactFactory,
    CustomerFactory,
    CustomerUserFactory,
    InvoiceFactory,
    TransactionFactory,
)

UTC = dt.timezone.utc
ADMIN = Actor("boss@telco.example", kind="admin", level=5, id=1)


def messages(exc_info) -> set[str]:
    return {str(e) for e in exc_info.value.errors}


# Customers -----------------------------------------------------------------------------------


# Each field of a new customer: (as given, as stored). Names are trimmed, codes upper-cased, e-mail lower-cased.
ACME = {
    "name": (" Acme Telecom ", "Acme Telecom"),
    "address": ("1 Road", "1 Road"),
    "country_code": ("de", "DE"),
    "vat_number": ("de123456789", "DE123456789"),
    "reverse_charge": (True, True),
    "email": ("AP@Acme.example", "ap@acme.example"),
    "phone": ("+49 30 123", "+49 30 123"),
    "payment_method": ("Direct debit", "Direct debit"),
}


def test_create_customer_stores_every_field_and_records_who(session):
    customer = create_customer(actor=ADMIN, **{field: given for field, (given, _) in ACME.items()})
    assert {field: getattr(customer, field) for field in ACME} == {field: stored for field, (_, stored) in ACME.items()}
    assert customer.organization is not None
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "customer.created")).one()
    assert event.actor == "boss@telco.example" and event.subject_id == customer.id


def test_create_customer_without_a_name_is_refused(session):
    with pytest.raises(ValidationFailed) as exc:
        create_customer(actor=ADMIN, name="  ")
    assert messages(exc) == {"name - can't be blank"}
    assert session.scalar(select(Customer.id)) is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"country_code": "XX"}, "country - is not an ISO 3166 country code"),
        ({"country_code": "DEU"}, "country - is too long (maximum is 2 characters)"),
        ({"email": "not-an-address"}, "email - is invalid"),
        ({"vat_number": "DE<script>"}, "vat-number - may only contain letters, digits, spaces, dots and dashes"),
        ({"reverse_charge": True}, "vat-number - can't be blank when reverse charge applies"),
        (
            {"payment_method": "Bitcoin"},
            "payment-method - must be one of Bank transfer, Direct debit, Card, Cheque, Other",
        ),
        ({"phone": "call me"}, "phone - is invalid"),
        ({"name": "x" * 201}, "name - is too long (maximum is 200 characters)"),
        ({"colour": "red"}, "colour - is not allowed"),
    ],
)
def test_create_customer_refuses_bad_fields(session, fields, message):
    fields.setdefault("name", "Acme")
    with pytest.raises(ValidationFailed) as exc:
        create_customer(actor=ADMIN, **fields)
    assert message in messages(exc)


def test_update_customer_changes_only_given_fields_and_keeps_reverse_charge_rule(session):
    customer = CustomerFactory(vat_number="DE1", reverse_charge=True)
    update_customer(customer, actor=ADMIN, phone="+49 1")
    assert customer.vat_number == "DE1" and customer.phone == "+49 1"
    with pytest.raises(ValidationFailed) as exc:
        update_customer(customer, actor=ADMIN, vat_number="")
    assert messages(exc) == {"vat-number - can't be blank when reverse charge applies"}


def test_delete_customer_with_invoices_is_refused_with_a_clear_message(session):
    invoice = InvoiceFactory()
    customer = invoice.account.customer
    with pytest.raises(InvalidState, match=f"Customer {customer.name} can't be deleted: it has invoices"):
        delete_customer(customer, actor=ADMIN)
    assert session.get(Customer, customer.id) is not None


def test_delete_customer_with_transactions_is_refused(session):
    transaction = TransactionFactory()
    with pytest.raises(InvalidState, match="it has transactions"):
        delete_customer(transaction.account.customer, actor=ADMIN)


def test_delete_customer_without_invoices_removes_accounts_contacts_and_users(session):
    customer = CustomerFactory()
    account = AccountFactory(customer=customer)
    contact = ContactFactory(customer=customer)
    account.invoice_contacts = [contact]
    user = CustomerUserFactory(customer=customer, accounts=[account])
    session.commit()
    ids = (customer.id, account.id, contact.id, user.id)
    delete_customer(customer, actor=ADMIN)
    session.commit()
    assert session.get(Customer, ids[0]) is None and session.get(Account, ids[1]) is None
    assert session.get(Contact, ids[2]) is None and session.get(CustomerUser, ids[3]) is None


def test_add_contact_validates_the_address_and_refuses_duplicates(session):
    customer = CustomerFactory()
    contact = add_contact(customer, email="Billing@Acme.example", name="Billing", actor=ADMIN)
    assert contact.email == "billing@acme.example"
    with pytest.raises(ValidationFailed) as exc:
        add_contact(customer, email="billing@acme.example", actor=ADMIN)
    assert messages(exc) == {"email - is already a contact of this customer"}
    with pytest.raises(ValidationFailed) as exc:
        add_contact(customer, email="", actor=ADMIN)
    assert messages(exc) == {"email - can't be blank"}


# Accounts ------------------------------------------------------------------------------------


def _account(customer, **overrides):
    fields = dict(name="Wholesale", currency="EUR", timezone="Europe/Berlin", vat_rate="19", payment_terms_days="14")
    fields.update(overrides)
    return create_account(customer, actor=ADMIN, **fields)


def test_create_account_stores_settings(session):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)
    account = _account(
        customer,
        currency="usd",
        invoice_ref_template="TEL-$id",
        invoice_contact_ids=[contact.id],
        delivery_mode="post",
        bill_style="Summary",
        max_call_duration="3600",
    )
    assert (account.currency, account.timezone, account.vat_rate, account.payment_terms_days) == (
        "USD",
        "Europe/Berlin",
        Decimal("19"),
        14,
    )
    assert account.invoice_contacts == [contact]
    assert (account.invoice_ref_template, account.delivery_mode, account.bill_style, account.max_call_duration) == (
        "TEL-$id",
        "post",
        "Summary",
        3600,
    )
    assert account.invoice_period is None and account.next_invoice_at is None


def test_create_account_without_required_fields_lists_each_one(session):
    with pytest.raises(ValidationFailed) as exc:
        create_account(CustomerFactory(), actor=ADMIN)
    assert messages(exc) == {"name - can't be blank", "currency - can't be blank", "timezone - can't be blank"}


# Values an account refuses, by field: value -> the message, which names the field as the API does.
BAD_ACCOUNT_VALUES = {
    "currency": {
        "EURO": "currency - is too long (maximum is 3 characters)",
        "ZZZ": "currency - is not an ISO 4217 currency code",
    },
    "timezone": {"Mars/Olympus": "timezone - is not an IANA time zone"},
    "vat_rate": {
        "100.5": "vat-rate - must be between 0 and 100",
        "-1": "vat-rate - must be between 0 and 100",
        "twenty": "vat-rate - is not a number",
        "NaN": "vat-rate - must be between 0 and 100",
    },
    "payment_terms_days": {
        "-1": "payment-terms - must be between 0 and 3650",
        "1.5": "payment-terms - is not a whole number",
    },
    "invoice_period": {
        "Yearly": "invoice-period - must be one of Daily, Weekly, BiWeekly, Monthly, "
        "BiWeekly. Split by new month, Weekly. Split by new month, SemiMonthly or none"
    },
    "invoice_ref_template": {
        "INV-{id}": "reference-template - may contain letters, digits, spaces, _ - / . # and the $id placeholder",
        "INV": "reference-template - must contain the $id placeholder",
    },
    "delivery_mode": {"fax": "delivery-mode - must be one of email, post, online"},
    "bill_style": {"Fancy": "bill-style - does not exist"},
    "max_call_duration": {"0": "max-call-duration - must be between 1 and 86400"},
    "billing_increment": {
        "60": "billing-increment - must be first/next seconds from 1 to 3600, e.g. 60/60",
        "0/60": "billing-increment - must be first/next seconds from 1 to 3600, e.g. 60/60",
        "60/3601": "billing-increment - must be first/next seconds from 1 to 3600, e.g. 60/60",
    },
}


@pytest.mark.parametrize(
    "field, value, message",
    [(field, value, message) for field, refused in BAD_ACCOUNT_VALUES.items() for value, message in refused.items()],
)
def test_create_account_refuses_bad_values(session, field, value, message):
    with pytest.raises(ValidationFailed) as exc:
        _account(CustomerFactory(), **{field: value})
    assert message in messages(exc)


def test_vat_rate_bounds_are_inclusive(session):
    customer = CustomerFactory()
    assert _account(customer, vat_rate="0").vat_rate == 0
    assert _account(customer, vat_rate="100").vat_rate == 100


def test_invoice_contacts_must_belong_to_the_same_customer(session):
    customer, other = CustomerFactory(), CustomerFactory()
    theirs = ContactFactory(customer=other)
    with pytest.raises(ValidationFailed) as exc:
        _account(customer, invoice_contact_ids=[theirs.id])
    assert messages(exc) == {"invoice-contacts - must be contacts of the account's customer"}


def test_a_bill_style_created_by_admins_can_be_chosen(session):
    session.add(BillStyle(name="Branded", layout="full"))
    session.flush()
    assert _account(CustomerFactory(), bill_style="Branded").bill_style == "Branded"


def test_setting_an_invoice_period_schedules_the_next_invoice_and_clearing_it_stops(session):
    account = _account(
        CustomerFactory(), timezone="UTC", invoice_period="Monthly", now=dt.datetime(2026, 5, 10, tzinfo=UTC)
    )
    assert account.invoice_period == "Monthly"
    assert account.next_invoice_at == dt.datetime(2026, 6, 1, tzinfo=UTC)
    update_account(account, actor=ADMIN, invoice_period="", now=dt.datetime(2026, 5, 11, tzinfo=UTC))
    assert account.invoice_period is None and account.next_invoice_at is None


def test_changing_the_time_zone_moves_the_next_invoice_to_local_midnight(session):
    account = _account(
        CustomerFactory(), timezone="UTC", invoice_period="Monthly", now=dt.datetime(2026, 5, 10, tzinfo=UTC)
    )
    update_account(account, actor=ADMIN, timezone="Europe/Berlin", now=dt.datetime(2026, 5, 11, tzinfo=UTC))
    assert account.timezone == "Europe/Berlin"
    assert account.next_invoice_at == dt.datetime(2026, 5, 31, 22, tzinfo=UTC)


def test_currency_is_fixed_once_the_account_has_invoices(session):
    invoice = InvoiceFactory()
    with pytest.raises(ValidationFailed) as exc:
        update_account(invoice.account, actor=ADMIN, currency="USD")
    assert messages(exc) == {"currency - can't change once the account has invoices"}


def test_delete_account_with_invoices_is_refused_and_without_works(session):
    invoice = InvoiceFactory()
    with pytest.raises(InvalidState, match="can't be deleted: it has invoices"):
        delete_account(invoice.account, actor=ADMIN)
    empty = AccountFactory()
    account_id = empty.id
    delete_account(empty, actor=ADMIN)
    assert session.get(Account, account_id) is None


# Discount plans ------------------------------------------------------------------------------


def test_add_percentage_and_free_minutes_plans(session):
    account = AccountFactory()
    plan = add_discount_plan(
        account, name="Mobile", kind="percentage", prefixes="49, 4915,49", percent="12.5", actor=ADMIN
    )
    assert (plan.prefixes, plan.percent, plan.free_minutes) == ("49,4915", Decimal("12.5"), None)
    minutes = add_discount_plan(
        account, name="Bundle", kind="free_minutes", prefixes="44", free_minutes="100", actor=ADMIN
    )
    assert minutes.free_minutes == 100 and minutes.percent is None
    set_discount_plan_active(minutes, False, actor=ADMIN)
    assert minutes.active is False


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"kind": "percentage", "percent": "0"}, "percent - must be more than 0 and at most 100"),
        ({"kind": "percentage", "percent": "101"}, "percent - must be more than 0 and at most 100"),
        ({"kind": "percentage", "percent": ""}, "percent - can't be blank"),
        (
            {"kind": "percentage", "percent": "10", "free_minutes": "5"},
            "free-minutes - must be blank for a percentage plan",
        ),
        ({"kind": "free_minutes", "free_minutes": "0"}, "free-minutes - must be between 1 and 10000000"),
        ({"kind": "free_minutes", "free_minutes": ""}, "free-minutes - can't be blank"),
        (
            {"kind": "free_minutes", "free_minutes": "10", "percent": "5"},
            "percent - must be blank for a free minutes plan",
        ),
        ({"kind": "cashback", "percent": "5"}, "kind - must be percentage or free_minutes"),
        (
            {"kind": "percentage", "percent": "5", "prefixes": "49,+44"},
            "prefixes - must be digits only, separated by commas (bad: +44)",
        ),
        ({"kind": "percentage", "percent": "5", "prefixes": " , "}, "prefixes - can't be blank"),
    ],
)
def test_discount_plan_validation(session, fields, message):
    fields.setdefault("prefixes", "49")
    with pytest.raises(ValidationFailed) as exc:
        add_discount_plan(AccountFactory(), name="Plan", actor=ADMIN, **fields)
    assert message in messages(exc)
