"""Creating invoices: every error message, the overlap matrix, time zones and references."""

import datetime as dt

import pytest

from portal.billing.invoices import create_invoice, delete_invoice
from portal.extensions import db
from portal.foundations.errors import InvalidState, PermissionDenied, ValidationFailed
from portal.foundations.permissions import Actor
from portal.models import AuditEvent, Invoice
from tests.factories import AccountFactory

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 1, tzinfo=UTC)


def messages(exc_info) -> list[str]:
    return [str(e) for e in exc_info.value.errors]


def create(account, start, end, **kw):
    return create_invoice(account_id=account.id if account else None, start_date=start, end_date=end, now=NOW, **kw)


def test_new_invoice_is_new_manual_with_reference_from_template(app):
    account = AccountFactory(invoice_ref_template="TEL-$id-$id")
    invoice = create(account, "2026-05-01", "2026-06-01")
    assert invoice.state == "New"
    assert invoice.invoice_type == "Manual"
    assert invoice.reference == f"TEL-{invoice.id}-{invoice.id}"
    assert invoice.currency == account.currency
    assert invoice.customer_id == account.customer_id
    assert invoice.amount_spent == 0 and invoice.originated_calls_count == 0
    assert db.session.query(AuditEvent).filter_by(action="invoice.created", invoice_id=invoice.id).count() == 1


def test_default_reference_is_the_id(app):
    invoice = create(AccountFactory(), "2026-05-01", "2026-06-01")
    assert invoice.reference == str(invoice.id)


def test_dates_without_time_are_midnight_in_account_timezone(app):
    account = AccountFactory(timezone="America/Los_Angeles")
    invoice = create(account, "2026-05-01", "2026-06-01")
    assert invoice.start_date == dt.datetime(2026, 5, 1, 7, tzinfo=UTC)
    assert invoice.end_date == dt.datetime(2026, 6, 1, 7, tzinfo=UTC)


def test_times_with_offset_are_kept(app):
    invoice = create(AccountFactory(timezone="Europe/Berlin"), "2026-05-01T00:00:00Z", "2026-05-02T06:30:00+02:00")
    assert invoice.start_date == dt.datetime(2026, 5, 1, tzinfo=UTC)
    assert invoice.end_date == dt.datetime(2026, 5, 2, 4, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "account_given, start, end, expected",
    [
        (False, "2026-05-01", "2026-06-01", ["account - can't be blank"]),
        (True, None, "2026-06-01", ["start-date - can't be blank"]),
        (True, "2026-05-01", "", ["end-date - can't be blank"]),
        (True, "2026-13-45", "2026-06-01", ["start-date - is invalid"]),
        (True, "2026-05-01", "tomorrow", ["end-date - is invalid"]),
        (True, "2026-06-01", "2026-05-01", ["end-date - must be greater than start date"]),
        (True, "2026-05-01", "2026-05-01", ["end-date - must be greater than start date"]),
        (False, None, None, ["account - can't be blank", "start-date - can't be blank", "end-date - can't be blank"]),
    ],
)
def test_form_errors_have_exact_messages(app, account_given, start, end, expected):
    account = AccountFactory() if account_given else None
    with pytest.raises(ValidationFailed) as exc_info:
        create(account, start, end)
    assert messages(exc_info) == expected
    assert db.session.query(Invoice).count() == 0


def test_unknown_account_is_blank(app):
    with pytest.raises(ValidationFailed) as exc_info:
        create_invoice(account_id="999999", start_date="2026-05-01", end_date="2026-06-01", now=NOW)
    assert messages(exc_info) == ["account - can't be blank"]


def test_manual_invoice_refused_for_account_with_period(app):
    account = AccountFactory(invoice_period="Monthly")
    with pytest.raises(ValidationFailed) as exc_info:
        create(account, "2026-05-01", "2026-06-01")
    assert messages(exc_info) == ["account - have invoices auto generation enabled"]


def test_end_in_future_is_refused(app):
    with pytest.raises(ValidationFailed) as exc_info:
        create(AccountFactory(), "2026-10-01", "2026-11-02")
    assert messages(exc_info) == ["end_time can't be in future"]
    assert exc_info.value.errors[0].field is None


def test_end_exactly_now_is_allowed(app):
    assert create(AccountFactory(), "2026-10-01", NOW).end_date == NOW


# Existing invoice: [2026-05-10, 2026-05-20)
@pytest.mark.parametrize(
    "start, end, allowed",
    [
        ("2026-05-10", "2026-05-20", False),  # identical
        ("2026-05-12", "2026-05-15", False),  # contained
        ("2026-05-01", "2026-05-31", False),  # containing
        ("2026-05-05", "2026-05-11", False),  # overlaps the start
        ("2026-05-19", "2026-05-25", False),  # overlaps the end
        ("2026-05-10", "2026-05-11", False),  # same start
        ("2026-05-01", "2026-05-10", True),  # touches the start
        ("2026-05-20", "2026-05-30", True),  # touches the end
        ("2026-04-01", "2026-05-01", True),  # well before
    ],
)
def test_overlap_matrix(app, start, end, allowed):
    account = AccountFactory()
    create(account, "2026-05-10", "2026-05-20")
    if allowed:
        assert create(account, start, end).id
    else:
        with pytest.raises(ValidationFailed) as exc_info:
            create(account, start, end)
        assert messages(exc_info) == ["have invoice inside provided period"]


def test_other_accounts_invoices_do_not_overlap(app):
    create(AccountFactory(), "2026-05-10", "2026-05-20")
    assert create(AccountFactory(), "2026-05-10", "2026-05-20").id


def test_read_only_admin_cannot_create(app):
    with pytest.raises(PermissionDenied):
        create(AccountFactory(), "2026-05-01", "2026-06-01", actor=Actor("viewer", kind="admin", level=1))


def test_delete_only_unapproved(app):
    account = AccountFactory()
    invoice = create(account, "2026-05-01", "2026-06-01")
    invoice_id = invoice.id
    delete_invoice(invoice)
    assert db.session.get(Invoice, invoice_id) is None
    approved = create(account, "2026-06-01", "2026-07-01")
    approved.state = "Approved"
    with pytest.raises(InvalidState, match="Approved invoice can't be deleted"):
        delete_invoice(approved)


@pytest.mark.parametrize("bad", ["99999999999999999999", -1, 0, "1.5", True, "abc"])
def test_ids_that_cannot_name_a_row_are_unknown(app, bad):
    from portal.billing.invoices import get_invoice
    from portal.foundations.errors import NotFound

    with pytest.raises(ValidationFailed) as exc_info:
        create_invoice(account_id=bad, start_date="2026-05-01", end_date="2026-06-01", now=NOW)
    assert messages(exc_info) == ["account - can't be blank"]
    with pytest.raises(NotFound):
        get_invoice(bad)
