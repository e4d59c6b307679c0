"""Invoice numbers: unique, gap-free per organization and year, in a configurable format."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import text

from portal.extensions import db
from portal.models import Invoice


def next_invoice_number(invoice: Invoice) -> str:
    """Take the next number for the invoice's organization and year (atomic on both databases).

    The format comes from `PORTAL_INVOICE_NUMBER_FORMAT` with the placeholders `{year}`,
    `{seq}`, `{org}`, `{customer_id}` and `{account_id}`.
    """
    year = invoice.invoice_date.year
    params = {"org": invoice.organization_id, "year": year}
    db.session.execute(
        text(
            "INSERT INTO invoice_number_counters (organization_id, year, last_value) "
            "VALUES (:org, :year, 0) ON CONFLICT (organization_id, year) DO NOTHING"
        ),
        params,
    )
    seq = db.session.execute(
        text(
            "UPDATE invoice_number_counters SET last_value = last_value + 1 "
            "WHERE organization_id = :org AND year = :year RETURNING last_value"
        ),
        params,
    ).scalar_one()
    fmt = current_app.config["INVOICE_NUMBER_FORMAT"]
    return fmt.format(
        year=year,
        seq=seq,
        org=invoice.organization.slug,
        customer_id=invoice.customer_id,
        account_id=invoice.account_id,
    )
