"""CSV lines of the customer's filtered invoice list (plain decimals and ISO dates, spreadsheet-safe).

The figures are the statement's (portal.statement.statement_figures): the same net, VAT, total,
paid and balance due as the invoice page, the PDF and the e-mail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from portal.documents.csv import csv_line
from portal.foundations.dates import local_date
from portal.models import Invoice
from portal.statement import statement_figures

HEADER = [
    "invoice_number",
    "reference",
    "account",
    "currency",
    "period_start",
    "period_end",
    "invoice_date",
    "due_date",
    "net",
    "vat",
    "total",
    "paid",
    "outstanding",
    "status",
]
LINES_PER_CHUNK = 100  # one socket write per hundred invoices, not per line


def invoice_list_csv(invoices: Iterable[Invoice], *, today: dt.date) -> Iterator[str]:
    """One header line, then one line per invoice as it comes (nothing is collected in memory).

    `invoices` is closed when this stream ends or is closed, so a database stream under it
    (`iter_customer_invoices`) gives its connection back at once, not when it is collected.
    """
    try:
        yield from _lines(invoices, today)
    finally:
        close = getattr(invoices, "close", None)
        if close is not None:
            close()


def _lines(invoices: Iterable[Invoice], today: dt.date) -> Iterator[str]:
    yield csv_line(HEADER)
    lines: list[str] = []
    for invoice in invoices:
        lines.append(_line(invoice, today))
        if len(lines) == LINES_PER_CHUNK:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


def _line(invoice: Invoice, today: dt.date) -> str:
    tz = invoice.account.timezone
    figures = statement_figures(invoice, today)
    return csv_line(
        [
            invoice.invoice_number or "",
            invoice.reference,
            invoice.account.name,
            invoice.currency,
            local_date(invoice.start_date, tz).isoformat(),
            # The period is half-open: the last day covered is the day before the end.
            local_date(invoice.end_date - dt.timedelta(microseconds=1), tz).isoformat(),
            invoice.invoice_date.isoformat() if invoice.invoice_date else "",
            invoice.due_date.isoformat() if invoice.due_date else "",
            str(figures.net),
            str(figures.vat),
            str(figures.total),
            str(figures.paid),
            str(figures.balance_due),
            figures.status.value,
        ]
    )
