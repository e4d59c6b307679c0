"""The customer portal: one blueprint, protected as a whole (customers only), views in views.py."""

from flask import Blueprint, abort, current_app
from flask_login import current_user

from portal.extensions import csrf
from portal.htmx import redirect_to_sign_in
from portal.security import check_csrf

bp = Blueprint("customer", __name__, url_prefix="/portal")
# The guard below answers first, then checks CSRF itself (see check_csrf).
csrf.exempt(bp)


@bp.before_request
def _customers_only():
    """Every portal route: anonymous visitors sign in first; admins and others are told nothing is here."""
    if not current_user.is_authenticated:
        if "auth.login" in current_app.view_functions:
            return redirect_to_sign_in()
        abort(401)
    if getattr(current_user, "kind", None) != "customer":
        abort(404)
    check_csrf()
    return None


from portal.customer import views  # noqa: E402,F401 - registers the routes on bp
