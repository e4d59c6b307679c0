"""The demo's fixed "now": midnight UTC on the first day of the current month.

Every date in the demo (a year of CDRs, invoice periods, invoice and payment dates) is
computed from this moment, so the data always looks recent yet two loads with the same
seed in the same calendar month are identical.
"""

from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc


def demo_now(today: dt.date | None = None) -> dt.datetime:
    """Midnight UTC on the first day of the month of `today` (default: the current UTC date)."""
    today = today or dt.datetime.now(UTC).date()
    return dt.datetime(today.year, today.month, 1, tzinfo=UTC)


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The first of the month `months` months before `moment` (which is a first of month)."""
    index = moment.year * 12 + (moment.month - 1) - months
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1)
