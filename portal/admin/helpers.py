"""Small helpers shared by admin views: the acting admin, service errors shown beside form fields or
as flashes, paging, and `can()` in templates."""

from __future__ import annotations

from flask import flash, request
from flask_login import current_user
from wtforms import Form

from portal.extensions import db
from portal.foundations.errors import InvalidState, PermissionDenied, ServiceError, ValidationFailed
from portal.foundations.permissions import Actor, admin_actor


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


def apply_errors(form: Form, exc: ValidationFailed, aliases: dict[str, str] | None = None) -> None:
    """Like apply_field_errors, matching fields by name: a service's dasherized field (`vat-rate`) goes to
    the form field with underscores (`vat_rate`); `aliases` maps the ones named differently."""
    aliases = aliases or {}
    field_map = {}
    for error in exc.errors:
        name = aliases.get(error.field or "", (error.field or "").replace("-", "_"))
        if name in form._fields:
            field_map[error.field] = name
    apply_field_errors(form, exc, field_map)


def has_errors(form: Form) -> bool:
    return bool(getattr(form, "form_errors", None)) or any(f.errors for f in form)


def flash_error(exc: ServiceError, prefix: str = "") -> None:
    """A refused action as an error flash; PermissionDenied is re-raised (the app answers 403 with the level)."""
    if isinstance(exc, PermissionDenied):
        raise exc
    flash(f"{prefix}{exc.message}", "error")


def commit_or_explain(action, success: str) -> bool:
    """Run a service call that may refuse (InvalidState): commit and flash `success`, or roll back and
    flash the service's reason. True when it was done."""
    try:
        action()
        db.session.commit()
    except InvalidState as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return False
    flash(success, "success")
    return True


def page_arg(name: str = "page") -> int:
    """A page number from the query string; anything unreadable is page 1."""
    try:
        return max(1, min(int(request.args.get(name, 1)), 1_000_000))
    except (TypeError, ValueError):
        return 1


def register_template_context(bp) -> None:
    """`can("<action>")` in admin templates: show a button only to admins whose level allows it."""

    @bp.context_processor
    def _permissions():
        return {
            "can": lambda action: (
                current_user.is_authenticated and current_user.kind == "admin" and current_actor().can(action)
            )
        }
