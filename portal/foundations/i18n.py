"""Languages and locales: the languages a customer may have, the locale of a request, rendering in a language.

A Babel Locale is parsed once per language per process (`locale_for`) and chosen once per request (the
Flask-Babel selector `select_locale`, whose answer Flask-Babel keeps for the rest of the request), so that
formatting a thousand figures on a page never parses a locale again. Customer users see their customer's
language; admins see English; a visitor who is not signed in sees the sign-in pages in the language chosen on
them (a cookie) or else the best one the browser asks for (Accept-Language), and every other page in English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from babel import Locale
from flask import has_request_context, request
from flask_babel import force_locale, get_locale
from flask_login import current_user

DEFAULT_LANGUAGE = "en"
# The languages a customer may have, with their own names (shown in the admin customer form).
LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}
# The language a visitor chose on the sign-in pages (portal.signin), before anyone is signed in.
LANGUAGE_COOKIE = "portal_language"
# The blueprint of the sign-in pages: the only pages a visitor sees in a language of their own choosing.
SIGN_IN_BLUEPRINT = "auth"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for translation, translate later"
    """Mark a message for the catalogs without translating it here: it is translated where it is shown."""
    return message


@cache
def locale_for(language: str | None) -> Locale:
    """The Babel Locale of a language code (parsed once per process); unknown or empty codes give English."""
    code = language if language in LANGUAGES else DEFAULT_LANGUAGE
    return Locale.parse(code)


def select_locale() -> Locale:
    """Flask-Babel's locale selector: the signed-in customer user's customer language; for a visitor on the
    sign-in pages the language chosen there or asked for by the browser (`visitor_language`); else English."""
    user = current_user
    kind = getattr(user, "kind", None)
    if kind == "customer":
        customer = getattr(user, "customer", None)
        return locale_for(getattr(customer, "language", None))
    if kind is None and has_request_context() and request.blueprint == SIGN_IN_BLUEPRINT:
        return locale_for(visitor_language())
    return locale_for(DEFAULT_LANGUAGE)


def visitor_language() -> str:
    """The language of a visitor not signed in: the one chosen on the sign-in page, else the browser's best."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(tuple(LANGUAGES), default=DEFAULT_LANGUAGE)


def current_locale() -> Locale:
    """The locale chosen for this request (or forced by `in_language`); English outside an app context."""
    return get_locale() or locale_for(DEFAULT_LANGUAGE)


@contextmanager
def in_language(language: str | None) -> Iterator[Locale]:
    """Translate and format in `language` inside the block (documents and e-mails to a customer), whoever asked."""
    locale = locale_for(language)
    with force_locale(locale):
        yield locale
