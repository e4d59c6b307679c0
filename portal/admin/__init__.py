"""The admin area: one blueprint, protected as a whole (customers get a 404), one module per resource."""
from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    """Every admin route: anonymous visitors sign in first; customers are told nothing exists here."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path))
    if current_user.kind != "admin":
        abort(404)
    return None


from portal.admin import invoice_actions, invoice_bulk, invoices, outbox  # noqa: E402,F401 - registers the routes
