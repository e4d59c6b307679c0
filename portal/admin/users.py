"""Admin pages for people: admin users (create, level, disable) and customer users (invite, limit, disable)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from portal.admin import bp
from portal.admin.forms import AdminUserForm, ConfirmForm, InviteForm, LevelForm, LimitAccountsForm
from portal.admin.helpers import (
    apply_errors,
    commit_or_explain,
    current_actor,
    form_page,
    save_form_page,
)
from portal.customers.customers import get_customer
from portal.customers.users import (
    change_admin_level,
    create_admin_user,
    get_admin_user,
    get_customer_user,
    invite_customer_user,
    limit_customer_user,
    list_admin_users,
    list_customer_users,
    reinvite_customer_user,
    set_user_enabled,
)
from portal.extensions import db
from portal.forms import choices
from portal.foundations.errors import InvalidState, ValidationFailed
from portal.foundations.ids import row_id
from portal.foundations.permissions import require

_NO_STORE = {"Cache-Control": "no-store"}


def _account_choices(customer):
    return choices((str(a.id), f"{a.name} ({a.currency})") for a in customer.accounts)


def _account_ids(form) -> list[int]:
    """The chosen accounts' ids; one that is not a row id stays in as -1, which the service refuses."""
    return [row_id(i) or -1 for i in form.account_ids.data or []]


@bp.get("/users")
def users_list():
    return render_template(
        "admin/users/list.html",
        admins=list_admin_users(),
        customer_users=list_customer_users(),
        confirm=ConfirmForm(),
        level_form=LevelForm(),
    )


@bp.route("/users/admins/new", methods=["GET", "POST"])
def admin_users_create():
    require(current_actor(), "admin_user.write")
    form = AdminUserForm()
    return save_form_page(
        form,
        lambda: create_admin_user(
            email=form.email.data,
            password=form.password.data,
            level=int(form.level.data),
            name=(form.name.data or "").strip() or None,
            actor=current_actor(),
        ),
        lambda user: f"Admin user {user.email} created with level {user.level}.",
        "admin/users/admin_form.html",
        lambda _: url_for("admin.users_list"),
    )


@bp.post("/users/admins/<int:user_id>/level")
def admin_users_level(user_id: int):
    user = get_admin_user(user_id)
    form = LevelForm()
    if form.validate_on_submit():
        try:
            change_admin_level(user, form.level.data, actor=current_actor())
            db.session.commit()
            flash(f"{user.email} now has level {user.level}.", "success")
        except (ValidationFailed, InvalidState) as exc:
            db.session.rollback()
            flash(exc.message, "error")
    return redirect(url_for("admin.users_list"), 303)


@bp.post("/users/admins/<int:user_id>/<any(disable, enable):change>")
def admin_users_enabled(user_id: int, change: str):
    return _set_enabled(get_admin_user(user_id), change, url_for("admin.users_list"))


@bp.post("/users/customers/<int:user_id>/<any(disable, enable):change>")
def customer_users_enabled(user_id: int, change: str):
    user = get_customer_user(user_id)
    return _set_enabled(user, change, url_for("admin.customer_users_edit", user_id=user.id))


def _set_enabled(user, change: str, back: str):
    if ConfirmForm().validate_on_submit():
        commit_or_explain(
            lambda: set_user_enabled(user, change == "enable", actor=current_actor()), f"{user.email} {change}d."
        )
    return redirect(back, 303)


@bp.route("/customers/<int:customer_id>/users/new", methods=["GET", "POST"])
def customer_users_invite(customer_id: int):
    customer = get_customer(customer_id)
    require(current_actor(), "customer_user.write")
    form = InviteForm()
    form.account_ids.choices = _account_choices(customer)
    if form.validate_on_submit():
        try:
            user, link, sent = invite_customer_user(
                email=form.email.data,
                name=form.name.data,
                customer_id=customer.id,
                account_ids=_account_ids(form),
                actor=current_actor(),
            )
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc, {"account": "account_ids"})
        else:
            # The link works once for whoever holds it: never cached.
            return render_template("admin/users/invited.html", user=user, link=link, sent=sent), 200, _NO_STORE
    return form_page("admin/users/invite_form.html", form, customer=customer)


@bp.route("/users/customers/<int:user_id>", methods=["GET", "POST"])
def customer_users_edit(user_id: int):
    user = get_customer_user(user_id)
    form = LimitAccountsForm()
    form.account_ids.choices = _account_choices(user.customer)
    if not form.is_submitted():
        form.account_ids.data = [str(a.id) for a in user.accounts]
    return save_form_page(
        form,
        lambda: limit_customer_user(user, _account_ids(form), actor=current_actor()),
        lambda _: "Account access saved.",
        "admin/users/customer_user.html",
        lambda _: url_for("admin.customer_users_edit", user_id=user.id),
        aliases={"account": "account_ids"},
        user=user,
        confirm=ConfirmForm(),
    )


@bp.post("/users/customers/<int:user_id>/invite")
def customer_users_reinvite(user_id: int):
    user = get_customer_user(user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.customer_users_edit", user_id=user.id), 303)
    try:
        link, sent = reinvite_customer_user(user, actor=current_actor())
        db.session.commit()
    except InvalidState as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("admin.customer_users_edit", user_id=user.id), 303)
    return render_template("admin/users/invited.html", user=user, link=link, sent=sent), 200, _NO_STORE
