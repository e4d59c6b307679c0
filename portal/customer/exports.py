"""CSV lines of the customer's filtered invoice list (plain decimals and ISO dates, spreadsheet-safe)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from portal.billing.dates import local_date
from portal.billing.money import round_currency
from portal.documents.csv import csv_line
from portal.models import Invoice

HEADER = ["invoice_number", "reference", "account", "currency", "period_start", "period_end", "invoice_date",
          "due_date", "net", "vat", "total", "paid", "outstanding", "status"]


def invoice_list_csv(invoices: Iterable[Invoice], *, today: dt.date) -> Iterator[str]:
    """One header line, then one line per invoice as it comes (nothing is collected in memory)."""
    yield csv_line(HEADER)
    for invoice in invoices:
        tz = invoice.account.timezone
        money = lambda value, cur=invoice.currency: str(round_currency(value, cur))  # noqa: E731
        yield csv_line([
            invoice.invoice_number or "",
            invoice.reference,
            invoice.account.name,
            invoice.currency,
            local_date(invoice.start_date, tz).isoformat(),
            # The period is half-open: the last day covered is the day before the end.
            local_date(invoice.end_date - dt.timedelta(microseconds=1), tz).isoformat(),
            invoice.invoice_date.isoformat() if invoice.invoice_date else "",
            invoice.due_date.isoformat() if invoice.due_date else "",
            money(invoice.net_amount),
            money(invoice.vat_amount),
            money(invoice.total_amount),
            money(invoice.paid_amount),
            money(invoice.outstanding),
            invoice.status_on(today),
        ])
