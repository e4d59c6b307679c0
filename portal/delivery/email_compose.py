"""Composing invoice and CDR e-mails: subject and bodies in the customer's language, the statement,
the files to attach and the download link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext

from portal.delivery.email_choices import EmailChoices
from portal.delivery.invoice_files import cdrs_file, delivery_format_files, pdf_for_mail, usage_report_file
from portal.delivery.links import download_url, mint_download_link
from portal.delivery.message_templates import in_current_language, render_text
from portal.documents.qr import payment_qr_data_uri
from portal.foundations import formatting
from portal.foundations.database import utcnow
from portal.foundations.dates import local_date
from portal.foundations.errors import ErrorCode, InvalidState
from portal.foundations.i18n import N_, in_language
from portal.foundations.permissions import Actor
from portal.models import Invoice
from portal.statement import Statement, build_statement

NO_CDRS = "No CDRs available for this invoice"
EMAIL_LINK_HOURS = 168
CDRS_SUBJECT = N_("Call detail records of invoice {invoice_number} ({period})")
CDRS_TEXT = N_(
    "Dear {customer},\n\nPlease find attached the call detail records of invoice {invoice_number} for "
    "{account}, period {period}.\n\nKind regards,\nBilling"
)


@dataclass(frozen=True)
class ComposedEmail:
    """One e-mail ready to send: subject, bodies, files, and what its audit event notes."""

    subject: str
    text: str
    html: str | None
    files: list
    details: dict


def compose_invoice_email(invoice: Invoice, choices: EmailChoices, *, actor: Actor) -> ComposedEmail:
    """The invoice e-mail for validated choices: the PDF (rendered and stored first if missing), attachments,
    usage report, and a 7-day single-use download link minted for it (added to the session).

    Raises InvalidState when the PDF cannot be rendered.
    """
    files = [pdf_for_mail(invoice, choices.bill_style, actor=actor), *delivery_format_files(invoice)]
    files += [(a.filename, a.content_type, a.data) for a in choices.attachments]
    if choices.usage_report_profile is not None:
        files.append(usage_report_file(invoice, choices.usage_report_profile))
    link_url = _mint_email_link(invoice, actor)
    statement = build_statement(invoice, local_date(utcnow(), invoice.account.timezone))
    with in_language(customer_language(invoice)):
        template = in_current_language(choices.template)
        values = placeholder_values(invoice, link_url, statement)
        subject = render_text(template.subject, values)
        # The message's own words, then the statement and how to pay: the same figures as every other face.
        text = render_text(template.body_text, values) + "\n\n" + statement_text(statement)
        html = render_text(template.body_html, values, html=True) if template.body_html else None
        if html is not None:
            html += statement_html(statement)
    return ComposedEmail(
        subject,
        text,
        html,
        files,
        {"template": choices.template.name, "attachments": [name for name, _type, _data in files]},
    )


def compose_cdrs_email(invoice: Invoice) -> ComposedEmail:
    """The CDR e-mail of an invoice; its CSV is stored as the invoice's `cdrs` document (added to the session).

    Raises InvalidState when the invoice has no CDRs.
    """
    cdrs = cdrs_file(invoice)
    if cdrs is None:
        raise InvalidState(NO_CDRS, code=ErrorCode.NO_CDRS)
    with in_language(customer_language(invoice)):
        values = placeholder_values(invoice, "")
        subject = render_text(gettext(CDRS_SUBJECT), values)
        text = render_text(gettext(CDRS_TEXT), values)
    return ComposedEmail(subject, text, None, [cdrs], {"attachments": [cdrs[0]]})


def customer_language(invoice: Invoice) -> str | None:
    """The language the invoice's customer reads its e-mails in."""
    return invoice.customer.language if invoice.customer is not None else None


def statement_text(statement: Statement) -> str:
    """The statement and payment instructions as the plain-text part of an invoice e-mail."""
    return render_template("delivery/email/statement.txt", st=statement)


def statement_html(statement: Statement) -> str:
    """The statement and payment instructions as HTML for an invoice e-mail (a GiroCode PNG for EUR)."""
    qr_uri = payment_qr_data_uri(statement.payment.epc_payload)
    return render_template("delivery/email/statement.html", st=statement, qr_uri=qr_uri)


def placeholder_values(invoice: Invoice, download_link: str, statement: Statement | None = None) -> dict[str, str]:
    """The values of the message template placeholders for one invoice, formatted in the current locale
    (the customer's language while an e-mail is composed); `total` is the statement's (its draft figure
    for an invoice not approved yet)."""
    tz = invoice.account.timezone
    period = (
        f"{formatting.local_date_text(invoice.start_date, tz)} – {formatting.period_end_date(invoice.end_date, tz)}"
    )
    return {
        "customer": invoice.customer.name if invoice.customer else "",
        "invoice_number": invoice.invoice_number or "",
        "period": period,
        "total": formatting.money(
            (statement or build_statement(invoice, local_date(utcnow(), tz))).total, invoice.currency
        ),
        "due_date": formatting.date(invoice.due_date) if invoice.due_date else "",
        "download_link": download_link,
        "reference": invoice.reference or "",
        "account": invoice.account.name,
        # The operator brand that bills the customer: one install may serve several.
        "organization": invoice.organization.name if invoice.organization else "",
    }


def _mint_email_link(invoice: Invoice, actor: Actor) -> str:
    _link, token = mint_download_link(
        invoice, actor=actor, expires_in=dt.timedelta(hours=EMAIL_LINK_HOURS), max_uses=1, purpose="email"
    )
    return download_url(token)
