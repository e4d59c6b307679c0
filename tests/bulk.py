"""Large test data made fast: thousands of approved invoices, stored PDFs and 100k CDRs in a few bulk inserts."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from sqlalchemy import insert

from portal.extensions import db
from portal.models import Cdr, InvoiceDocument
from tests.factories import InvoiceFactory

UTC = dt.timezone.utc
FIRST_DAY = dt.datetime(2020, 1, 1, tzinfo=UTC)


def approved_invoices(account, count: int, *, number_prefix: str = "INV-") -> list:
    """`count` approved one-day invoices of `account` on consecutive days from FIRST_DAY (flushed, not committed).

    Invoice n is numbered `<prefix>{n:06d}`, totals `n + 0.50` and is unpaid.
    """
    invoices = []
    for n in range(count):
        start = FIRST_DAY + dt.timedelta(days=n)
        total = Decimal(n) + Decimal("0.50")
        invoices.append(
            InvoiceFactory.build(
                account=account,
                customer_id=account.customer_id,
                organization_id=account.customer.organization_id,
                state="Approved",
                start_date=start,
                end_date=start + dt.timedelta(days=1),
                invoice_number=f"{number_prefix}{n:06d}",
                reference=f"{number_prefix}R{n}",
                invoice_date=(start + dt.timedelta(days=1)).date(),
                due_date=(start + dt.timedelta(days=31)).date(),
                approved_at=start + dt.timedelta(days=1),
                net_amount=total,
                total_amount=total,
                amount_spent=total,
                amount_total=total,
                outstanding=total,
            )
        )
    db.session.add_all(invoices)
    db.session.flush()
    return invoices


def pdf_bytes(invoice_id: int) -> bytes:
    """A small stand-in PDF, different for each invoice."""
    return b"%PDF-1.4\n% invoice " + str(invoice_id).encode() + b"\n%%EOF\n"


def stored_pdfs(invoices) -> None:
    """A stored PDF document for each invoice, named after its number (flushed, not committed)."""
    documents = []
    for invoice in invoices:
        data = pdf_bytes(invoice.id)
        documents.append(
            InvoiceDocument(
                invoice_id=invoice.id,
                kind="pdf",
                filename=f"{invoice.invoice_number}.pdf",
                content_type="application/pdf",
                data=data,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    db.session.add_all(documents)
    db.session.flush()


def calls(account, start: dt.datetime, count: int, *, spacing: dt.timedelta = dt.timedelta(milliseconds=500)) -> None:
    """`count` billed calls of `account`, `spacing` apart from `start`, in one bulk insert (not committed).

    Call n goes from `+4930{n:07d}` to `+4915{n:08d}`, lasts n % 600 seconds and costs n / 10^6.
    """
    rows = [
        {
            "time_start": start + spacing * n,
            "duration": n % 600,
            "customer_duration": n % 600,
            "vendor_duration": n % 600,
            "success": n % 600 > 0,
            "customer_acc_id": account.id,
            "customer_price": Decimal(n) / 1_000_000,
            "destination_rate": Decimal("0.012000"),
            "dst_prefix": "4915",
            "src_number": f"+4930{n:07d}",
            "dst_number": f"+4915{n:08d}",
            "is_last_cdr": True,
        }
        for n in range(count)
    ]
    db.session.execute(insert(Cdr), rows)
