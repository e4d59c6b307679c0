"""Accounts of a customer (currency, time zone, VAT, terms, invoice period, delivery …) and their discount plans.

Every function adds and flushes; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import list_currencies
from sqlalchemy import exists, select

from portal.audit import add_recorded, delete_recorded, record_event
from portal.billing.schedule import set_account_timezone, set_invoice_period
from portal.billing.traffic import parse_increment
from portal.customers.customers import account_delete_blockers, clean_text, get_row
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import FieldError, InvalidState, ValidationFailed
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import INVOICE_PERIODS, Account, BillStyle, Contact, Customer, DiscountPlan, Invoice
from portal.models.account import DELIVERY_MODES

BUILTIN_BILL_STYLES = ("Full", "Summary")
ACCOUNT_FIELDS = (
    "name",
    "currency",
    "timezone",
    "vat_rate",
    "payment_terms_days",
    "invoice_period",
    "invoice_ref_template",
    "invoice_contact_ids",
    "delivery_mode",
    "bill_style",
    "max_call_duration",
    "billing_increment",
)
# Letters, digits and a few separators; `$` only as part of the `$id` placeholder.
_REFERENCE = re.compile(r"^(?:[A-Za-z0-9 _\-/.#]|\$id)+$")
_PREFIX = re.compile(r"^[0-9]{1,32}$")
MAX_PAYMENT_TERMS = 3650
MAX_CALL_DURATION = 86400
DISCOUNT_KINDS = ("percentage", "free_minutes")


def get_account(account_id) -> Account:
    """The account with this id, or NotFound."""
    return get_row(Account, account_id, "account")


def get_discount_plan(plan_id) -> DiscountPlan:
    return get_row(DiscountPlan, plan_id, "discount plan")


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes Babel knows."""
    return frozenset(list_currencies())


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """IANA time zone names, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def bill_style_names() -> list[str]:
    """The built-in styles (Full, Summary) followed by the named styles admins created."""
    custom = db.session.scalars(select(BillStyle.name).order_by(BillStyle.name))
    return list(BUILTIN_BILL_STYLES) + [n for n in custom if n not in BUILTIN_BILL_STYLES]


def _integer(value, field: str, errors: list[FieldError], *, low: int, high: int, blank_ok: bool) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if not blank_ok:
            errors.append(FieldError(field, "can't be blank"))
        return None
    if isinstance(value, bool):
        errors.append(FieldError(field, "is not a number"))
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.append(FieldError(field, "is not a whole number"))
        return None
    if not low <= number <= high:
        errors.append(FieldError(field, f"must be between {low} and {high}"))
    return number


def _account_values(customer: Customer, data: dict, errors: list[FieldError]) -> dict:
    """Check the account fields present in `data`; returns the cleaned values."""
    unknown = set(data) - set(ACCOUNT_FIELDS)
    errors.extend(FieldError(name.replace("_", "-"), "is not allowed") for name in sorted(unknown))
    values: dict = {}
    if "name" in data:
        values["name"] = clean_text(data["name"], "name", 200, errors, required=True)
    if "currency" in data:
        code = (clean_text(data["currency"], "currency", 3, errors, required=True) or "").upper()
        if code and code not in currency_codes():
            errors.append(FieldError("currency", "is not an ISO 4217 currency code"))
        values["currency"] = code
    if "timezone" in data:
        name = clean_text(data["timezone"], "timezone", 64, errors, required=True)
        if name and name not in timezone_names():
            errors.append(FieldError("timezone", "is not an IANA time zone"))
        values["timezone"] = name
    if "vat_rate" in data:
        values["vat_rate"] = _vat_rate(data["vat_rate"], errors)
    if "payment_terms_days" in data:
        values["payment_terms_days"] = _integer(
            data["payment_terms_days"], "payment-terms", errors, low=0, high=MAX_PAYMENT_TERMS, blank_ok=False
        )
    if "invoice_period" in data:
        period = data["invoice_period"] or None
        if period is not None and period not in INVOICE_PERIODS:
            errors.append(FieldError("invoice-period", "must be one of " + ", ".join(INVOICE_PERIODS) + " or none"))
        values["invoice_period"] = period
    if "invoice_ref_template" in data:
        template = clean_text(data["invoice_ref_template"], "reference-template", 60, errors) or "$id"
        if not _REFERENCE.match(template):
            errors.append(
                FieldError(
                    "reference-template", "may contain letters, digits, spaces, _ - / . # and the $id placeholder"
                )
            )
        elif "$id" not in template:
            errors.append(FieldError("reference-template", "must contain the $id placeholder"))
        values["invoice_ref_template"] = template
    if "invoice_contact_ids" in data:
        values["invoice_contacts"] = _contacts(customer, data["invoice_contact_ids"], errors)
    if "delivery_mode" in data:
        mode = data["delivery_mode"] or "email"
        if mode not in DELIVERY_MODES:
            errors.append(FieldError("delivery-mode", "must be one of " + ", ".join(DELIVERY_MODES)))
        values["delivery_mode"] = mode
    if "bill_style" in data:
        style = data["bill_style"] or "Full"
        if style not in bill_style_names():
            errors.append(FieldError("bill-style", "does not exist"))
        values["bill_style"] = style
    if "max_call_duration" in data:
        values["max_call_duration"] = _integer(
            data["max_call_duration"], "max-call-duration", errors, low=1, high=MAX_CALL_DURATION, blank_ok=True
        )
    if "billing_increment" in data:
        try:
            first_next = parse_increment(data["billing_increment"])
            values["billing_increment_first"], values["billing_increment_next"] = first_next
        except ValueError as exc:
            errors.append(FieldError("billing-increment", str(exc)))
    return values


def _vat_rate(value, errors: list[FieldError]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(FieldError("vat-rate", "can't be blank"))
        return None
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(FieldError("vat-rate", "is not a number"))
        return None
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(100):
        errors.append(FieldError("vat-rate", "must be between 0 and 100"))
        return None
    if rate != rate.quantize(Decimal("0.0001")):
        errors.append(FieldError("vat-rate", "has more than 4 decimal places"))
    return rate


def _contacts(customer: Customer, ids, errors: list[FieldError]) -> list[Contact]:
    try:
        wanted = {int(i) for i in (ids or [])}
    except (TypeError, ValueError):
        errors.append(FieldError("invoice-contacts", "is invalid"))
        return []
    if not wanted:
        return []
    contacts = list(
        db.session.scalars(
            select(Contact).where(Contact.id.in_(wanted), Contact.customer_id == customer.id).order_by(Contact.id)
        )
    )
    if len(contacts) != len(wanted):
        errors.append(FieldError("invoice-contacts", "must be contacts of the account's customer"))
    return contacts


def create_account(customer: Customer, *, actor: Actor = SYSTEM, now: dt.datetime | None = None, **fields) -> Account:
    """Create an account of `customer`.

    Args:
        fields: `name` (required), `currency` (ISO 4217, required), `timezone` (IANA, required),
            `vat_rate` (0–100), `payment_terms_days` (0–3650), `invoice_period` (one of
            INVOICE_PERIODS or None for manual invoicing), `invoice_ref_template` (with `$id`),
            `invoice_contact_ids` (contacts of the same customer), `delivery_mode`,
            `bill_style` (Full, Summary or a BillStyle name), `max_call_duration` (seconds or None),
            `billing_increment` ("first/next" seconds, e.g. "60/60"; blank: 1/1).
        now: the current moment, from which the first `next_invoice_at` is computed.

    Returns the flushed Account.

    Raises:
        ValidationFailed: one FieldError per bad field.
        PermissionDenied: below level 4 (`account.write`).
    """
    require(actor, "account.write")
    errors: list[FieldError] = []
    for required in ("name", "currency", "timezone"):
        fields.setdefault(required, None)
    fields.setdefault("vat_rate", "0")
    fields.setdefault("payment_terms_days", 30)
    values = _account_values(customer, fields, errors)
    if errors:
        raise ValidationFailed(errors)
    period = values.pop("invoice_period", None)
    account = Account(customer=customer, **values)
    add_recorded(
        actor, "account.created", account, customer_id=customer.id, name=account.name, currency=account.currency
    )
    if period:
        # The schedule owns next_invoice_at: the end of the current period in the account's zone.
        set_invoice_period(account, period, actor=actor, now=now or utcnow())
    db.session.flush()
    return account


def update_account(account: Account, *, actor: Actor = SYSTEM, now: dt.datetime | None = None, **fields) -> Account:
    """Change any of the fields `create_account` takes; absent fields stay as they are.

    The currency is fixed once the account has invoices (their amounts are in it). Changing the
    invoice period recomputes `next_invoice_at` from `now`.

    Raises ValidationFailed (same rules as create, plus the currency rule) and PermissionDenied.
    """
    require(actor, "account.write")
    errors: list[FieldError] = []
    values = _account_values(account.customer, fields, errors)
    if (
        "currency" in values
        and values["currency"] != account.currency
        and account.id is not None
        and db.session.scalar(select(exists().where(Invoice.account_id == account.id)))
    ):
        errors.append(FieldError("currency", "can't change once the account has invoices"))
    if errors:
        raise ValidationFailed(errors)
    period_given = "invoice_period" in values
    period = values.pop("invoice_period", None)
    timezone = values.pop("timezone", account.timezone)
    now = now or utcnow()
    changed = []
    for key, value in values.items():
        if getattr(account, key) != value:
            setattr(account, key, value)
            changed.append(key)
    if timezone != account.timezone:
        # Moves next_invoice_at to the period end in the new zone without skipping traffic.
        set_account_timezone(account, timezone, actor=actor, now=now)
        changed.append("timezone")
    if period_given and period != account.invoice_period:
        set_invoice_period(account, period, actor=actor, now=now)
        changed.append("invoice_period")
    db.session.flush()
    if changed:
        record_event(actor, "account.updated", account, fields=sorted(changed))
    return account


def delete_account(account: Account, *, actor: Actor = SYSTEM) -> None:
    """Delete an account that never had invoices, traffic, transactions or services.

    Raises InvalidState (what it has) and PermissionDenied (below level 4).
    """
    require(actor, "account.write")
    blockers = account_delete_blockers([account.id])
    if blockers:
        raise InvalidState(f"Account {account.name} can't be deleted: it has {' and '.join(blockers)}.")
    delete_recorded(actor, "account.deleted", account, customer_id=account.customer_id, name=account.name)


def _prefixes(value, errors: list[FieldError]) -> str | None:
    items = [p.strip() for p in str(value or "").replace(";", ",").split(",") if p.strip()]
    if not items:
        errors.append(FieldError("prefixes", "can't be blank"))
        return None
    bad = [p for p in items if not _PREFIX.match(p)]
    if bad:
        errors.append(
            FieldError("prefixes", "must be digits only, separated by commas (bad: " + ", ".join(bad[:5])[:100] + ")")
        )
        return None
    joined = ",".join(dict.fromkeys(items))
    if len(joined) > 500:
        errors.append(FieldError("prefixes", "are too long (maximum is 500 characters)"))
    return joined


def add_discount_plan(
    account: Account,
    *,
    name,
    kind,
    prefixes,
    percent=None,
    free_minutes=None,
    active: bool = True,
    actor: Actor = SYSTEM,
) -> DiscountPlan:
    """Add a discount plan to an account (used by fills from now on; see `reapply_discount_plans`).

    Args:
        kind: `percentage` (needs `percent`, more than 0 and at most 100) or `free_minutes`
            (needs `free_minutes`, a whole number of minutes per invoice period, at least 1).
        prefixes: destination prefixes (digits) separated by commas.

    Raises ValidationFailed (a field per problem) and PermissionDenied (below level 4).
    """
    require(actor, "account.write")
    errors: list[FieldError] = []
    clean_name = clean_text(name, "name", 100, errors, required=True)
    if kind not in DISCOUNT_KINDS:
        errors.append(FieldError("kind", "must be percentage or free_minutes"))
    clean_prefixes = _prefixes(prefixes, errors)
    clean_percent = clean_minutes = None
    blank = lambda v: v is None or (isinstance(v, str) and not v.strip())  # noqa: E731 - a one-line helper used right below
    if kind == "percentage":
        if not blank(free_minutes):
            errors.append(FieldError("free-minutes", "must be blank for a percentage plan"))
        if blank(percent):
            errors.append(FieldError("percent", "can't be blank"))
        else:
            try:
                clean_percent = Decimal(str(percent).strip())
                if not clean_percent.is_finite() or not Decimal(0) < clean_percent <= Decimal(100):
                    errors.append(FieldError("percent", "must be more than 0 and at most 100"))
            except InvalidOperation:
                errors.append(FieldError("percent", "is not a number"))
    elif kind == "free_minutes":
        if not blank(percent):
            errors.append(FieldError("percent", "must be blank for a free minutes plan"))
        clean_minutes = _integer(free_minutes, "free-minutes", errors, low=1, high=10_000_000, blank_ok=False)
    if errors:
        raise ValidationFailed(errors)
    plan = DiscountPlan(
        account=account,
        name=clean_name,
        kind=kind,
        prefixes=clean_prefixes,
        percent=clean_percent,
        free_minutes=clean_minutes,
        active=bool(active),
    )
    return add_recorded(
        actor,
        "discount_plan.created",
        plan,
        account_id=account.id,
        kind=kind,
        prefixes=clean_prefixes,
        percent=clean_percent,
        free_minutes=clean_minutes,
    )


def set_discount_plan_active(plan: DiscountPlan, active: bool, *, actor: Actor = SYSTEM) -> DiscountPlan:
    """Switch a plan on or off without losing it. Raises PermissionDenied (below level 4)."""
    require(actor, "account.write")
    if plan.active != bool(active):
        plan.active = bool(active)
        record_event(
            actor,
            "discount_plan.activated" if active else "discount_plan.deactivated",
            plan,
            account_id=plan.account_id,
        )
    db.session.flush()
    return plan


def delete_discount_plan(plan: DiscountPlan, *, actor: Actor = SYSTEM) -> None:
    """Remove a plan; invoices already filled keep their discount. Raises PermissionDenied (below level 4)."""
    require(actor, "account.write")
    delete_recorded(actor, "discount_plan.deleted", plan, account_id=plan.account_id, name=plan.name)
