"""Security test fixtures: the admin-page clients (signed in, with CSRF tokens)."""
from tests.admin.conftest import admin, admin_as, admin_client  # noqa: F401 - fixtures
