"""The list of blueprints the app serves (one line per face)."""

from __future__ import annotations

from portal.admin import bp as admin_bp
from portal.api.backend_v1 import bp as backend_v1_bp
from portal.api.jsonapi import admin_bp as jsonapi_admin_bp
from portal.api.jsonapi import customer_bp as jsonapi_customer_bp
from portal.api.openapi import bp as openapi_bp
from portal.api.orgs_v2 import bp as orgs_v2_bp
from portal.customer import bp as customer_bp
from portal.downloads.views import bp as download_bp
from portal.main import bp as main_bp
from portal.signin.views import bp as auth_bp

BLUEPRINTS = (
    main_bp,
    auth_bp,
    download_bp,
    admin_bp,
    customer_bp,
    jsonapi_admin_bp,
    jsonapi_customer_bp,
    backend_v1_bp,
    orgs_v2_bp,
    openapi_bp,
)
