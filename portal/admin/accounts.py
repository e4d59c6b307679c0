"""Admin pages for accounts: create and edit the invoicing settings, delete, and manage discount plans."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from portal.admin import bp
from portal.admin.forms import AccountForm, ConfirmForm, DiscountPlanForm
from portal.admin.helpers import NOT_SAVED, commit_or_explain, current_actor, has_errors, save_form
from portal.customers.accounts import (
    add_discount_plan,
    bill_style_names,
    create_account,
    delete_account,
    delete_discount_plan,
    get_account,
    get_discount_plan,
    set_discount_plan_active,
    timezone_names,
    update_account,
)
from portal.customers.customers import get_customer
from portal.extensions import db
from portal.forms import choices
from portal.foundations.errors import NotFound
from portal.foundations.permissions import require

_ALIASES = {
    "payment-terms": "payment_terms_days",
    "reference-template": "invoice_ref_template",
    "invoice-contacts": "invoice_contact_ids",
}


def _account_form(customer, account=None) -> AccountForm:
    form = AccountForm(obj=account)
    if account is not None and not form.is_submitted():
        form.invoice_contact_ids.data = [str(c.id) for c in account.invoice_contacts]
        form.invoice_period.data = account.invoice_period or ""
        form.max_call_duration.data = "" if account.max_call_duration is None else str(account.max_call_duration)
        form.vat_rate.data = f"{account.vat_rate.normalize():f}"
        form.billing_increment.data = f"{account.billing_increment_first}/{account.billing_increment_next}"
    form.invoice_contact_ids.choices = choices(
        (str(c.id), f"{c.name or ''} <{c.email}>".strip()) for c in customer.contacts
    )
    form.bill_style.choices = choices((s, s) for s in bill_style_names())
    return form


def _render_form(form, customer, account, plan_form=None):
    status = 422 if has_errors(form) or (plan_form is not None and has_errors(plan_form)) else 200
    return render_template(
        "admin/accounts/form.html",
        form=form,
        customer=customer,
        account=account,
        plan_form=plan_form or DiscountPlanForm(),
        confirm=ConfirmForm(),
        timezones=timezone_names(),
    ), status


def _save(form, customer, account, save):
    """Create (`account` None) or change an account through `save()`; back to its page, or the form with errors."""
    verb = "created" if account is None else "saved"
    saved = save_form(form, save, lambda saved: f"Account {saved.name} {verb}.", _ALIASES)
    if saved is NOT_SAVED:
        return _render_form(form, customer, account)
    return redirect(url_for("admin.accounts_edit", account_id=saved.id), 303)


@bp.route("/customers/<int:customer_id>/accounts/new", methods=["GET", "POST"])
def accounts_create(customer_id: int):
    customer = get_customer(customer_id)
    require(current_actor(), "account.write")
    form = _account_form(customer)
    return _save(form, customer, None, lambda: create_account(customer, actor=current_actor(), **form.service_data()))


@bp.route("/accounts/<int:account_id>", methods=["GET", "POST"])
def accounts_edit(account_id: int):
    account = get_account(account_id)
    customer = account.customer
    form = _account_form(customer, account)
    if form.is_submitted():
        require(current_actor(), "account.write")
    return _save(form, customer, account, lambda: update_account(account, actor=current_actor(), **form.service_data()))


@bp.post("/accounts/<int:account_id>/delete")
def accounts_delete(account_id: int):
    account = get_account(account_id)
    customer_id, name = account.customer_id, account.name
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.accounts_edit", account_id=account_id), 303)
    if not commit_or_explain(lambda: delete_account(account, actor=current_actor()), f"Account {name} deleted."):
        return redirect(url_for("admin.accounts_edit", account_id=account_id), 303)
    return redirect(url_for("admin.customers_detail", customer_id=customer_id), 303)


@bp.post("/accounts/<int:account_id>/discount-plans")
def discount_plans_create(account_id: int):
    account = get_account(account_id)
    plan_form = DiscountPlanForm()
    plan = save_form(
        plan_form,
        lambda: add_discount_plan(
            account,
            name=plan_form.name.data,
            kind=plan_form.kind.data,
            prefixes=plan_form.prefixes.data,
            percent=plan_form.percent.data,
            free_minutes=plan_form.free_minutes.data,
            actor=current_actor(),
        ),
        lambda plan: f"Discount plan {plan.name} added.",
    )
    if plan is not NOT_SAVED:
        return redirect(url_for("admin.accounts_edit", account_id=account_id, _anchor="discount-plans"), 303)
    account = get_account(account_id)
    form = _account_form(account.customer, account)
    return _render_form(form, account.customer, account, plan_form)


def _plan_of(account_id: int, plan_id: int):
    plan = get_discount_plan(plan_id)
    if plan.account_id != account_id:
        raise NotFound(f"No discount plan with id {plan_id}.")
    return plan


@bp.post("/accounts/<int:account_id>/discount-plans/<int:plan_id>/toggle")
def discount_plans_toggle(account_id: int, plan_id: int):
    plan = _plan_of(account_id, plan_id)
    if ConfirmForm().validate_on_submit():
        set_discount_plan_active(plan, not plan.active, actor=current_actor())
        db.session.commit()
        flash(f"Discount plan {plan.name} {'activated' if plan.active else 'deactivated'}.", "success")
    return redirect(url_for("admin.accounts_edit", account_id=account_id, _anchor="discount-plans"), 303)


@bp.post("/accounts/<int:account_id>/discount-plans/<int:plan_id>/delete")
def discount_plans_delete(account_id: int, plan_id: int):
    plan = _plan_of(account_id, plan_id)
    if ConfirmForm().validate_on_submit():
        delete_discount_plan(plan, actor=current_actor())
        db.session.commit()
        flash("Discount plan removed.", "success")
    return redirect(url_for("admin.accounts_edit", account_id=account_id, _anchor="discount-plans"), 303)
