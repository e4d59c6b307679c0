"""Admin pages for customers: list, detail (accounts, contacts, users), create, edit, delete, contacts."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from portal.admin import bp
from portal.admin.forms import ConfirmForm, ContactForm, CustomerForm
from portal.admin.helpers import apply_errors, commit_or_explain, current_actor, has_errors, page_arg
from portal.customers.customers import (
    add_contact,
    country_names,
    create_customer,
    delete_contact,
    delete_customer,
    get_contact,
    get_customer,
    list_customers,
    update_customer,
)
from portal.customers.users import list_customer_users
from portal.extensions import db
from portal.forms import choices
from portal.foundations.errors import NotFound, ValidationFailed
from portal.foundations.permissions import require
from portal.models import DELIVERY_FORMATS

PER_PAGE = 50


def _country_choices():
    by_name = sorted(((code, f"{name} ({code})") for code, name in country_names().items()), key=lambda c: c[1])
    return choices([("", "—")] + by_name)


@bp.get("/customers")
def customers_list():
    # PostgreSQL refuses NUL in text parameters: a search for it is a search for nothing.
    search = (request.args.get("q") or "").replace("\x00", "").strip()[:100]
    customers, total = list_customers(search=search, page=page_arg(), per_page=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render_template(
        "admin/customers/list.html",
        customers=customers,
        total=total,
        search=search,
        page=min(page_arg(), pages),
        pages=pages,
    )


@bp.get("/customers/<int:customer_id>")
def customers_detail(customer_id: int):
    customer = get_customer(customer_id)
    return render_template(
        "admin/customers/detail.html",
        customer=customer,
        contact_form=ContactForm(),
        confirm=ConfirmForm(),
        users=list_customer_users(customer.id),
        delivery_formats=DELIVERY_FORMATS,
    )


@bp.route("/customers/new", methods=["GET", "POST"])
def customers_create():
    require(current_actor(), "customer.write")
    form = CustomerForm()
    form.country_code.choices = _country_choices()
    if form.validate_on_submit():
        data = form.service_data()
        data.pop("enabled")
        try:
            customer = create_customer(actor=current_actor(), **data)
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc, {"country": "country_code"})
        else:
            flash(f"Customer {customer.name} created.", "success")
            return redirect(url_for("admin.customers_detail", customer_id=customer.id))
    return render_template("admin/customers/form.html", form=form, customer=None), 422 if has_errors(form) else 200


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
def customers_edit(customer_id: int):
    customer = get_customer(customer_id)
    require(current_actor(), "customer.write")
    form = CustomerForm(obj=customer)
    form.country_code.choices = _country_choices()
    if form.validate_on_submit():
        try:
            update_customer(customer, actor=current_actor(), **form.service_data())
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc, {"country": "country_code"})
        else:
            flash(f"Customer {customer.name} saved.", "success")
            return redirect(url_for("admin.customers_detail", customer_id=customer.id))
    return (
        render_template("admin/customers/form.html", form=form, customer=customer),
        422 if has_errors(form) else 200,
    )


@bp.post("/customers/<int:customer_id>/delete")
def customers_delete(customer_id: int):
    customer = get_customer(customer_id)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("admin.customers_detail", customer_id=customer_id))
    name = customer.name
    if not commit_or_explain(lambda: delete_customer(customer, actor=current_actor()), f"Customer {name} deleted."):
        return redirect(url_for("admin.customers_detail", customer_id=customer_id), 303)
    return redirect(url_for("admin.customers_list"), 303)


@bp.post("/customers/<int:customer_id>/contacts")
def contacts_create(customer_id: int):
    customer = get_customer(customer_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            contact = add_contact(customer, email=form.email.data, name=form.name.data, actor=current_actor())
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(f"Contact {contact.email} added.", "success")
            return redirect(url_for("admin.customers_detail", customer_id=customer_id, _anchor="contacts"), 303)
    return render_template(
        "admin/customers/detail.html",
        customer=customer,
        contact_form=form,
        confirm=ConfirmForm(),
        users=list_customer_users(customer.id),
        delivery_formats=DELIVERY_FORMATS,
    ), 422


@bp.post("/customers/<int:customer_id>/contacts/<int:contact_id>/delete")
def contacts_delete(customer_id: int, contact_id: int):
    contact = get_contact(contact_id)
    if contact.customer_id != customer_id:
        raise NotFound(f"No contact with id {contact_id}.")
    if ConfirmForm().validate_on_submit():
        delete_contact(contact, actor=current_actor())
        db.session.commit()
        flash("Contact removed.", "success")
    return redirect(url_for("admin.customers_detail", customer_id=customer_id, _anchor="contacts"), 303)
