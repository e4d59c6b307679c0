"""Small helpers shared by admin views: the acting admin, and turning service errors into form errors or flashes."""
from __future__ import annotations

from flask import flash
from flask_login import current_user

from portal.errors import PermissionDenied, ServiceError, ValidationFailed
from portal.permissions import Actor, admin_actor


def current_actor() -> Actor:
    """The signed-in admin as the actor of service calls (the blueprint guard ensures an admin)."""
    return admin_actor(current_user)


def apply_field_errors(form, exc: ValidationFailed, field_map: dict[str, str]) -> None:
    """Show each FieldError beside its form field (`field_map`: error field → form field), others on the form."""
    form.form_errors = list(getattr(form, "form_errors", []) or [])
    for error in exc.errors:
        name = field_map.get(error.field or "")
        target = getattr(form, name, None) if name else None
        if target is not None:
            target.errors = list(target.errors) + [error.message]
        else:
            form.form_errors.append(str(error))


def flash_error(exc: ServiceError, prefix: str = "") -> None:
    """A refused action as an error flash; PermissionDenied is re-raised (the app answers 403 with the level)."""
    if isinstance(exc, PermissionDenied):
        raise exc
    flash(f"{prefix}{exc.message}", "error")
