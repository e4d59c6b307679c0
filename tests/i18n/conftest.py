"""Fixtures of the language tests: the admin area's signed-in clients."""

from tests.admin.conftest import admin, admin_as  # noqa: F401 - fixtures used by name
