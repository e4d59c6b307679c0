"""The portal's CSV files: the one spreadsheet-safe writer every CSV goes through, and the streamed CDR export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.foundations.dates import zone
from portal.foundations.streaming import stream_with_own_session
from portal.models import Cdr, Country, Invoice, Network

CDR_COLUMNS = (
    "time",
    "src",
    "dst",
    "prefix",
    "country",
    "network",
    "duration",
    "billed_duration",
    "rate",
    "price",
    "success",
    # Added after the first eleven, so a program that reads the columns by position keeps working.
    "direction",  # originated (the account's calls out) or terminated (calls it received as the vendor)
    "currency",  # of price and rate: the invoice's
)
BATCH = 1000

# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = frozenset("=+-@\t\r")
# A plain number (-12.50, +49): a spreadsheet reads it as that number, so it is left as it is.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def spreadsheet_safe(value):
    """The cell as a spreadsheet must show it: text that would start a formula gets a leading `'`.

    Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return (`=HYPERLINK(…)`,
    `@SUM(…)`, `-2+3*cmd|…`) is prefixed with a single quote, which spreadsheets read as "this
    is text" and do not show. Plain numbers (`-12.50`, `+4930123`) and non-text values (int,
    Decimal, None) are returned unchanged, so amounts stay numbers.
    """
    if not isinstance(value, str):
        if value is None or isinstance(value, (int, float, Decimal)):
            return value
        value = str(value)
    if value[:1] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SpreadsheetCsvWriter:
    """`csv.writer` (CRLF line ends) with every cell passed through `spreadsheet_safe`: the portal's only CSV writer."""

    def __init__(self, stream):
        self._writer = csv.writer(stream, lineterminator="\r\n")

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([spreadsheet_safe(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_line(values: Iterable) -> str:
    """One spreadsheet-safe CSV line, CRLF included."""
    buffer = io.StringIO()
    SpreadsheetCsvWriter(buffer).writerow(values)
    return buffer.getvalue()


@dataclass(frozen=True)
class _Calls:
    """Which calls an invoice bills, as plain values (what `_originated` and `_terminated` read), the zone to
    show them in and the invoice's currency."""

    account_id: int
    start_date: dt.datetime
    end_date: dt.datetime
    timezone: str | None
    currency: str = ""


def _period(invoice: Invoice | _Calls):
    return (Cdr.time_start >= invoice.start_date, Cdr.time_start < invoice.end_date)


def _originated(invoice: Invoice | _Calls):
    """The calls the account sent (it pays the customer price): last attempts, inside the half-open period."""
    return (Cdr.customer_acc_id == invoice.account_id, Cdr.is_last_cdr.is_(True), *_period(invoice))


def _terminated(invoice: Invoice | _Calls):
    """The calls the account received as the vendor (at the dialpeer's rate), inside the half-open period, as
    the invoice's terminated traffic counts them (portal.billing.fill)."""
    return (Cdr.vendor_acc_id == invoice.account_id, *_period(invoice))


# Per direction: the columns of a call as that side of it is billed (prefix, rate, billed seconds, price).
_DIRECTIONS = (
    ("originated", _originated, (Cdr.dst_prefix, Cdr.destination_rate, Cdr.customer_duration, Cdr.customer_price)),
    ("terminated", _terminated, (Cdr.dialpeer_prefix, Cdr.dialpeer_rate, Cdr.vendor_duration, Cdr.vendor_price)),
)


def calls_exist(invoice: Invoice | type[Invoice]):
    """The condition "the invoice's period has a billed call of its account, in either direction": an EXISTS
    per direction, OR-ed. Given the Invoice class instead of an invoice, it reads the columns of the row
    of an enclosing query (a correlated EXISTS)."""
    return or_(*(exists().where(*where(invoice)) for _, where, _ in _DIRECTIONS))


def invoice_has_cdrs(invoice: Invoice) -> bool:
    """Whether the invoice's period has any billed call of its account, in either direction (one query)."""
    return bool(db.session.scalar(select(calls_exist(invoice))))


def iter_invoice_cdrs_csv(invoice: Invoice) -> Iterator[str]:
    """CSV text of the invoice's calls, header first, then the originated calls in time order, then the
    terminated ones; each line says its direction and the invoice's currency (what `price` is in).

    The account and period are taken from `invoice` now; the calls are read when the first
    chunk is asked for, through a session of the stream's own (`portal.foundations.streaming`), so the
    iterator may feed a response body. Rows come from the database in batches (`yield_per`, a
    server-side cursor on PostgreSQL) and each batch is yielded as one chunk of whole lines,
    so memory stays flat whatever the number of calls and a server writes a batch per socket
    write, not a line. Times are ISO-8601 in the account's time zone; every cell is
    spreadsheet-safe.
    """
    calls = _Calls(
        invoice.account_id, invoice.start_date, invoice.end_date, invoice.account.timezone, invoice.currency or ""
    )
    return stream_with_own_session(_cdr_chunks, calls)


def _cdr_chunks(session: Session, calls: _Calls) -> Iterator[str]:
    tz = zone(calls.timezone)
    buffer = io.StringIO()
    writer = SpreadsheetCsvWriter(buffer)

    def text() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(CDR_COLUMNS)
    yield text()
    for direction, where, (prefix, rate, billed, price) in _DIRECTIONS:
        stmt = (
            select(
                Cdr.time_start,
                Cdr.src_number,
                Cdr.dst_number,
                prefix,
                Country.name,
                Network.name,
                Cdr.duration,
                billed,
                rate,
                price,
                Cdr.success,
            )
            .outerjoin(Country, Country.id == Cdr.country_id)
            .outerjoin(Network, Network.id == Cdr.network_id)
            .where(*where(calls))
            .order_by(Cdr.time_start, Cdr.id)
            .execution_options(yield_per=BATCH, stream_results=True)
        )
        result = session.execute(stmt)
        try:
            for batch in result.partitions():
                writer.writerows(cdr_line(row, tz, direction, calls.currency) for row in batch)
                yield text()
        finally:
            result.close()


def cdr_line(row, tz, direction: str, currency: str) -> tuple:
    """The cells of one call's line: its query row (as `_cdr_chunks` selects it) shown in `tz`."""
    time_start, src, dst, prefix, country, network, duration, billed, rate, price, success = row
    return (
        time_start.astimezone(tz).isoformat(),
        src or "",
        dst or "",
        prefix or "",
        country or "",
        network or "",
        duration,
        billed,
        rate,
        price,
        "true" if success else "false",
        direction,
        currency,
    )
