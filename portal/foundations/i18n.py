"""Languages and locales: the languages a customer may have, the locale of a request, rendering in a language.

A Babel Locale is parsed once per language per process (`locale_for`) and chosen once per request (the
Flask-Babel selector `select_locale`, whose answer Flask-Babel keeps for the rest of the request), so that
formatting a thousand figures on a page never parses a locale again. Customer users see their customer's
language; admins and everyone else see English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from babel import Locale
from flask_babel import force_locale, get_locale
from flask_login import current_user

DEFAULT_LANGUAGE = "en"
# The languages a customer may have, with their own names (shown in the admin customer form).
LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for translation, translate later"
    """Mark a message for the catalogs without translating it here: it is translated where it is shown."""
    return message


@cache
def locale_for(language: str | None) -> Locale:
    """The Babel Locale of a language code (parsed once per process); unknown or empty codes give English."""
    code = language if language in LANGUAGES else DEFAULT_LANGUAGE
    return Locale.parse(code)


def select_locale() -> Locale:
    """Flask-Babel's locale selector: the signed-in customer user's customer language, else English."""
    user = current_user
    if getattr(user, "kind", None) == "customer":
        customer = getattr(user, "customer", None)
        return locale_for(getattr(customer, "language", None))
    return locale_for(DEFAULT_LANGUAGE)


def current_locale() -> Locale:
    """The locale chosen for this request (or forced by `in_language`); English outside an app context."""
    return get_locale() or locale_for(DEFAULT_LANGUAGE)


@contextmanager
def in_language(language: str | None) -> Iterator[Locale]:
    """Translate and format in `language` inside the block (documents and e-mails to a customer), whoever asked."""
    locale = locale_for(language)
    with force_locale(locale):
        yield locale
