"""An account's automatic invoicing schedule: its invoice period, `next_invoice_at` and `next_invoice_type`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select

from portal.audit import record_event
from portal.billing.periods import following_period, period_containing, period_ending_at
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.dates import BadDate, parse_moment
from portal.foundations.errors import ValidationFailed
from portal.foundations.permissions import SYSTEM, Actor, require
from portal.models import Account, Invoice
from portal.models.account import INVOICE_PERIODS

_TICK = dt.timedelta(microseconds=1)


def set_invoice_period(
    account: Account,
    kind: str | None,
    *,
    actor: Actor = SYSTEM,
    now: dt.datetime | None = None,
    next_invoice_at=None,
) -> Account:
    """Turn automatic invoicing on (a period kind), change its kind, or turn it off (None).

    Turning it on computes `next_invoice_at`, the end of the current period in the account's
    time zone, and `next_invoice_type`. The current period is the one containing the end of
    the account's latest invoice when it has one (so no stretch of traffic is left out, and the
    first automatic invoice starts where the last one ended), else the one containing `now`.
    Setting the kind the account already has changes nothing (forms may resubmit it).
    Clearing (None or "") nulls both fields.

    Args:
        account: the account to change (flushed, not committed).
        kind: one of INVOICE_PERIODS, or None/"" for manual invoicing.
        actor: who does it (needs `account.write`).
        now: the current time (tests).
        next_invoice_at: an explicit first due moment (text or datetime); kept as given.

    Returns the account.

    Raises:
        ValidationFailed: `invoice-period - is not included in the list`,
            `next-invoice-at - is invalid`,
            `next-invoice-at - must be after the end of the latest invoice`.
        PermissionDenied: the actor may not change accounts.
    """
    require(actor, "account.write")
    kind = kind or None
    if kind is not None and kind not in INVOICE_PERIODS:
        raise ValidationFailed.single("invoice-period", "is not included in the list")
    explicit = None
    if next_invoice_at not in (None, ""):
        try:
            explicit = parse_moment(next_invoice_at, account.timezone)
        except BadDate:
            raise ValidationFailed.single("next-invoice-at", "is invalid") from None
    before = (account.invoice_period, account.next_invoice_at)
    if kind is None:
        account.invoice_period = None
        account.next_invoice_at = None
        account.next_invoice_type = None
    elif explicit is not None:
        last_end = latest_invoice_end(account.id) if account.id else None
        if last_end is not None and explicit <= last_end:
            raise ValidationFailed.single("next-invoice-at", "must be after the end of the latest invoice")
        account.invoice_period = kind
        account.next_invoice_at = explicit
        account.next_invoice_type = period_ending_at(kind, explicit, account.timezone).invoice_type
    elif kind != account.invoice_period or account.next_invoice_at is None:
        account.invoice_period = kind
        _align(account, now or utcnow())
    if (account.invoice_period, account.next_invoice_at) != before:
        _record_schedule(actor, "account.invoice_period_set", account, period=account.invoice_period)
    db.session.flush()
    return account


def _record_schedule(actor: Actor, action: str, account: Account, **details) -> None:
    """The audit event of a schedule change: what changed and the account's next invoice moment and type."""
    record_event(
        actor,
        action,
        account,
        **details,
        next_invoice_at=_iso(account.next_invoice_at),
        next_invoice_type=account.next_invoice_type,
    )


def realign_schedule(
    account: Account, *, actor: Actor = SYSTEM, now: dt.datetime | None = None, previous_timezone: str | None = None
) -> Account:
    """Recompute `next_invoice_at`/`next_invoice_type` for the account's current time zone.

    Call after changing `account.timezone`. With invoices, the new due moment is the end, in the
    new zone, of the period holding the latest invoice's end, so the next invoice starts where
    the last one ended and nothing is skipped (a time zone change can therefore give one short
    invoice). Without invoices, the pending period keeps its place in the calendar: the new
    period is the one holding the middle of the pending period in `previous_timezone` (when
    given). Accounts without a period are untouched.

    Raises PermissionDenied if the actor may not change accounts.
    """
    require(actor, "account.write")
    if account.invoice_period:
        before = account.next_invoice_at
        _align(account, now or utcnow(), previous_timezone)
        if account.next_invoice_at != before:
            _record_schedule(actor, "account.schedule_realigned", account, timezone=account.timezone)
        db.session.flush()
    return account


def set_account_timezone(
    account: Account, tz_name: str, *, actor: Actor = SYSTEM, now: dt.datetime | None = None
) -> Account:
    """Change the account's IANA time zone and realign its schedule.

    Raises ValidationFailed(`timezone - is invalid`) for an unknown zone name.
    """
    require(actor, "account.write")
    try:
        ZoneInfo(tz_name or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed.single("timezone", "is invalid") from None
    if tz_name != account.timezone:
        previous = account.timezone
        account.timezone = tz_name
        record_event(actor, "account.timezone_changed", account, previous=previous, timezone=tz_name)
        realign_schedule(account, actor=actor, now=now, previous_timezone=previous)
    return account


def latest_invoice_end(account_id: int) -> dt.datetime | None:
    """The latest end date among the account's invoices (any state), or None."""
    return db.session.scalar(select(func.max(Invoice.end_date)).where(Invoice.account_id == account_id))


def _align(account: Account, now: dt.datetime, previous_timezone: str | None = None) -> None:
    if account.id is None:
        db.session.flush()
    last_end = latest_invoice_end(account.id)
    if last_end is not None:
        # The period holding the latest invoice's end: its start is at or before that end, so
        # the next invoice (which starts at max(period start, latest end)) leaves no gap.
        base = last_end
    elif account.next_invoice_at is not None and previous_timezone:
        pending = period_ending_at(account.invoice_period, account.next_invoice_at, previous_timezone)
        base = pending.start + (pending.end - pending.start) / 2
    elif account.next_invoice_at is not None:
        base = min(now, account.next_invoice_at - _TICK)
    else:
        base = now
    period = period_containing(account.invoice_period, base, account.timezone)
    account.next_invoice_at = period.end
    account.next_invoice_type = period.invoice_type


def advance_schedule(account: Account) -> None:
    """Move `next_invoice_at`/`next_invoice_type` to the period after the one just invoiced."""
    period = following_period(account.invoice_period, account.next_invoice_at, account.timezone)
    account.next_invoice_at = period.end
    account.next_invoice_type = period.invoice_type


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
