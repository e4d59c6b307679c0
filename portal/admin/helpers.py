"""Small helpers the admin views share: the acting user, service errors shown beside form fields, paging."""
from __future__ import annotations

from flask import request
from flask_login import current_user
from wtforms import Form

from portal.errors import ValidationFailed
from portal.permissions import Actor, admin_actor


def current_actor() -> Actor:
    """The signed-in admin as the actor of service calls (the blueprint guard guarantees an admin)."""
    return admin_actor(current_user)


def apply_errors(form: Form, exc: ValidationFailed, aliases: dict[str, str] | None = None) -> None:
    """Show each service FieldError beside its form field; errors of no field go above the form.

    Service fields are dasherized (`vat-rate`); form fields use underscores (`vat_rate`).
    `aliases` maps a service field to a differently named form field.
    """
    aliases = aliases or {}
    for error in exc.errors:
        name = aliases.get(error.field or "", (error.field or "").replace("-", "_"))
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = list(field.errors or []) + [error.message]
        else:
            form.form_errors.append(str(error))


def has_errors(form: Form) -> bool:
    return bool(form.form_errors) or any(f.errors for f in form)


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
        return {"can": lambda action: current_user.is_authenticated and current_user.kind == "admin"
                and current_actor().can(action)}
