"""Admin pages for customers: list, detail (accounts, contacts, users), create, edit, delete, contacts."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from portal.admin import bp
from portal.admin.forms import ConfirmForm, ContactForm, CustomerForm
from portal.admin.helpers import (
    NOT_SAVED,
    commit_or_explain,
    current_actor,
    page_arg,
    save_form,
    save_form_page,
)
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
from portal.foundations.errors import NotFound
from portal.foundations.permissions import require
from portal.models import DELIVERY_FORMATS, Customer
from portal.reading.paging import COUNT_LIMIT

PER_PAGE = 50


def _country_choices():
    by_name = sorted(((code, f"{name} ({code})") for code, name in country_names().items()), key=lambda c: c[1])
    return choices([("", "—")] + by_name)


@bp.get("/customers")
def customers_list():
    # PostgreSQL refuses NUL in text parameters: a search for it is a search for nothing.
    search = (request.args.get("q") or "").replace("\x00", "").strip()[:100]
    page = page_arg()
    found = list_customers(search=search, page=page, per_page=PER_PAGE, count_limit=COUNT_LIMIT)
    pages = max(1, -(-found.total // PER_PAGE))
    if not found.exact:  # "more than 1,000": the pages known so far
        pages = max(pages, page + 1 if found.more else page)
    return render_template(
        "admin/customers/list.html",
        customers=found.customers,
        total_label=f"{found.total:,}" if found.exact else f"more than {found.total:,}",
        exact=found.exact,
        search=search,
        page=min(page, pages),
        pages=pages,
    )


def _detail_page(customer, contact_form=None):
    return render_template(
        "admin/customers/detail.html",
        customer=customer,
        contact_form=contact_form or ContactForm(),
        confirm=ConfirmForm(),
        users=list_customer_users(customer.id),
        delivery_formats=DELIVERY_FORMATS,
    )


def _without_enabled(data: dict) -> dict:
    """The form's data for a new customer, which always starts enabled."""
    return {name: value for name, value in data.items() if name != "enabled"}


@bp.get("/customers/<int:customer_id>")
def customers_detail(customer_id: int):
    return _detail_page(get_customer(customer_id))


def _customer_form(customer: Customer | None, save, message):
    """The customer form (a new customer when `customer` is None), saved through `save(form)`, then the
    customer's page."""
    require(current_actor(), "customer.write")
    form = CustomerForm(obj=customer)
    form.country_code.choices = _country_choices()
    return save_form_page(
        form,
        lambda: save(form),
        message,
        "admin/customers/form.html",
        lambda saved: url_for("admin.customers_detail", customer_id=saved.id),
        aliases={"country": "country_code"},
        code=302,  # the customer pages have always answered 302
        customer=customer,
    )


@bp.route("/customers/new", methods=["GET", "POST"])
def customers_create():
    return _customer_form(
        None,
        lambda form: create_customer(actor=current_actor(), **_without_enabled(form.service_data())),
        lambda customer: f"Customer {customer.name} created.",
    )


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
def customers_edit(customer_id: int):
    customer = get_customer(customer_id)
    return _customer_form(
        customer,
        lambda form: update_customer(customer, actor=current_actor(), **form.service_data()),
        lambda _: f"Customer {customer.name} saved.",
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
    saved = save_form(
        form,
        lambda: add_contact(customer, email=form.email.data, name=form.name.data, actor=current_actor()),
        lambda contact: f"Contact {contact.email} added.",
    )
    if saved is not NOT_SAVED:
        return redirect(url_for("admin.customers_detail", customer_id=customer_id, _anchor="contacts"), 303)
    return _detail_page(customer, contact_form=form), 422


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
