"""The base of every HTML form (the rules for input no field may carry, whatever the field) and the
choices of select, multi-select and radio fields."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from portal.foundations.text import SINGLE_LINE_MESSAGE, is_single_line

NOT_ALLOWED_MESSAGE = "contains a character that is not allowed"


def refuse_nul(form, field) -> None:
    """A NUL character (U+0000) in any submitted value: no text column can store it (PostgreSQL refuses it
    outright), so it is an error beside the field, raised before the field's other validators look at it."""
    for value in field.raw_data or ():
        if isinstance(value, str) and "\x00" in value:
            raise StopValidation(NOT_ALLOWED_MESSAGE)


def refuse_line_breaks(form, field) -> None:
    """A line break or control character in a one-line input (a text box, not a text area): no browser
    sends one from an `<input>`, and the values of these fields are names and subjects that end up in
    mail headers and one-line cells. The services refuse it too; this puts the error beside the field
    for every form, whatever service it feeds."""
    for value in field.raw_data or ():
        if isinstance(value, str) and not is_single_line(value):
            raise StopValidation(SINGLE_LINE_MESSAGE)


def _one_line_input(field) -> bool:
    return isinstance(field, StringField) and not isinstance(field, TextAreaField)


class PortalForm(FlaskForm):
    """FlaskForm whose every field, of every kind (text, select, checkboxes, password), first refuses a
    NUL character, and whose one-line text inputs refuse line breaks; the project's forms inherit it
    instead of FlaskForm.

    `id_prefix` sets apart the ids (not the names) of a form that shares its page with another whose
    fields have the same names, so each label points at its own field."""

    id_prefix = ""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            checks = [refuse_nul, refuse_line_breaks] if _one_line_input(field) else [refuse_nul]
            field.validators = [*checks, *field.validators]
            if form.id_prefix:
                field.id = field.label.field_id = form.id_prefix + field.id
            if field.name == "csrf_token":
                # A page holds many small forms (one per row and action): their hidden CSRF inputs must
                # not all carry id="csrf_token" (ids are unique in a page; nothing labels this input).
                field.id = False
            return field


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """The (value, label) pairs as SelectChoice options (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
