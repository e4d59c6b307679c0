"""An account's raised invoices in a date window, addressed by organization slug and account id (orgs API v2)."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from sqlalchemy import Select, select
from sqlalchemy.orm import with_expression

from portal.customers.scope import customer_invoice_conditions
from portal.documents.service import stored_pdf_exists
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.dates import local_date
from portal.foundations.errors import NotFound, ValidationFailed
from portal.foundations.ids import row_id
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import Account, Customer, Invoice, InvoiceState, Organization
from portal.reading.invoice_list import InvoiceListQuery

DEFAULT_WINDOW = relativedelta(months=12)
MAX_WINDOW = relativedelta(years=5)
# Dates the window may use: far enough either side of any invoice, and the window arithmetic
# (twelve months back, five years on) never leaves the calendar.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)


@dataclass(frozen=True)
class AccountInvoices:
    account: Account
    start: dt.date
    end: dt.date
    invoices: list[Invoice]


def account_invoices(
    org_slug: str,
    account_id,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    actor: Actor = SYSTEM,
    now: dt.datetime | None = None,
) -> AccountInvoices:
    """The account's raised invoices dated inside [start, end] (both inclusive), newest first.

    Defaults: `end` is today in the account's time zone, `start` twelve months before `end`.
    A customer actor reaches only its own customer's accounts; anything else is NotFound.
    A read and nothing else: each invoice comes with `has_stored_pdf` (from the same query);
    nothing is rendered, minted or recorded.

    Raises:
        NotFound: unknown organization, account not in it, or not visible to the actor.
        ValidationFailed: a date outside 1900-01-01..2999-12-31, start after end, or a window
            longer than five years.
        PermissionDenied: the actor may not read invoices.
    """
    require(actor, "invoice.read")
    for name, value in (("start_date", start), ("end_date", end)):
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValidationFailed.single(name, f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
    account = _find_account(org_slug, account_id, actor)
    end = end or local_date(now or utcnow(), account.timezone)
    start = start or end - DEFAULT_WINDOW
    if start > end:
        raise ValidationFailed.single("start_date", "must be on or before end_date")
    if start + MAX_WINDOW < end:
        raise ValidationFailed.single("start_date", "the window may span at most five years")
    query = InvoiceListQuery(
        conditions=[Invoice.invoice_date >= start, Invoice.invoice_date <= end],
        scope=_visible_conditions(actor, account),
        sort_key="invoiceDate",
        sort_column=Invoice.invoice_date,
        descending=True,
    )
    # The whole window, unpaged (at most five years of one account's invoices).
    stmt = query.statement().options(with_expression(Invoice.has_stored_pdf, stored_pdf_exists()))
    return AccountInvoices(account, start, end, list(db.session.scalars(stmt)))


def account_invoice(org_slug: str, account_id, invoice_uuid, *, actor: Actor = SYSTEM) -> Invoice:
    """One invoice the account's list can show (raised, visible to the actor), by UUID.

    Raises:
        NotFound: unknown organization, account or invoice, a malformed UUID, an invoice of
            another account, not raised yet, or not visible to the actor.
        PermissionDenied: the actor may not read invoices.
    """
    require(actor, "invoice.read")
    account = _find_account(org_slug, account_id, actor)
    try:
        key = uuid_mod.UUID(str(invoice_uuid))
    except ValueError:
        key = None
    invoice = (
        db.session.scalars(_visible_invoices(actor, account).where(Invoice.uuid == key)).first()
        if key is not None
        else None
    )
    if invoice is None:
        raise NotFound(f"Invoice {invoice_uuid} of account {account.id} could not be found.")
    return invoice


def _visible_conditions(actor: Actor, account: Account) -> list:
    if actor.kind == "customer":
        conditions = customer_invoice_conditions(actor.customer_id)
    else:
        conditions = [Invoice.state == InvoiceState.APPROVED]
    return [*conditions, Invoice.account_id == account.id]


def _visible_invoices(actor: Actor, account: Account) -> Select:
    return select(Invoice).where(*_visible_conditions(actor, account))


def _find_account(org_slug: str, account_id, actor: Actor) -> Account:
    pk = row_id(account_id)
    account = None
    if pk is not None:
        stmt = (
            select(Account)
            .join(Customer, Customer.id == Account.customer_id)
            .join(Organization, Organization.id == Customer.organization_id)
            .where(Account.id == pk, Organization.slug == org_slug)
        )
        account = db.session.scalars(stmt).first()
    if account is None or (actor.kind == "customer" and account.customer_id != actor.customer_id):
        raise NotFound(f"Account {account_id} of organization {org_slug} could not be found.")
    return account
