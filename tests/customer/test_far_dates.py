"""Dates at the ends of the calendar (0001-01-01, 9999-12-31) in the customer portal's filters: an error beside
the field (the list), a 400 (the CSV export), never a 500 from turning them into instants in the account's zone."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.customer.forms import DAY_RANGE_FIELD_MESSAGE as DAY_RANGE_TEMPLATE
from portal.extensions import db
from portal.foundations.dates import FIRST_DAY, LAST_DAY, BadDate, local_midnight
from tests.customer.conftest import approved_invoice, month
from tests.customer.test_invoice_list import error_beside, numbers_in
from tests.factories import AccountFactory, CustomerFactory, CustomerUserFactory

FAR = [
    ("period_from", "0001-01-01"),
    ("period_to", "9999-12-31"),
    ("invoice_date_from", "0001-01-01"),
    ("invoice_date_to", "9999-12-31"),
    ("due_date_from", "0001-01-01"),
    ("due_date_to", "9999-12-31"),
]


DAY_RANGE_FIELD_MESSAGE = DAY_RANGE_TEMPLATE % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}


@pytest.fixture
def eastern(app, client, login):
    """A user whose accounts are east of UTC (midnight of 0001-01-01 there is still year 0 in UTC)."""
    customer = CustomerFactory()
    for zone in ("Europe/Berlin", "Pacific/Kiritimati", "America/Adak"):
        approved_invoice(AccountFactory(customer=customer, timezone=zone), month(-2))
    login(CustomerUserFactory(customer=customer))
    db.session.commit()
    return client


@pytest.mark.parametrize("field, value", FAR)
@pytest.mark.parametrize("htmx", [False, True])
def test_far_dates_in_the_invoice_list_are_an_error_beside_the_field(eastern, field, value, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = eastern.get(f"/portal/invoices?{field}={value}", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert DAY_RANGE_FIELD_MESSAGE in error_beside(html, field)
    assert numbers_in(html) == []


@pytest.mark.parametrize("field, value", FAR)
def test_far_dates_in_the_csv_export_are_a_400_with_the_form(eastern, field, value):
    response = eastern.get(f"/portal/invoices.csv?{field}={value}")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert DAY_RANGE_FIELD_MESSAGE in response.get_data(as_text=True)


def test_the_dashboard_ignores_far_dates(eastern):
    response = eastern.get("/portal/?period_from=0001-01-01&period_to=9999-12-31")
    assert response.status_code == 200


def test_the_first_and_last_accepted_days_filter_normally(eastern):
    response = eastern.get(f"/portal/invoices?period_from={FIRST_DAY}&period_to={LAST_DAY}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and len(numbers_in(html)) == 3
    assert eastern.get(f"/portal/invoices.csv?period_from={FIRST_DAY}&period_to={LAST_DAY}").status_code == 200


def test_local_midnight_outside_the_calendar_is_a_bad_date():
    with pytest.raises(BadDate):
        local_midnight(dt.date(1, 1, 1), "Europe/Berlin")
    assert local_midnight(FIRST_DAY, "Asia/Tokyo").year == 1
    assert local_midnight(LAST_DAY + dt.timedelta(days=1), "Etc/GMT+12").year == 9999
