"""JSON:API faces: the admin API (`/api/rest/admin`) and the customer API v1 (`/api/rest/customer/v1`).

Both use bearer tokens (JWT), not the session cookie, so their blueprints are exempt from the
form CSRF check; the customer cookie mode is covered in portal.api.jsonapi.customer.
"""

from __future__ import annotations

from portal.api.jsonapi import (
    admin_invoices,  # noqa: F401 - registers the invoice write and PDF routes
    serializers,  # noqa: F401 - registers the resources
)
from portal.api.jsonapi.admin import bp as admin_bp
from portal.api.jsonapi.admin import register_routes as _register_admin
from portal.api.jsonapi.conventions import error_object, errors_response
from portal.api.jsonapi.customer import bp as customer_bp
from portal.api.jsonapi.customer import register_routes as _register_customer
from portal.error_handlers import ERROR_RENDERERS
from portal.extensions import csrf

_register_admin()
_register_customer()
csrf.exempt(admin_bp)
csrf.exempt(customer_bp)
for _prefix in (admin_bp.url_prefix, customer_bp.url_prefix):
    ERROR_RENDERERS[_prefix + "/"] = lambda status, title, detail: errors_response(
        status, [error_object(status, title, detail)]
    )

__all__ = ["admin_bp", "customer_bp"]
