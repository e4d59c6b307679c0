"""The base of every HTML form (one rule for input no field may carry, whatever the field) and the
choices of select, multi-select and radio fields."""
from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

NOT_ALLOWED_MESSAGE = "contains a character that is not allowed"


def refuse_nul(form, field) -> None:
    """A NUL character (U+0000) in any submitted value: no text column can store it (PostgreSQL refuses it
    outright), so it is an error beside the field, raised before the field's other validators look at it."""
    for value in field.raw_data or ():
        if isinstance(value, str) and "\x00" in value:
            raise StopValidation(NOT_ALLOWED_MESSAGE)


class PortalForm(FlaskForm):
    """FlaskForm whose every field, of every kind (text, select, checkboxes, password), first refuses a
    NUL character; the project's forms inherit it instead of FlaskForm."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            field.validators = [refuse_nul, *field.validators]
            return field


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """The (value, label) pairs as SelectChoice options (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
