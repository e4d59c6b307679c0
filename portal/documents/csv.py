"""CDR export of an invoice as CSV, streamed row by row (a year of calls never sits in memory)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import exists, select

from portal.billing.dates import zone
from portal.extensions import db
from portal.models import Cdr, Country, Invoice, Network

CDR_COLUMNS = ("time", "src", "dst", "prefix", "country", "network", "duration", "billed_duration", "rate",
               "price", "success")
BATCH = 1000


def _originated(invoice: Invoice):
    """The invoice's billed calls: its account on the customer side, last attempts, inside the half-open period."""
    return (
        Cdr.customer_acc_id == invoice.account_id,
        Cdr.is_last_cdr.is_(True),
        Cdr.time_start >= invoice.start_date,
        Cdr.time_start < invoice.end_date,
    )


def invoice_has_cdrs(invoice: Invoice) -> bool:
    """Whether the invoice's period has any billed call of its account."""
    return bool(db.session.scalar(select(exists().where(*_originated(invoice)))))


def iter_invoice_cdrs_csv(invoice: Invoice) -> Iterator[str]:
    """CSV text of the invoice's calls, header first, then the calls in time order.

    Nothing runs until the first chunk is asked for. Rows come from the database in batches
    (`yield_per`, a server-side cursor on PostgreSQL) and each batch is yielded as one chunk of
    whole lines, so memory stays flat whatever the number of calls and a server writes a
    batch per socket write, not a line. Times are ISO-8601 in the account's time zone. Wrap
    the iterator with `stream_with_context` when it feeds a response.
    """
    tz = zone(invoice.account.timezone)
    conditions = _originated(invoice)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def text() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(CDR_COLUMNS)
    yield text()
    stmt = (
        select(Cdr.time_start, Cdr.src_number, Cdr.dst_number, Cdr.dst_prefix, Country.name, Network.name,
               Cdr.duration, Cdr.customer_duration, Cdr.destination_rate, Cdr.customer_price, Cdr.success)
        .outerjoin(Country, Country.id == Cdr.country_id)
        .outerjoin(Network, Network.id == Cdr.network_id)
        .where(*conditions)
        .order_by(Cdr.time_start, Cdr.id)
        .execution_options(yield_per=BATCH, stream_results=True)
    )
    result = db.session.execute(stmt)
    try:
        for batch in result.partitions():
            writer.writerows(
                (time_start.astimezone(tz).isoformat(), src or "", dst or "", prefix or "", country or "",
                 network or "", duration, billed, rate, price, "true" if success else "false")
                for time_start, src, dst, prefix, country, network, duration, billed, rate, price, success in batch
            )
            yield text()
    finally:
        result.close()
