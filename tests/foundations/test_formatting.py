"""Money, dates and durations as people read them."""

import datetime as dt
from decimal import Decimal

from portal.foundations import formatting as f


def test_money_uses_currency_decimals_and_locale(app):
    with app.test_request_context():
        assert f.money(Decimal("1234.5"), "EUR", "en") == "€1,234.50"
        assert f.money(Decimal("1234.5"), "EUR", "de_DE") == "1.234,50\xa0€"
        assert f.money(Decimal("1234"), "JPY", "en") == "¥1,234"


def test_local_date_uses_the_account_zone(app):
    moment = dt.datetime(2026, 5, 1, 3, tzinfo=dt.timezone.utc)
    with app.test_request_context():
        assert f.local_date_text(moment, "America/Los_Angeles", "en") == "Apr 30, 2026"
        assert f.period_end_date(dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc), "UTC", "en") == "May 31, 2026"


def test_duration_and_minutes(app):
    with app.test_request_context():
        assert f.duration(3725) == "1:02:05"
        assert f.minutes(90, "en") == "1.5"
