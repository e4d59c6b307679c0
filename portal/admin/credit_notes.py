"""Admin credit notes: the form that issues one against an approved invoice (rules in portal.billing.credit_notes)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from portal.admin import bp
from portal.admin.helpers import apply_errors, current_actor
from portal.admin.invoice_forms import CreditNoteForm
from portal.billing.credit_notes import creditable, issue_credit_note
from portal.billing.invoices import get_invoice
from portal.extensions import db
from portal.forms import choices
from portal.foundations.errors import InvalidState, ValidationFailed
from portal.foundations.formatting import money
from portal.foundations.permissions import require


def _form(invoice, left) -> CreditNoteForm:
    form = CreditNoteForm()
    form.lines.choices = choices(
        (line.key, f"{line.name} — {money(line.charged, invoice.currency)}")
        for line in left.lines
        if line.charged > 0 and line.key not in left.credited_keys
    )
    return form


@bp.route("/invoices/<int:invoice_id>/credit-note", methods=["GET", "POST"])
def invoice_credit_note(invoice_id: int):
    """Issue a credit note: in full, for chosen lines, or for an amount with a reason (expert level 4)."""
    require(current_actor(), "invoice.credit")
    invoice = get_invoice(invoice_id)
    if not invoice.is_approved or invoice.is_credit_note:
        flash("Only an approved invoice can be credited.", "error")
        return redirect(url_for("admin.invoice_detail", invoice_id=invoice_id))
    left = creditable(invoice)
    form = _form(invoice, left)
    status = 200
    if form.is_submitted():
        try:
            note = issue_credit_note(
                invoice,
                mode=form.mode.data,
                line_keys=form.lines.data or (),
                amount=form.amount.data,
                reason=form.reason.data,
                actor=current_actor(),
            )
            number = note.invoice_number
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = 422
        except InvalidState as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("admin.invoice_detail", invoice_id=invoice_id))
        else:
            flash(f"Credit note {number} issued.", "success")
            return redirect(url_for("admin.invoice_detail", invoice_id=note.id), 303)
    return render_template("admin/invoices/credit_note.html", invoice=invoice, left=left, form=form), status
