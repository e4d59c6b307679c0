"""Admin invoice actions: each a CSRF-checked POST that calls one service, commits, and redirects with a message.

PermissionDenied is left to the app's error handler (403 naming the level needed); other
refusals come back as an error flash on the invoice page, or on the list when the invoice was
deleted meanwhile. Every state change locks the invoice in its service, so of two clicks at
once one acts and the other gets the service's refusal (e.g. "Invoice already approved").
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for

from portal.admin import bp
from portal.admin.failures import send_and_report
from portal.admin.helpers import attempt, current_actor, flash_error
from portal.admin.invoice_forms import DownloadLinkForm
from portal.billing.fill import reapply_discount_plans, refill_invoice
from portal.billing.invoices import approve_invoice, delete_invoice, get_invoice, recreate_documents
from portal.billing.payments import record_payment
from portal.billing.xero import link_invoice_to_xero, unlink_invoice_from_xero
from portal.delivery.email_queue import request_cdrs_email, request_invoice_email
from portal.delivery.links import (
    LINK_EXPIRY_HOURS,
    LINK_MAX_USES,
    download_url,
    mint_download_link,
    requested_link_limits,
    revoke_download_link,
)
from portal.delivery.marking import mark_invoice_delivered
from portal.extensions import db
from portal.foundations.errors import DeliveryFailed, NotFound, ServiceError, ValidationFailed
from portal.foundations.ids import row_id
from portal.foundations.permissions import require
from portal.reading.admin_pages import invoice_download_link

NEW_LINK_KEY = "new_download_link"


def _back(invoice_id: int):
    return redirect(url_for("admin.invoice_detail", invoice_id=invoice_id))


def _attempt(invoice_id: int, call, success: str | None = None):
    """Call one service and commit: (True, what it returned), flashing `success` formatted with it; or, refused,
    roll back, say why in a flash and give (False, the answer to send)."""
    try:
        result = call()
    except DeliveryFailed as exc:
        # The failed attempt is already committed in the delivery history; nothing else changed.
        db.session.rollback()
        flash(f"E-mail not sent: {exc.message} The attempt is in the delivery history; you can retry.", "error")
        return False, _back(invoice_id)
    except NotFound:
        db.session.rollback()
        return False, _gone(invoice_id)
    except ServiceError as exc:
        db.session.rollback()
        flash_error(exc)
        return False, _back(invoice_id)
    # Read before the commit, which expires the result (reading it after would load it again).
    message = success.format(result=result) if success else None
    # Approving: the commit also enqueues the PDF job (portal.billing.invoices.approve_invoice).
    db.session.commit()
    if message:
        flash(message, "success")
    return True, result


def _run(invoice_id: int, action, success: str):
    """Call `action(invoice)`; commit and flash `success` (formatted with the result), or flash the refusal."""
    invoice = get_invoice(invoice_id)
    done, result = _attempt(invoice_id, lambda: action(invoice), success)
    if not done:
        return result
    return _back(invoice_id)


def _gone(invoice_id: int):
    """The invoice was deleted by a change that committed first (e.g. a delete racing this action)."""
    flash(f"Invoice {invoice_id} no longer exists; it was deleted meanwhile.", "error")
    return redirect(url_for("admin.invoices_list"))


# The buttons that take nothing but the invoice: endpoint -> (path, service, what the flash says).
_PLAIN_ACTIONS = {
    "invoice_approve": ("approve", approve_invoice, "Invoice approved as {result.invoice_number}."),
    "invoice_refill": (
        "refill",
        refill_invoice,
        "Call transactions updated: the invoice was filled again from its CDRs and transactions.",
    ),
    "invoice_reapply_discounts": ("reapply-discounts", reapply_discount_plans, "Discount plans reapplied."),
    "invoice_recreate": ("recreate", recreate_documents, "Documents recreated."),
    "invoice_xero_unlink": ("xero/unlink", unlink_invoice_from_xero, "Xero link removed."),
}


def _plain_action(service, success: str):
    def view(invoice_id: int):
        return _run(invoice_id, lambda inv: service(inv, actor=current_actor()), success)

    return view


for _endpoint, (_path, _service, _success) in _PLAIN_ACTIONS.items():
    bp.add_url_rule(
        f"/invoices/<int:invoice_id>/{_path}", _endpoint, _plain_action(_service, _success), methods=["POST"]
    )


@bp.post("/invoices/<int:invoice_id>/delete")
def invoice_delete(invoice_id: int):
    """Delete once confirmed: the page's script asks and sends `confirmed=yes`; without it (no JavaScript, or
    a script that never loaded) the answer is a confirmation page, so Delete never acts on one click."""
    invoice = get_invoice(invoice_id)
    reference = invoice.reference
    if request.form.get("confirmed") != "yes" and not invoice.is_approved:
        require(current_actor(), "invoice.delete")
        return render_template("admin/invoices/confirm_delete.html", invoice=invoice)
    done, refused = _attempt(invoice_id, lambda: delete_invoice(invoice, actor=current_actor()))
    if not done:
        return refused
    flash(f"Invoice {reference} deleted.", "success")
    return redirect(url_for("admin.invoices_list"))


@bp.post("/invoices/<int:invoice_id>/email")
def invoice_email(invoice_id: int):
    form = request.form
    recipients = form.getlist("recipients") + ([form["extra"]] if form.get("extra", "").strip() else [])
    return _queue_email(
        invoice_id,
        lambda inv: request_invoice_email(
            inv,
            actor=current_actor(),
            recipients=recipients or None,
            bill_style=form.get("bill_style") or None,
            message=form.get("message") or None,
            attachments=form.getlist("attachments"),
            usage_report_profile=form.get("usage_report_profile") or None,
        ),
    )


@bp.post("/invoices/<int:invoice_id>/email-cdrs")
def invoice_email_cdrs(invoice_id: int):
    extra = request.form.get("extra", "").strip()
    return _queue_email(
        invoice_id, lambda inv: request_cdrs_email(inv, actor=current_actor(), recipients=extra or None)
    )


def _queue_email(invoice_id: int, request_email):
    """Record the e-mail request, commit, and send it through the job queue (inline: at once, reported)."""
    invoice = get_invoice(invoice_id)
    done, delivery = attempt(lambda: request_email(invoice))
    if done:
        send_and_report(delivery.id)
    return _back(invoice_id)


@bp.post("/invoices/<int:invoice_id>/payments")
def invoice_payment(invoice_id: int):
    form = request.form
    return _run(
        invoice_id,
        lambda inv: record_payment(
            inv,
            amount=form.get("amount", ""),
            paid_on=form.get("paid_on", ""),
            method=form.get("method") or None,
            reference=form.get("reference") or None,
            actor=current_actor(),
        ),
        "Payment of {result.amount} recorded.",
    )


@bp.post("/invoices/<int:invoice_id>/links")
def invoice_link_create(invoice_id: int):
    """Mint a download link and show its URL once (it is never shown again)."""
    invoice = get_invoice(invoice_id)
    form = DownloadLinkForm()  # its defaults stand for a field left out
    try:
        expires_in, uses = requested_link_limits(row_id(form.expires_in.data), row_id(form.max_uses.data))
    except ValidationFailed:
        flash(
            f"Choose an expiry of {', '.join(map(str, LINK_EXPIRY_HOURS))} hours"
            f" and {' or '.join(map(str, LINK_MAX_USES))} uses.",
            "error",
        )
        return _back(invoice_id)
    done, minted = attempt(
        lambda: mint_download_link(
            invoice, actor=current_actor(), expires_in=expires_in, max_uses=uses, purpose="admin"
        )
    )
    if not done:
        return _back(invoice_id)
    link, token = minted
    # Post/Redirect/Get: the address waits in the session for the one page that shows it, never in a URL
    # (where logs and the browser's history would keep it); reloading that page mints nothing.
    session[NEW_LINK_KEY] = {"link_id": link.id, "url": download_url(token)}
    return redirect(url_for("admin.invoice_link_created", invoice_id=invoice_id, link_id=link.id), 303)


@bp.get("/invoices/<int:invoice_id>/links/<int:link_id>")
def invoice_link_created(invoice_id: int, link_id: int):
    """The new link's address, once: a second look (a reload, Back) finds it gone from the session."""
    invoice = get_invoice(invoice_id)
    link = invoice_download_link(invoice.id, link_id)
    shown = session.get(NEW_LINK_KEY) or {}
    if link is None or shown.get("link_id") != link_id:
        flash(
            f"The address of download link {link_id} was shown once, when it was created."
            " If it was not copied, revoke the link and generate a new one.",
            "info",
        )
        return _back(invoice_id)
    session.pop(NEW_LINK_KEY)
    page = render_template("admin/invoices/link_created.html", invoice=invoice, link=link, url=shown["url"])
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/invoices/<int:invoice_id>/links/<int:link_id>/revoke")
def invoice_link_revoke(invoice_id: int, link_id: int):
    def revoke(invoice):
        link = invoice_download_link(invoice.id, link_id)
        if link is None:
            raise ValidationFailed.single("link", "This download link does not belong to the invoice.")
        return revoke_download_link(link, actor=current_actor())

    return _run(invoice_id, revoke, "Download link revoked.")


@bp.post("/invoices/<int:invoice_id>/xero")
def invoice_xero_link(invoice_id: int):
    return _run(
        invoice_id,
        lambda inv: link_invoice_to_xero(inv, request.form.get("xero_id", ""), actor=current_actor()),
        "Invoice linked to Xero invoice {result.xero_id}.",
    )


@bp.post("/invoices/<int:invoice_id>/delivered")
def invoice_mark_delivered(invoice_id: int):
    how = request.form.get("how", "printed")
    return _run(
        invoice_id,
        lambda inv: mark_invoice_delivered(inv, actor=current_actor(), how=how),
        f"Invoice marked delivered ({how}).",
    )
