"""Admin pages for backend API keys: list with last use, create (the key is shown once), revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from portal.admin import bp
from portal.admin.forms import ApiKeyForm, ConfirmForm
from portal.admin.helpers import NOT_SAVED, current_actor, form_page, save_form
from portal.auth.api_keys import create_api_key, list_api_keys, revoke_api_key
from portal.customers.customers import get_row
from portal.extensions import db
from portal.forms import choices
from portal.foundations.ids import row_id
from portal.foundations.permissions import require
from portal.models import ApiKey
from portal.reading.admin_pages import customer_names


def _customer_choices():
    customers = customer_names()
    return choices([("", "— every customer (operator key) —")] + [(str(cid), name) for cid, name in customers])


@bp.get("/api-keys")
def api_keys_list():
    return render_template("admin/api_keys/list.html", keys=list_api_keys(), confirm=ConfirmForm())


@bp.route("/api-keys/new", methods=["GET", "POST"])
def api_keys_create():
    require(current_actor(), "api_key.write")
    form = ApiKeyForm()
    form.customer_id.choices = _customer_choices()
    created = save_form(
        form,
        lambda: create_api_key(
            name=form.name.data,
            scopes=form.scope.data or [],
            level=_level(form.level.data),
            customer_id=row_id(form.customer_id.data),
            actor=current_actor(),
        ),
        None,
        {"customer": "customer_id"},
    )
    if created is not NOT_SAVED:
        row, key = created
        # The key exists only in this response: it is stored as a hash.
        response = render_template("admin/api_keys/created.html", row=row, key=key)
        return response, 201, {"Cache-Control": "no-store"}
    return form_page("admin/api_keys/form.html", form)


def _level(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0  # refused by the service with its own message


@bp.post("/api-keys/<int:key_id>/revoke")
def api_keys_revoke(key_id: int):
    row = get_row(ApiKey, key_id, "API key")
    if ConfirmForm().validate_on_submit():
        revoke_api_key(row, actor=current_actor())
        db.session.commit()
        flash(f"API key {row.name} revoked.", "success")
    return redirect(url_for("admin.api_keys_list"), 303)
