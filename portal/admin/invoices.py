"""Admin invoice pages: the list across customers (filters, htmx, bulk actions), create, and the invoice page."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal.admin import bp
from portal.admin.helpers import apply_field_errors, current_actor
from portal.admin.invoice_forms import (
    ConfirmForm,
    DownloadLinkForm,
    EmailCdrsForm,
    EmailInvoiceForm,
    InvoiceCreateForm,
    MarkDeliveredForm,
    PaymentForm,
    XeroLinkForm,
)
from portal.billing.creation import create_and_fill_invoice
from portal.billing.credit_notes import credit_notes_of
from portal.billing.invoices import get_invoice
from portal.billing.xero import xero_enabled
from portal.delivery.email_choices import known_bill_styles
from portal.delivery.invoice_files import ubl_file
from portal.delivery.recipients import default_recipients
from portal.delivery.records import open_failure_ids
from portal.documents.service import draft_pdf_preview
from portal.extensions import db
from portal.forms import choices
from portal.foundations.database import utcnow
from portal.foundations.errors import InvalidState, ValidationFailed
from portal.foundations.ids import row_id
from portal.htmx import render as render_htmx
from portal.models import (
    STATUS_FILTER_LABELS,
    STATUS_FILTERS,
    TYPES,
    Attachment,
    InvoiceState,
    MessageTemplate,
    UsageReportProfile,
)
from portal.reading import paging
from portal.reading.admin_invoice import admin_invoice_detail
from portal.reading.admin_pages import (
    account_choices_of,
    customer_name,
    customer_named,
    customer_names_containing,
    stored_invoice_document,
)
from portal.reading.invoice_search import parse_invoice_filters, search_invoices

SUGGESTIONS = 20
ACCOUNT_CHOICES = 500
CREATE_FIELDS = {"account": "account", "start-date": "start_date", "end-date": "end_date"}


@bp.get("/invoices")
def invoices_list():
    """Every invoice of every customer (all states by default); the same view answers htmx with the results only.

    Next and Previous carry a cursor (keyset paging, portal.reading.list_cursor); sorting or filtering
    drops it and starts again from the first page.
    """
    today = utcnow().date()
    try:
        filters = parse_invoice_filters(request.args, include_unsent_default=True, keyset=True, today=today)
        page, errors = search_invoices(filters, count_limit=paging.COUNT_LIMIT), []
    except ValidationFailed as exc:
        page, errors = None, exc.errors
    list_args = {k: v for k, v in request.args.items() if k not in ("after", "before")}
    context = {
        "page": page,
        "errors": errors,
        "args": request.args,
        "list_args": list_args,
        "states": tuple(InvoiceState),
        "types": TYPES,
        "statuses": [(value, STATUS_FILTER_LABELS[value]) for value in STATUS_FILTERS],
        "accounts": _filter_accounts(request.args),
        "customer_name": _customer_name(request.args),
        "today": today,
        "bulk": ConfirmForm(),
    }
    return render_htmx(
        "admin/invoices/list.html",
        "admin/invoices/_results.html",
        target="invoice-results",
        push_url=url_for("admin.invoices_list", **{k: v for k, v in request.args.items() if v}),
        **context,
    )


@bp.route("/invoices/new", methods=["GET", "POST"])
def invoice_create():
    """Create a manual invoice; the engine's errors appear beside the fields. The fill runs as a job.

    The customer is typed (search as you type, as on the list) and the Account choice offers only its
    accounts: htmx swaps them in when the customer changes; without JavaScript, "Show its accounts"
    posts the form back and it comes again with them, keeping everything typed.
    """
    # A GET reads its query: a link (or the form without JavaScript) may name the customer.
    form = InvoiceCreateForm(request.args) if request.method == "GET" else InvoiceCreateForm()
    name = (form.customer.data or "").strip()
    form.account.choices = _account_choices(name)
    form.customer_known = not name or customer_named(name)
    if request.method == "POST" and "show_accounts" in request.form:
        form.validate()
        form.account.errors = []
        return render_template("admin/invoices/create.html", form=form), 422 if form.customer.errors else 200
    if form.validate_on_submit():
        try:
            invoice = create_and_fill_invoice(
                account_id=form.account.data,
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                actor=current_actor(),
            )
        except ValidationFailed as exc:
            apply_field_errors(form, exc, CREATE_FIELDS)
        else:
            flash(
                f"Invoice {invoice.reference} created for {invoice.account.name}; its charges are being filled.",
                "success",
            )
            return redirect(url_for("admin.invoice_detail", invoice_id=invoice.id))
    return render_template("admin/invoices/create.html", form=form), 422 if form.errors or getattr(
        form, "form_errors", None
    ) else 200


@bp.get("/invoices/account-options")
def invoice_account_options():
    """The <option>s of the accounts of the customer named (htmx, when the new-invoice form's customer changes)."""
    return render_template(
        "admin/invoices/_account_options.html", choices=_account_choices((request.args.get("customer") or "").strip())
    )


@bp.get("/invoices/customer-suggestions")
def invoice_customer_suggestions():
    """Up to 20 customer names containing what was typed, as <option>s of the filter's datalist (htmx)."""
    typed = (request.args.get("customerName") or request.args.get("customer") or "").strip()
    names = customer_names_containing(typed, SUGGESTIONS) if typed else []
    return render_template("admin/invoices/_customer_suggestions.html", names=names)


@bp.get("/invoices/<int:invoice_id>")
def invoice_detail(invoice_id: int):
    detail = admin_invoice_detail(invoice_id, utcnow())
    invoice, deliveries = detail.invoice, detail.deliveries
    email_form = EmailInvoiceForm(formdata=None)
    contacts = default_recipients(invoice)
    email_form.recipients.choices = choices((a, a) for a in contacts)
    email_form.recipients.data = contacts
    email_form.bill_style.choices = choices(
        [("", f"As stored ({invoice.bill_style})")] + [(s, s) for s in known_bill_styles()]
    )
    email_form.message.choices = choices(
        [("", "Built-in message")]
        + [(t, t) for t in db.session.scalars(select(MessageTemplate.name).order_by(MessageTemplate.name))]
    )
    email_form.attachments.choices = choices(
        (n, n) for n in db.session.scalars(select(Attachment.name).order_by(Attachment.name))
    )
    email_form.usage_report_profile.choices = choices(
        [("", "None")]
        + [(n, n) for n in db.session.scalars(select(UsageReportProfile.name).order_by(UsageReportProfile.name))]
    )
    return render_template(
        "admin/invoices/detail.html",
        invoice=invoice,
        statement=detail.statement,
        documents=detail.documents,
        deliveries=deliveries,
        links=detail.links,
        audit=detail.audit,
        retryable=open_failure_ids(deliveries),
        xero_enabled=xero_enabled(),
        now=utcnow(),
        email_form=email_form,
        cdrs_form=EmailCdrsForm(formdata=None),
        payment_form=PaymentForm(formdata=None),
        link_form=DownloadLinkForm(formdata=None),
        xero_form=XeroLinkForm(formdata=None),
        delivered_form=MarkDeliveredForm(formdata=None),
        confirm=ConfirmForm(),
        credit_notes=credit_notes_of(invoice),
    )


@bp.get("/invoices/<int:invoice_id>/draft.pdf")
def invoice_draft_pdf(invoice_id: int):
    """The draft PDF of a pending invoice, rendered for this look only (never stored or sent)."""
    try:
        filename, data = draft_pdf_preview(get_invoice(invoice_id), actor=current_actor())
    except InvalidState as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.invoice_detail", invoice_id=invoice_id), 303)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=False, download_name=filename)


@bp.get("/invoices/<int:invoice_id>/documents/<kind>")
def invoice_document(invoice_id: int, kind: str):
    """A stored document of the invoice (admins read; this is not a customer delivery)."""
    invoice = get_invoice(invoice_id)
    document = stored_invoice_document(invoice.id, kind)
    if document is None:
        abort(404, "This invoice has no such document.")
    return send_file(
        io.BytesIO(document.data), mimetype=document.content_type, as_attachment=True, download_name=document.filename
    )


@bp.get("/invoices/<int:invoice_id>/ubl.xml")
def invoice_ubl(invoice_id: int):
    """The invoice's (or credit note's) Peppol UBL 2.1 XML, made from the invoice as it stands."""
    invoice = get_invoice(invoice_id)
    try:
        filename, content_type, data = ubl_file(invoice)
    except InvalidState as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.invoice_detail", invoice_id=invoice_id))
    return send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True, download_name=filename)


def _customer_name(args) -> str:
    """What the customer search shows: what was typed, or the name of the customer a link chose by id."""
    typed = (args.get("customerName") or "").strip()
    if typed or not (args.get("customer") or "").isdigit():
        return typed
    customer_id = row_id(args["customer"])
    return (customer_name(customer_id) if customer_id else None) or ""


def _filter_accounts(args) -> list:
    """The accounts the list's Account choice offers: those of the customer chosen (by id, or by its whole
    name typed in the customer search); none before a customer is chosen, so the page never lists them all."""
    customer_id = row_id(args.get("customer", "")) if (args.get("customer") or "").isdigit() else None
    return account_choices_of(customer_id, (args.get("customerName") or "").strip(), ACCOUNT_CHOICES)


def _account_choices(customer: str) -> list[SelectChoice]:
    """The accounts of the customer with this whole name (any case); none before one is named."""
    accounts = account_choices_of(None, customer, ACCOUNT_CHOICES) if customer else []
    return choices(
        [("", "Choose an account" if accounts else "Choose a customer first")]
        + [
            (str(a.id), f"{a.name}{' (automatic: ' + a.invoice_period + ')' if a.invoice_period else ''}")
            for a in accounts
        ]
    )
