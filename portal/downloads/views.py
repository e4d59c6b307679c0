"""The public download route `/d/<token>`: a landing page on GET, the counted download on POST."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from portal.customers.scope import get_customer_invoice, scope_for_user
from portal.delivery.links import consume_download, find_link, read_link
from portal.delivery.log_filter import install_token_redaction
from portal.documents.qr import payment_qr_svg
from portal.extensions import csrf, db
from portal.foundations.database import utcnow
from portal.foundations.dates import local_date
from portal.foundations.errors import Gone, NotFound
from portal.foundations.i18n import in_language
from portal.statement import build_statement

bp = Blueprint("download", __name__)


@bp.record_once
def _redact_tokens_in_logs(state) -> None:
    install_token_redaction(state.app.logger)


@bp.after_request
def _private(response):
    # The token is the credential: never cache the page or the file, never send it on as a Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _fresh_link_target(token: str) -> str | None:
    """The invoice page where a signed-in customer who may see the invoice can get a new link."""
    if not (current_user.is_authenticated and getattr(current_user, "kind", None) == "customer"):
        return None
    if "customer.invoice_detail" not in current_app.view_functions:
        return None
    link = find_link(token)
    if link is None:
        return None
    customer_id, accounts = scope_for_user(current_user)
    try:
        invoice = get_customer_invoice(customer_id, accounts, invoice_id=link.invoice_id)
    except NotFound:
        return None
    return str(invoice.uuid)


def _refused(token: str, exc: NotFound | Gone):
    db.session.rollback()
    if isinstance(exc, Gone):
        page = render_template("delivery/link_gone.html", message=exc.message, invoice_uuid=_fresh_link_target(token))
        return page, 410
    return render_template("delivery/link_invalid.html", message=exc.message), 404


@bp.get("/d/<token>")
def landing(token: str):
    """Shows what the link is for; takes no use (mail scanners and link previews open links)."""
    try:
        link = read_link(token)
    except (NotFound, Gone) as exc:
        return _refused(token, exc)
    invoice = link.invoice
    statement = build_statement(invoice, local_date(utcnow(), invoice.account.timezone))
    # In the language of the customer the link was sent to, whoever opens it.
    with in_language(invoice.customer.language if invoice.customer is not None else None):
        return render_template(
            "delivery/landing.html",
            link=link,
            invoice=invoice,
            token=token,
            uses_left=link.max_uses - link.uses,
            statement=statement,
            payment_qr=payment_qr_svg(statement.payment.epc_payload),
        )


@bp.post("/d/<token>")
@csrf.exempt  # The signed token is the credential; there is no session whose authority a forged form could borrow.
def download(token: str):
    """The counted download: one use taken atomically, the stored PDF as an attachment."""
    try:
        invoice, document = consume_download(token)
    except (NotFound, Gone) as exc:
        return _refused(token, exc)
    data, filename = document.data, f"{invoice.invoice_number}.pdf"
    db.session.commit()
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Length"] = str(len(data))
    return response
