"""The admin area: one blueprint, protected as a whole (customers get a 404), one module per resource."""

from flask import Blueprint, abort
from flask_login import current_user

from portal.extensions import csrf
from portal.htmx import redirect_to_sign_in
from portal.security import check_csrf

bp = Blueprint("admin", __name__, url_prefix="/admin")
# The guard below answers first, then checks CSRF itself (see check_csrf).
csrf.exempt(bp)


@bp.before_request
def _admins_only():
    """Every admin route: anonymous visitors sign in first; customers are told nothing exists here."""
    if not current_user.is_authenticated:
        return redirect_to_sign_in()
    if current_user.kind != "admin":
        abort(404)
    check_csrf()
    return None


# Resource modules register their routes on `bp` (imported last: they import `bp` from here).
from portal.admin.helpers import register_template_context  # noqa: E402 - the route modules need `bp`, defined above

register_template_context(bp)
from portal.admin import (  # noqa: E402,F401 - importing registers the routes (they import `bp` from here)
    accounts,
    api_keys,
    audit,
    billing_runs,
    credit_notes,
    customers,
    dashboard,
    failures,
    invoice_actions,
    invoice_bulk,
    invoices,
    outbox,
    templates,
    users,
)
