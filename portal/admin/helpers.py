"""Small helpers shared by admin views: the acting admin, saving a form through one service with its errors
shown beside the fields or as flashes, paging, and `can()` in templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request
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


#: What save_form answers when nothing was saved.
NOT_SAVED = object()


def save_form(form: Form, save: Callable[[], Any], message: Callable[[Any], str] | None, aliases: dict | None = None):
    """Validate a submitted `form`, call one service through `save()`, commit once and flash `message(result)`
    (no flash without `message`: the page that follows says it).

    Returns what the service returned, or NOT_SAVED when the form was not submitted or not valid, or the
    service refused it with ValidationFailed: then the session is rolled back and the service's errors stand
    beside the form's fields (`aliases` as for apply_errors).
    """
    if not form.validate_on_submit():
        return NOT_SAVED
    try:
        result = save()
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc, aliases)
        return NOT_SAVED
    if message is not None:
        flash(message(result), "success")
    return result


def form_page(template_name: str, form: Form, /, **context):
    """A page with a form: 422 when the form shows errors, else 200."""
    return render_template(template_name, form=form, **context), 422 if has_errors(form) else 200


def save_form_page(
    form: Form,
    save: Callable[[], Any],
    message: Callable[[Any], str] | None,
    template_name: str,
    redirect_to: Callable[[Any], str],
    /,
    aliases: dict | None = None,
    code: int = 303,
    **context,
):
    """A form page with Post/Redirect/Get: save_form (arguments as there), then a redirect (`code`) to
    `redirect_to(result)` once the service saved; else the page again as form_page shows it."""
    saved = save_form(form, save, message, aliases)
    if saved is NOT_SAVED:
        return form_page(template_name, form, **context)
    return redirect(redirect_to(saved), code)


def flash_error(exc: ServiceError, prefix: str = "") -> None:
    """A refused action as an error flash; PermissionDenied is re-raised (the app answers 403 with the level)."""
    if isinstance(exc, PermissionDenied):
        raise exc
    flash(f"{prefix}{exc.message}", "error")


def attempt(call: Callable[[], Any]) -> tuple[bool, Any]:
    """Call one service and commit: (True, what it returned); refused (a ServiceError), roll back, say why in
    an error flash and give (False, None)."""
    try:
        result = call()
    except ServiceError as exc:
        db.session.rollback()
        flash_error(exc)
        return False, None
    db.session.commit()
    return True, result


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
