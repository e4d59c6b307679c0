"""The demo operator (organization `telco`), its bill styles, e-mail templates and usage report profiles."""

from __future__ import annotations

import datetime as dt

from portal.extensions import db
from portal.models import BillStyle, MessageTemplate, Organization, UsageReportProfile

ORG_SLUG = "telco"
# The operator's address and bank, each written once: the organization also shows them as one line
# (registered office) and as one block (bank details).
LEGAL_NAME = "Telco Networks Ltd"
ADDRESS_LINES = ("1 Carrier Street", "London EC1A 1AA", "United Kingdom")
BANK = {"bank_name": "Barclays Bank UK PLC", "iban": "GB33 BUKB 2020 1555 5555 55", "bic": "BUKBGB22"}


def create_organization(created_at: dt.datetime) -> Organization:
    org = Organization(
        slug=ORG_SLUG,
        name="Telco Networks",
        legal_name=LEGAL_NAME,
        address="\n".join(ADDRESS_LINES),
        registered_office=", ".join(ADDRESS_LINES),
        vat_number="GB123456789",
        email="billing@telco.example",
        phone="+44 20 7946 0000",
        website="https://telco.example",
        bank_details=f"{BANK['bank_name']}\nIBAN {BANK['iban']}\nBIC {BANK['bic']}\nAccount name: {LEGAL_NAME}",
        registration_number="Company no. 01234567 (England and Wales)",
        brand_color="#0b5394",
        created_at=created_at,
        **BANK,
    )
    db.session.add(org)
    db.session.flush()
    return org


def create_document_settings(created_at: dt.datetime) -> None:
    """Bill styles `Full` and `Summary`, the invoice and reminder e-mails, two usage report profiles."""
    db.session.add_all(
        [
            BillStyle(
                name="Full", layout="full", description="Summary page followed by destination and network tables"
            ),
            BillStyle(name="Summary", layout="summary", description="One page: totals, services and VAT"),
            MessageTemplate(
                name="Invoice",
                subject="Invoice {invoice_number} from {organization}",
                body_text="Dear {customer},\n\nPlease find attached invoice {invoice_number} for {period}.\n"
                "The total of {total} is due on {due_date}.\n\nKind regards,\n{organization} billing",
                body_html="<p>Dear {customer},</p><p>Please find attached invoice <b>{invoice_number}</b> for "
                "{period}.</p><p>The total of {total} is due on {due_date}.</p>"
                "<p>Kind regards,<br>{organization} billing</p>",
                created_at=created_at,
            ),
            MessageTemplate(
                name="Payment reminder",
                subject="Reminder: invoice {invoice_number} is overdue",
                body_text="Dear {customer},\n\nour records show invoice {invoice_number} ({total}, due {due_date}) "
                "as unpaid. Please arrange payment or tell us if it has already been sent.\n\n"
                "Kind regards,\n{organization} billing",
                created_at=created_at,
            ),
            MessageTemplate(
                name="CDR file",
                subject="Call records for invoice {invoice_number}",
                body_text="Dear {customer},\n\nthe call detail records for invoice {invoice_number} are attached.\n\n"
                "{organization} billing",
                created_at=created_at,
            ),
            UsageReportProfile(name="By destination", group_by="destination"),
            UsageReportProfile(name="By network", group_by="network"),
        ]
    )
    db.session.flush()
