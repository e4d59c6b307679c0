"""One account's step of a billing run: which accounts are due, and invoicing the due periods of one."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select, update

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.billing.locks import lock_account
from portal.billing.periods import period_ending_at
from portal.billing.schedule import advance_schedule, latest_invoice_end
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import ServiceError, ValidationFailed
from portal.foundations.permissions import SYSTEM, Actor
from portal.models import Account, BillingRun

log = logging.getLogger(__name__)

INVOICE_EXISTS = "invoice exists with end_date greater than or equal to current end_date"


@dataclass
class AccountOutcome:
    """What one account's step did: the invoices it created, or the failure that stopped it."""

    account_id: int
    invoice_ids: list[int] = field(default_factory=list)
    failure: dict | None = None


def grace_seconds(account: Account) -> int:
    """The account's grace period: its max call duration, else the configured default (7200 s)."""
    return _grace(account.max_call_duration)


def _grace(max_call_duration: int | None) -> int:
    value = max_call_duration
    if value is None:
        value = current_app.config.get("DEFAULT_MAX_CALL_DURATION", 7200)
    return max(0, int(value))


def due_account_ids(run_at: dt.datetime) -> list[int]:
    """Ids of accounts with a period whose `next_invoice_at + grace <= run_at`, in id order."""
    candidates = db.session.execute(
        select(Account.id, Account.next_invoice_at, Account.max_call_duration)
        .where(Account.invoice_period.is_not(None), Account.next_invoice_at <= run_at)
        .order_by(Account.id)
    ).all()
    return [
        account_id
        for account_id, next_at, max_call in candidates
        if next_at + dt.timedelta(seconds=_grace(max_call)) <= run_at
    ]


def bill_account(run: BillingRun, account_id: int) -> AccountOutcome:
    """Invoice every period of one account that is due at `run.run_at`; commit after each.

    Each period: lock the account, re-read it (another pass may have just invoiced it), check
    that no invoice already reaches `next_invoice_at`, create from max(period start, latest
    invoice end), fill, approve if asked, advance the schedule, commit. The first failure is
    rolled back and returned; the account's later periods wait for the next run.
    """
    outcome = AccountOutcome(account_id)
    run_id, run_at = run.id, run.run_at
    approve = run.approve or bool(current_app.config.get("INVOICE_AUTO_APPROVE"))
    actor = run_actor(run)
    while True:
        start = end = None
        try:
            lock_account(account_id)
            account = db.session.get(Account, account_id, populate_existing=True)
            if account is None or not _still_due(account, run_at):
                db.session.commit()
                return outcome
            end = account.next_invoice_at
            start = period_ending_at(account.invoice_period, end, account.timezone).start
            last_end = latest_invoice_end(account.id)
            if last_end is not None and last_end >= end:
                raise ValidationFailed.single(None, INVOICE_EXISTS)
            if last_end is not None:
                start = max(start, last_end)
            invoice = create_invoice(
                account_id=account,
                start_date=start,
                end_date=end,
                actor=actor,
                invoice_type=account.next_invoice_type or "Auto Full",
                now=run_at,
                billing_run_id=run_id,
            )
            fill_invoice(invoice, actor=actor)
            if approve:
                approve_invoice(invoice, actor=actor)
            advance_schedule(account)
            _stamp_heartbeat(run_id)
            db.session.commit()
            outcome.invoice_ids.append(invoice.id)
        except Exception as exc:
            db.session.rollback()
            if not isinstance(exc, ServiceError):
                log.exception("billing run %s: account %s failed", run_id, account_id)
            account = db.session.get(Account, account_id)
            outcome.failure = {
                "account_id": account_id,
                "account": account.name if account else None,
                "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None,
                "error": failure_message(exc),
            }
            return outcome


def _stamp_heartbeat(run_id: int) -> None:
    # In the period's own transaction: a run busy with one account's many periods stays alive.
    db.session.execute(
        update(BillingRun).where(BillingRun.id == run_id, BillingRun.status == "running").values(heartbeat_at=utcnow())
    )


def _still_due(account: Account, run_at: dt.datetime) -> bool:
    if not account.invoice_period or account.next_invoice_at is None:
        return False
    return account.next_invoice_at + dt.timedelta(seconds=grace_seconds(account)) <= run_at


def run_actor(run: BillingRun) -> Actor:
    # The starter's permission was checked by start_billing_run; the run then acts for them.
    return Actor(label=run.created_by or SYSTEM.label)


def failure_message(exc: Exception) -> str:
    if isinstance(exc, ServiceError):
        return exc.message
    return f"{type(exc).__name__}: {exc}".strip()
