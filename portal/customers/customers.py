"""Customers and their contacts: create, edit and delete, with every rule the admin area and APIs share.

Accounts (the invoicing settings of a customer) live in `portal.customers.accounts`.
Every function adds and flushes; the caller commits.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import selectinload

from portal.audit import add_recorded, delete_recorded, record_event
from portal.auth.rules import end_customer_sessions
from portal.extensions import db
from portal.foundations.errors import FieldError, InvalidState, NotFound, ValidationFailed
from portal.foundations.i18n import DEFAULT_LANGUAGE, LANGUAGES
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.foundations.text import SINGLE_LINE_MESSAGE, is_single_line
from portal.models import (
    DELIVERY_FORMATS,
    Account,
    ApiKey,
    Cdr,
    Contact,
    Customer,
    CustomerUser,
    Invoice,
    Organization,
    Service,
    Transaction,
)
from portal.models.rows import row_by_key

PAYMENT_METHODS = ("Bank transfer", "Direct debit", "Card", "Cheque", "Other")
CUSTOMER_FIELDS = (
    "name",
    "address",
    "country_code",
    "vat_number",
    "reverse_charge",
    "email",
    "phone",
    "payment_method",
    "language",
    "enabled",
    "buyer_reference",
    "delivery_format",
)
_VAT_NUMBER = re.compile(r"^[A-Za-z0-9 .\-]{2,64}$")
_PHONE = re.compile(r"^[0-9 +()./\-]{3,64}$")


def get_customer(customer_id) -> Customer:
    """The customer with this id, or NotFound."""
    return get_row(Customer, customer_id, "customer")


def get_contact(contact_id) -> Contact:
    """The contact with this id, or NotFound."""
    return get_row(Contact, contact_id, "contact")


def get_row(model, pk, label: str):
    """The row of `model` with primary key `pk` (any input), or NotFound naming `label`."""
    row = row_by_key(model, pk)
    if row is None:
        raise NotFound(f"No {label} with id {pk}.")
    return row


def country_names() -> dict[str, str]:
    """ISO 3166 two-letter codes with their English names (Babel's territory list)."""
    return {code: name for code, name in Locale("en").territories.items() if len(code) == 2 and code.isalpha()}


def normalize_email(value, field: str, errors: list[FieldError], *, required: bool) -> str | None:
    """A validated, lower-cased e-mail address; appends `field - is invalid` / `can't be blank` to errors."""
    text = (value or "").strip()
    if not text:
        if required:
            errors.append(FieldError(field, "can't be blank"))
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors.append(FieldError(field, "is invalid"))
        return None


def clean_text(
    value, field: str, limit: int, errors: list[FieldError], *, required: bool = False, multiline: bool = False
) -> str | None:
    """Stripped text or None when blank; appends `can't be blank`, `is too long`, `is invalid` or, unless
    `multiline`, SINGLE_LINE_MESSAGE to errors.

    Names, references and codes are single-line: they end up in e-mail subjects, file names and one-line
    cells, where a line break would split a header (the mail could not be sent) or the layout."""
    text = value.strip() if isinstance(value, str) else ("" if value is None else None)
    if text is None:
        errors.append(FieldError(field, "is invalid"))
        return None
    if not text:
        if required:
            errors.append(FieldError(field, "can't be blank"))
        return None
    if len(text) > limit:
        errors.append(FieldError(field, f"is too long (maximum is {limit} characters)"))
    elif not multiline and not is_single_line(text):
        errors.append(FieldError(field, SINGLE_LINE_MESSAGE))
        return None  # so the field's further checks add no second error
    return text


def _customer_values(data: dict, errors: list[FieldError]) -> dict:
    """Check the customer fields present in `data`; returns the cleaned values."""
    unknown = set(data) - set(CUSTOMER_FIELDS)
    errors.extend(FieldError(name.replace("_", "-"), "is not allowed") for name in sorted(unknown))
    values: dict = {}
    if "name" in data:
        values["name"] = clean_text(data["name"], "name", 200, errors, required=True)
    if "address" in data:
        values["address"] = clean_text(data["address"], "address", 2000, errors, multiline=True)
    if "country_code" in data:
        code = (clean_text(data["country_code"], "country", 2, errors) or "").upper() or None
        if code and code not in country_names():
            errors.append(FieldError("country", "is not an ISO 3166 country code"))
        values["country_code"] = code
    if "vat_number" in data:
        vat = clean_text(data["vat_number"], "vat-number", 64, errors)
        if vat and not _VAT_NUMBER.match(vat):
            errors.append(FieldError("vat-number", "may only contain letters, digits, spaces, dots and dashes"))
        values["vat_number"] = vat.upper() if vat else None
    if "reverse_charge" in data:
        values["reverse_charge"] = bool(data["reverse_charge"])
    if "email" in data:
        values["email"] = normalize_email(data["email"], "email", errors, required=False)
    if "phone" in data:
        phone = clean_text(data["phone"], "phone", 64, errors)
        if phone and not _PHONE.match(phone):
            errors.append(FieldError("phone", "is invalid"))
        values["phone"] = phone
    if "payment_method" in data:
        method = data["payment_method"] or "Bank transfer"
        if method not in PAYMENT_METHODS:
            errors.append(FieldError("payment-method", "must be one of " + ", ".join(PAYMENT_METHODS)))
        values["payment_method"] = method
    if "language" in data:
        language = data["language"] or DEFAULT_LANGUAGE
        if language not in LANGUAGES:
            errors.append(FieldError("language", "must be one of " + ", ".join(LANGUAGES)))
        values["language"] = language
    if "enabled" in data:
        values["enabled"] = bool(data["enabled"])
    if "buyer_reference" in data:
        values["buyer_reference"] = clean_text(data["buyer_reference"], "buyer-reference", 100, errors)
    if "delivery_format" in data:
        delivery_format = data["delivery_format"] or "pdf"
        if delivery_format not in DELIVERY_FORMATS:
            errors.append(FieldError("delivery-format", "must be one of " + ", ".join(DELIVERY_FORMATS)))
        values["delivery_format"] = delivery_format
    return values


def _check_reverse_charge(reverse_charge: bool, vat_number: str | None, errors: list[FieldError]) -> None:
    # Under reverse charge the customer accounts for the VAT, which needs its VAT number on the invoice.
    if reverse_charge and not vat_number:
        errors.append(FieldError("vat-number", "can't be blank when reverse charge applies"))


def default_organization() -> Organization:
    """The operator brand new customers belong to: the first organization (created on a fresh install)."""
    org = db.session.scalars(select(Organization).order_by(Organization.id)).first()
    if org is None:
        org = Organization(slug="default", name="Default")
        db.session.add(org)
        db.session.flush()
    return org


def create_customer(*, actor: Actor = SYSTEM, organization_id: int | None = None, **fields) -> Customer:
    """Create a customer.

    Args:
        fields: `name` (required), `address`, `country_code` (ISO 3166 alpha-2), `vat_number`,
            `reverse_charge`, `email`, `phone`, `payment_method` (one of PAYMENT_METHODS), `language` (one of
            portal.foundations.i18n.LANGUAGES: its pages, PDFs, e-mails and download pages; default English).
        organization_id: the owning organization; default the first one.

    Returns the flushed Customer.

    Raises:
        ValidationFailed: blank name, unknown country, bad VAT number or e-mail, reverse charge
            without a VAT number, unknown language, unknown organization, unknown fields.
        PermissionDenied: below level 4 (`customer.write`).
    """
    require(actor, "customer.write")
    errors: list[FieldError] = []
    fields.setdefault("name", None)
    values = _customer_values(fields, errors)
    _check_reverse_charge(values.get("reverse_charge", False), values.get("vat_number"), errors)
    org = db.session.get(Organization, organization_id) if organization_id else None
    if organization_id and org is None:
        errors.append(FieldError("organization", "does not exist"))
    if errors:
        raise ValidationFailed(errors)
    customer = Customer(organization=org or default_organization(), **values)
    return add_recorded(actor, "customer.created", customer, name=customer.name)


def update_customer(customer: Customer, *, actor: Actor = SYSTEM, **fields) -> Customer:
    """Change any of the fields `create_customer` takes (plus `enabled`); absent fields stay as they are.

    Disabling the customer ends every session, token and reset link of its users (portal.auth.rules).

    Raises ValidationFailed (same rules as create) and PermissionDenied (below level 4).
    """
    require(actor, "customer.write")
    errors: list[FieldError] = []
    values = _customer_values(fields, errors)
    _check_reverse_charge(
        values.get("reverse_charge", customer.reverse_charge), values.get("vat_number", customer.vat_number), errors
    )
    if errors:
        raise ValidationFailed(errors)
    changed = {k: v for k, v in values.items() if getattr(customer, k) != v}
    for key, value in changed.items():
        setattr(customer, key, value)
    db.session.flush()
    if changed.get("enabled") is False:
        # Its users' sessions, tokens and reset links end for good: enabling it again revives none.
        end_customer_sessions(customer.id)
    if changed:
        record_event(actor, "customer.updated", customer, fields=sorted(changed))
    return customer


def account_delete_blockers(account_ids: list[int]) -> list[str]:
    """Why these accounts cannot be deleted: their invoices, traffic, transactions or services."""
    if not account_ids:
        return []
    checks = (
        (Invoice, Invoice.account_id, "invoices"),
        (Cdr, Cdr.customer_acc_id, "call records"),
        (Cdr, Cdr.vendor_acc_id, "call records"),
        (Transaction, Transaction.account_id, "transactions"),
        (Service, Service.account_id, "services"),
    )
    found: list[str] = []
    for model, column, label in checks:
        if label not in found and db.session.scalar(select(exists().where(column.in_(account_ids)))):
            found.append(label)
    return found


def delete_customer(customer: Customer, *, actor: Actor = SYSTEM) -> None:
    """Delete a customer with its accounts, contacts and users, only while nothing was ever billed.

    Raises:
        InvalidState: the customer has invoices (or its accounts have traffic, transactions or
            services), or API keys that belong to it.
        PermissionDenied: below level 4.
    """
    require(actor, "customer.write")
    account_ids = [a.id for a in customer.accounts]
    blockers = account_delete_blockers(account_ids)
    if db.session.scalar(select(exists().where(Invoice.customer_id == customer.id))) and "invoices" not in blockers:
        blockers.insert(0, "invoices")
    if blockers:
        raise InvalidState(f"Customer {customer.name} can't be deleted: it has {' and '.join(blockers)}.")
    if db.session.scalar(select(func.count()).select_from(ApiKey).where(ApiKey.customer_id == customer.id)):
        raise InvalidState(f"Customer {customer.name} can't be deleted: API keys belong to it.")
    record_event(actor, "customer.deleted", customer, name=customer.name, accounts=account_ids)
    db.session.execute(delete(CustomerUser).where(CustomerUser.customer_id == customer.id))
    for account in list(customer.accounts):
        db.session.delete(account)
    db.session.delete(customer)
    db.session.flush()


def add_contact(customer: Customer, *, email, name=None, actor: Actor = SYSTEM) -> Contact:
    """Add an invoice contact (a person who may receive invoices) to a customer.

    Raises ValidationFailed (blank or invalid e-mail, the same e-mail twice, name too long) and
    PermissionDenied (below level 4).
    """
    require(actor, "customer.write")
    errors: list[FieldError] = []
    address = normalize_email(email, "email", errors, required=True)
    clean_name = clean_text(name, "name", 200, errors)
    if address and any(c.email == address for c in customer.contacts):
        errors.append(FieldError("email", "is already a contact of this customer"))
    if errors:
        raise ValidationFailed(errors)
    contact = Contact(customer=customer, email=address, name=clean_name)
    return add_recorded(actor, "contact.created", contact, customer_id=customer.id, email=address)


def delete_contact(contact: Contact, *, actor: Actor = SYSTEM) -> None:
    """Remove a contact; accounts stop sending invoices to it. Raises PermissionDenied (below level 4)."""
    require(actor, "customer.write")
    delete_recorded(actor, "contact.deleted", contact, customer_id=contact.customer_id, email=contact.email)


class CustomerPage(NamedTuple):
    customers: list[Customer]
    total: int  # exact when `exact`, else the count limit (there are more)
    exact: bool
    more: bool  # a next page exists


def list_customers(*, search: str | None = None, page: int = 1, per_page: int = 50, count_limit: int = 1_000):
    """One CustomerPage of the customers by name, optionally filtered by a name / e-mail / VAT number fragment.

    `page` and `per_page` are clamped to sane bounds. The count stops after `count_limit` + 1 matches, and
    the page is read along the (name, id) index: neither grows with the number of customers
    (bench/customers.py).
    """
    stmt = select(Customer.id)
    if search:
        like = f"%{search.strip().lower()[:100]}%"
        stmt = stmt.where(
            func.lower(Customer.name).like(like)
            | func.lower(Customer.email).like(like)
            | func.lower(Customer.vat_number).like(like)
        )
    found = db.session.scalar(select(func.count()).select_from(stmt.limit(count_limit + 1).subquery())) or 0
    per_page = max(1, min(int(per_page), 200))
    page = max(1, int(page))
    ids = stmt.order_by(Customer.name, Customer.id).limit(per_page + 1).offset((page - 1) * per_page).subquery()
    rows = list(
        db.session.scalars(
            select(Customer)
            .join(ids, ids.c.id == Customer.id)
            .options(selectinload(Customer.accounts))
            .order_by(Customer.name, Customer.id)
        )
    )
    return CustomerPage(rows[:per_page], min(found, count_limit), found <= count_limit, len(rows) > per_page)


def account_count(customer_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Account).where(Account.customer_id == customer_id))
