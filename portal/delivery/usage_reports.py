"""Usage report CSV sent with an invoice: its traffic by destination or by network (from the filled rows)."""

from __future__ import annotations

import io

from portal.documents.csv import SpreadsheetCsvWriter
from portal.models import Invoice, UsageReportProfile

_COMMON = [
    "calls",
    "successful_calls",
    "duration_seconds",
    "billing_duration_seconds",
    "rate",
    "amount",
    "first_call_utc",
    "last_call_utc",
]


def usage_report_csv(invoice: Invoice, profile: UsageReportProfile) -> tuple[str, bytes]:
    """(filename, UTF-8 CSV bytes, spreadsheet-safe cells) of the invoice's traffic grouped as the profile says."""
    by_network = profile.group_by == "network"
    rows = invoice.networks if by_network else invoice.destinations
    out = io.StringIO()
    writer = SpreadsheetCsvWriter(out)
    head = ["direction", "spent"] + ([] if by_network else ["prefix"]) + ["country", "network"] + _COMMON
    writer.writerow(head)
    for row in rows:
        writer.writerow(
            [row.direction, "spent" if row.spent else "earned"]
            + ([] if by_network else [row.dst_prefix or ""])
            + [
                row.country.name if row.country else "",
                row.network.name if row.network else "",
                row.calls_count,
                row.successful_calls_count,
                row.calls_duration,
                row.billing_duration,
                f"{row.rate}",
                f"{row.amount}",
                row.first_call_at.isoformat() if row.first_call_at else "",
                row.last_call_at.isoformat() if row.last_call_at else "",
            ]
        )
    label = invoice.invoice_number or invoice.reference or str(invoice.id)
    filename = f"usage-{'networks' if by_network else 'destinations'}-{label}.csv"
    return filename, out.getvalue().encode("utf-8")
