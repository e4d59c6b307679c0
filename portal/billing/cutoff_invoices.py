"""Creating a customer's invoice up to a cut-off date (backend API): which account, which period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from portal.billing.invoices import create_invoice
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.dates import local_date, local_midnight
from portal.foundations.errors import ErrorCode, FieldError, NotFound, ValidationFailed
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import Account, Cdr, Customer, Invoice, Transaction

SEVERAL_ACCOUNTS = "can't be blank: the customer has several accounts"
NO_START = "can't be blank: the account has no earlier invoice, call or transaction before the cut-off date"


class MissingParameter(ValidationFailed):
    """A parameter the caller must give in this situation was not given."""

    code = ErrorCode.MISSING_PARAMETER


def get_customer(customer_id, *, actor: Actor = SYSTEM) -> Customer:
    """The customer with this id, or NotFound (also for a customer actor asking for another customer)."""
    require(actor, "invoice.read")
    try:
        customer = db.session.get(Customer, int(customer_id))
    except (TypeError, ValueError):
        customer = None
    if customer is None or (actor.kind == "customer" and actor.customer_id != customer.id):
        raise NotFound(f"The record identified by {customer_id} could not be found.")
    return customer


def customer_account(customer: Customer, account_id) -> Account:
    """The account an invoice is for: the one given, or the customer's only account.

    Raises MissingParameter when none is given and the customer has several (or no) accounts,
    ValidationFailed when the given account is not one of the customer's.
    """
    if account_id in (None, ""):
        accounts = customer.accounts
        if len(accounts) == 1:
            return accounts[0]
        raise MissingParameter([FieldError("account", SEVERAL_ACCOUNTS if accounts else "can't be blank")])
    try:
        account = db.session.get(Account, int(account_id))
    except (TypeError, ValueError, OverflowError):
        account = None
    if account is None or account.customer_id != customer.id:
        raise ValidationFailed.single("account", "is not an account of this customer")
    return account


def default_cutoff(account: Account, now: dt.datetime | None = None) -> dt.date:
    """The first day of the current month in the account's time zone."""
    return local_date(now or utcnow(), account.timezone).replace(day=1)


def period_start(account: Account, end: dt.datetime) -> dt.datetime:
    """Where an invoice ending at `end` starts: the end of the account's last invoice before it,
    else local midnight of the day of its first call (either side) or transaction.

    Raises MissingParameter when there is nothing to start from, ValidationFailed when the
    account is already invoiced up to `end`.
    """
    last_end = db.session.scalar(
        select(func.max(Invoice.end_date)).where(Invoice.account_id == account.id, Invoice.end_date <= end)
    )
    if last_end is not None:
        if last_end.tzinfo is None:
            last_end = last_end.replace(tzinfo=dt.timezone.utc)
        if last_end >= end:
            raise ValidationFailed.single("cutoffDate", "the account is already invoiced up to this date")
        return last_end
    firsts = [
        db.session.scalar(select(func.min(Cdr.time_start)).where(Cdr.customer_acc_id == account.id)),
        db.session.scalar(select(func.min(Cdr.time_start)).where(Cdr.vendor_acc_id == account.id)),
        db.session.scalar(select(func.min(Transaction.created_at)).where(Transaction.account_id == account.id)),
    ]
    firsts = [f if f.tzinfo else f.replace(tzinfo=dt.timezone.utc) for f in firsts if f is not None]
    if not firsts or min(firsts) >= end:
        raise MissingParameter([FieldError("startDate", NO_START)])
    return local_midnight(local_date(min(firsts), account.timezone), account.timezone)


def create_customer_invoice(
    customer: Customer,
    *,
    account_id=None,
    start_date=None,
    end_date=None,
    cutoff_date: dt.date | None = None,
    transaction_cutoff_date: dt.date | None = None,
    include_transaction_ids: list[int] | None = None,
    fields: dict | None = None,
    actor: Actor = SYSTEM,
    now: dt.datetime | None = None,
) -> Invoice:
    """Create an invoice for one of the customer's accounts, up to a cut-off date.

    With `start_date` and `end_date` the period is exactly [start, end). Otherwise the period
    ends at local midnight of `cutoff_date` (default: the first day of the current month in the
    account's zone) and starts where the account's last invoice ended, or at the first call or
    transaction of the account. `cutoff_date` is stored on the invoice either way.

    Raises:
        MissingParameter: no account given for a customer with several accounts, only one of
            start/end given, or no start can be determined.
        ValidationFailed: any create_invoice error (overlap, future end, manual invoicing off …).
        PermissionDenied: the actor may not create invoices.
    """
    require(actor, "invoice.create")
    account = customer_account(customer, account_id)
    if (start_date is None) != (end_date is None):
        missing = "endDate" if end_date is None else "startDate"
        raise MissingParameter([FieldError(missing, "can't be blank when the other period bound is given")])
    if cutoff_date is None:
        cutoff_date = default_cutoff(account, now)
    if start_date is None:
        end_date = local_midnight(cutoff_date, account.timezone)
        start_date = period_start(account, end_date)
    return create_invoice(
        account_id=account,
        start_date=start_date,
        end_date=end_date,
        actor=actor,
        now=now,
        cutoff_date=cutoff_date,
        transaction_cutoff_date=transaction_cutoff_date,
        include_transaction_ids=include_transaction_ids,
        **(fields or {}),
    )
