"""An account's invoicing schedule: enabling, clearing, explicit due moments and time zone changes."""

import datetime as dt

import pytest

from portal.billing.invoices import create_invoice
from portal.billing.schedule import realign_schedule, set_account_timezone, set_invoice_period
from portal.foundations.errors import PermissionDenied, ValidationFailed
from portal.foundations.permissions import Actor
from portal.models import AuditEvent
from tests.factories import AccountFactory

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


def test_enabling_sets_end_of_current_period_in_account_zone(app, session):
    account = AccountFactory(timezone="Europe/Berlin")
    set_invoice_period(account, "Monthly", now=NOW)
    assert account.invoice_period == "Monthly"
    assert account.next_invoice_at == dt.datetime(2026, 11, 30, 23, tzinfo=UTC)  # 1 Dec 00:00 Berlin
    assert account.next_invoice_type == "Auto Full"
    assert session.query(AuditEvent).filter_by(action="account.invoice_period_set").count() == 1


def test_enabling_split_kind_in_a_short_piece_gives_auto_partial(app):
    account = AccountFactory()
    set_invoice_period(account, "Weekly. Split by new month", now=dt.datetime(2026, 9, 29, tzinfo=UTC))
    assert account.next_invoice_at == dt.datetime(2026, 10, 1, tzinfo=UTC)
    assert account.next_invoice_type == "Auto Partial"


def test_first_period_after_a_manual_invoice_starts_at_its_end(app):
    account = AccountFactory()
    create_invoice(
        account_id=account.id,
        start_date="2020-03-01",
        end_date="2020-03-14T12:00:01Z",
        now=dt.datetime(2020, 3, 20, tzinfo=UTC),
    )
    set_invoice_period(account, "Monthly", now=dt.datetime(2020, 3, 20, tzinfo=UTC))
    assert account.next_invoice_at == dt.datetime(2020, 4, 1, tzinfo=UTC)


def test_enabling_after_an_old_invoice_catches_up_from_its_end(app):
    account = AccountFactory()
    create_invoice(account_id=account.id, start_date="2026-06-01", end_date="2026-07-01", now=NOW)
    set_invoice_period(account, "Monthly", now=NOW)
    # July is due at once: a run invoices July, August, ... so no traffic is left out.
    assert account.next_invoice_at == dt.datetime(2026, 8, 1, tzinfo=UTC)


def test_clearing_nulls_both_fields(app):
    account = AccountFactory()
    set_invoice_period(account, "Daily", now=NOW)
    set_invoice_period(account, None, now=NOW)
    assert (account.invoice_period, account.next_invoice_at, account.next_invoice_type) == (None, None, None)


def test_same_kind_again_keeps_the_pending_due_moment(app):
    account = AccountFactory()
    set_invoice_period(account, "Monthly", now=dt.datetime(2026, 10, 15, tzinfo=UTC))
    assert account.next_invoice_at == dt.datetime(2026, 11, 1, tzinfo=UTC)
    set_invoice_period(account, "Monthly", now=NOW)  # a form resubmitted after the period ended
    assert account.next_invoice_at == dt.datetime(2026, 11, 1, tzinfo=UTC)


def test_explicit_next_invoice_at_is_kept(app):
    account = AccountFactory(timezone="America/New_York")
    set_invoice_period(account, "Monthly", now=NOW, next_invoice_at="2026-12-01")
    assert account.next_invoice_at == dt.datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert account.next_invoice_type == "Auto Full"


@pytest.mark.parametrize(
    "kind, next_at, message",
    [
        ("Yearly", None, "invoice-period - is not included in the list"),
        ("Monthly", "not a date", "next-invoice-at - is invalid"),
        ("Monthly", "2026-06-01", "next-invoice-at - must be after the end of the latest invoice"),
    ],
)
def test_bad_settings_are_refused_with_field_messages(app, kind, next_at, message):
    account = AccountFactory()
    create_invoice(account_id=account.id, start_date="2026-05-01", end_date="2026-07-01", now=NOW)
    with pytest.raises(ValidationFailed) as exc_info:
        set_invoice_period(account, kind, now=NOW, next_invoice_at=next_at)
    assert [str(e) for e in exc_info.value.errors] == [message]
    assert account.invoice_period is None


def test_read_only_admin_cannot_change_the_schedule(app):
    with pytest.raises(PermissionDenied):
        set_invoice_period(AccountFactory(), "Monthly", actor=Actor("viewer", kind="admin", level=1), now=NOW)


def test_timezone_change_realigns_to_local_midnight_without_a_gap(app):
    account = AccountFactory(timezone="UTC")
    create_invoice(account_id=account.id, start_date="2026-10-01", end_date="2026-11-01", now=NOW)
    set_invoice_period(account, "Monthly", now=NOW)
    assert account.next_invoice_at == dt.datetime(2026, 12, 1, tzinfo=UTC)
    set_account_timezone(account, "Europe/Berlin", now=NOW)
    # November in Berlin ends at 23:00 UTC; the next invoice still starts where the last ended.
    assert account.next_invoice_at == dt.datetime(2026, 11, 30, 23, tzinfo=UTC)


def test_timezone_change_without_invoices_keeps_the_pending_month(app):
    account = AccountFactory(timezone="UTC")
    set_invoice_period(account, "Monthly", now=NOW)
    set_account_timezone(account, "America/New_York", now=NOW)
    assert account.next_invoice_at == dt.datetime(2026, 12, 1, 5, tzinfo=UTC)
    set_account_timezone(account, "Asia/Tokyo", now=NOW)
    assert account.next_invoice_at == dt.datetime(2026, 11, 30, 15, tzinfo=UTC)


def test_unknown_timezone_is_refused_and_realign_ignores_manual_accounts(app):
    account = AccountFactory()
    with pytest.raises(ValidationFailed) as exc_info:
        set_account_timezone(account, "Mars/Olympus", now=NOW)
    assert str(exc_info.value.errors[0]) == "timezone - is invalid"
    assert realign_schedule(account, now=NOW).next_invoice_at is None
