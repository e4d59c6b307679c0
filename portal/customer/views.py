"""Customer portal pages: parse the request, call one service, render (no business rules here)."""

from __future__ import annotations

import datetime as dt

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.customer import bp
from portal.customer.charts import bar_chart, series_chart
from portal.customer.exports import invoice_list_csv
from portal.customer.forms import AccountSwitchForm, DownloadPdfForm, InvoiceFilterForm
from portal.customers.scope import CustomerScope
from portal.delivery.invoice_files import ubl_file
from portal.delivery.links import download_pdf_for_customer
from portal.documents.csv import iter_invoice_cdrs_csv
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import InvalidState, ValidationFailed
from portal.foundations.formatting import local_date_text
from portal.foundations.permissions import customer_actor
from portal.foundations.streaming import csv_download
from portal.htmx import render as render_htmx
from portal.reading.customer_detail import (
    CreditNoteDetail,
    InvoiceDetail,
    get_invoice_for_customer,
    invoice_detail_for_customer,
)
from portal.reading.customer_views import PRESETS, customer_dashboard, iter_customer_invoices, list_customer_invoices

DASHBOARD_LATEST = 5
CHART_INVOICES = 12


def _scope() -> CustomerScope:
    return CustomerScope.for_user(current_user)


def _today() -> dt.date:
    return utcnow().date()


@bp.get("/")
def dashboard():
    scope, now = _scope(), utcnow()
    today = now.date()
    form = AccountSwitchForm(request.args, scope.accounts)
    figures = customer_dashboard(
        scope,
        today=today,
        now=now,
        account_id=form.account_id if form.validate() else None,
        latest=DASHBOARD_LATEST,
        chart=CHART_INVOICES,
    )
    return render_template(
        "customer/dashboard.html",
        form=form,
        accounts=scope.accounts,
        totals=figures.totals,
        latest=figures.latest,
        charts=_spend_charts(figures.chart_invoices),
        usage=figures.usage,
        today=today,
    )


def _spend_charts(invoices) -> list:
    """One chart per currency (amounts in different currencies never share a scale), one series per
    account in it with a legend, oldest bar first in each."""
    charts = []
    for currency in sorted({inv.currency for inv in invoices}):
        mine = [inv for inv in invoices if inv.currency == currency]
        accounts = sorted({inv.account for inv in mine}, key=lambda a: (a.name, a.id))
        # Each bar is one invoice, labelled with the first day of its period in the account's zone.
        series = [
            (
                account.name,
                [
                    (local_date_text(inv.start_date, account.timezone), inv.amount_spent)
                    for inv in mine
                    if inv.account_id == account.id
                ],
            )
            for account in accounts
        ]
        charts.append(
            series_chart(
                _("Spend per period (%(currency)s)", currency=currency),
                _(
                    "Amount spent in each period of your last %(count)s %(currency)s invoices, one series per "
                    "account, oldest first; each bar is labelled with the first day of the period.",
                    count=len(mine),
                    currency=currency,
                ),
                currency,
                series,
            )
        )
    return charts


def _filtered_page(scope: CustomerScope, today: dt.date):
    form = InvoiceFilterForm(request.args, scope.accounts)
    page, filters = None, None
    if form.validate():
        filters = form.to_filters(today)
        try:
            page = list_customer_invoices(scope, filters, today=today)
        except ValidationFailed as exc:
            form.add_service_errors(exc)
    return form, filters, page


@bp.get("/invoices")
def invoices_list():
    return render_htmx("customer/invoices/list.html", "customer/invoices/_table.html", **invoice_list_context())


def invoice_list_context() -> dict:
    """What the invoice list's templates get for this request (also the benchmark's template yardstick's)."""
    scope, today = _scope(), _today()
    form, filters, page = _filtered_page(scope, today)
    return dict(
        # The address bar gets the filters without the empty fields a submitted form carries.
        push_url=url_for("customer.invoices_list", **form.query_args()),
        form=form,
        filters=filters,
        page=page,
        today=today,
        presets=PRESETS,
        several_accounts=len(scope.accounts) > 1,
    )


@bp.get("/invoices.csv")
def invoices_csv():
    scope, today = _scope(), _today()
    form = InvoiceFilterForm(request.args, scope.accounts)
    if not form.validate():
        return _list_with_errors(form, today)
    try:
        invoices = iter_customer_invoices(scope, form.to_filters(today), today=today)
    except ValidationFailed as exc:
        form.add_service_errors(exc)
        return _list_with_errors(form, today)
    return csv_download(invoice_list_csv(invoices, today=today), filename=_csv_filename(form, today))


def _csv_filename(form: InvoiceFilterForm, today: dt.date) -> str:
    """`invoices-overdue-2026-01-01-to-2026-03-31-2026-04-02.csv`: what was filtered, then the day it was taken."""
    filters = form.query_args(page=None, sort=None, direction=None, per_page=None)
    parts = ["invoices"]
    for name in ("status", "preset", "account", "number"):
        if filters.get(name):
            parts.append(str(filters[name]))
    if filters.get("period_from") or filters.get("period_to"):
        parts.append(f"{filters.get('period_from') or 'start'}-to-{filters.get('period_to') or 'now'}")
    parts.append(today.isoformat())
    return "-".join(parts) + ".csv"


def _list_with_errors(form: InvoiceFilterForm, today: dt.date):
    return render_template(
        "customer/invoices/list.html",
        form=form,
        filters=None,
        page=None,
        today=today,
        presets=PRESETS,
        fragment=False,
        several_accounts=len(form.account.choices) > 2,
    ), 400


@bp.get("/invoices/<invoice_uuid>")
def invoice_detail(invoice_uuid: str):
    template, context = invoice_detail_page(invoice_detail_for_customer(_scope(), invoice_uuid, _today()))
    return render_template(template, **context)


def invoice_detail_page(detail: InvoiceDetail | CreditNoteDetail) -> tuple[str, dict]:
    """The template of an invoice's (or credit note's) page and what it gets (also the benchmark's template
    yardstick's)."""
    if isinstance(detail, CreditNoteDetail):
        return "customer/invoices/credit_note.html", dict(
            invoice=detail.invoice, lines=detail.lines, has_pdf=detail.has_pdf, pdf_form=DownloadPdfForm()
        )
    invoice, breakdown = detail.invoice, detail.breakdown
    mix = bar_chart(
        _("Originated, terminated and services"),
        _("What the invoice's spend is made of: calls you originated, calls you terminated, services."),
        invoice.currency,
        [
            (_("Originated calls"), breakdown.originated),
            (_("Terminated calls"), breakdown.terminated),
            (_("Services"), breakdown.services),
        ],
    )
    by_country = bar_chart(
        _("Spend by country"), _("Amount spent on calls to each country."), invoice.currency, breakdown.spend_by_country
    )
    return "customer/invoices/detail.html", dict(
        invoice=invoice,
        breakdown=breakdown,
        statement=detail.statement,
        payment_qr=detail.payment_qr,
        status=detail.statement.status,
        has_pdf=detail.has_pdf,
        has_cdrs=detail.has_cdrs,
        mix_chart=mix,
        country_chart=by_country,
        pdf_form=DownloadPdfForm(),
        credit_notes=detail.credit_notes,
    )


@bp.post("/invoices/<invoice_uuid>/pdf")
def invoice_pdf(invoice_uuid: str):
    form = DownloadPdfForm()
    if not form.validate_on_submit():
        flash(_("The download form expired; please try again."), "error")
        return redirect(url_for("customer.invoice_detail", invoice_uuid=invoice_uuid))
    try:
        invoice, document = download_pdf_for_customer(_scope(), invoice_uuid, actor=customer_actor(current_user))
    except InvalidState as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("customer.invoice_detail", invoice_uuid=invoice_uuid))
    data = document.data
    db.session.commit()
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


@bp.get("/invoices/<invoice_uuid>/ubl.xml")
def invoice_ubl(invoice_uuid: str):
    """The invoice's e-invoice, Peppol BIS Billing 3.0 UBL 2.1 (a CreditNote for a credit note)."""
    invoice = get_invoice_for_customer(_scope(), invoice_uuid)
    try:
        filename, content_type, data = ubl_file(invoice)
    except InvalidState as exc:
        flash(exc.message, "error")
        return redirect(url_for("customer.invoice_detail", invoice_uuid=invoice_uuid))
    response = Response(data, mimetype=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/invoices/<invoice_uuid>/cdrs.csv")
def invoice_cdrs_csv(invoice_uuid: str):
    invoice = get_invoice_for_customer(_scope(), invoice_uuid)
    return csv_download(
        iter_invoice_cdrs_csv(invoice), filename=f"cdrs-{invoice.invoice_number or invoice.reference}.csv"
    )
