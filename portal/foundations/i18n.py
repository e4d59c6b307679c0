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


# The texts of the statement macros (templates/_macros/statement.html), marked here for the catalogs: Babel's
# extraction (`make translations`, tests/i18n/test_catalogs.py) skips directories whose names start with "_",
# so it never reads templates/_macros/. Keep this list in step with the `_('…')` calls of that file.
STATEMENT_MACRO_MESSAGES = (
    N_("%(name)s – credit"),
    N_("(last on %(date)s)"),
    N_(
        "A minus sign (−) marks an amount in your favour: credits and refunds say “credit”, discounts name "
        "their plan. The lines add up to the net."
    ),
    N_("Amount due"),
    N_("Amount"),
    N_("Balance due"),
    N_("Bank details"),
    N_("Bank"),
    N_("Copy BIC"),
    N_("Copy IBAN"),
    N_("Copy reference"),
    N_("Credit note amounts"),
    N_("Discount: %(name)s"),
    N_("Draft figures: not a valid invoice until approved."),
    N_("Draft"),
    N_("How to pay"),
    N_("Invoice amounts"),
    N_("Item"),
    N_("Net"),
    N_("Nothing to pay: this credit note is in your favour."),
    N_("Paid – nothing is due."),
    N_("Paid"),
    N_("Pay to"),
    N_("Reference to quote"),
    N_("Scan with your banking app (SEPA GiroCode)."),
    N_("Subtotal %(section)s after discounts"),
    N_("Subtotal %(section)s"),
    N_("This is a draft: nothing is due until it is approved."),
    N_("Total"),
    N_("VAT %(rate)s%% on %(base)s (reverse charge)"),
    N_("VAT %(rate)s%% on %(base)s"),
    N_("VAT to account for: %(amount)s."),
    N_("by %(date)s"),
)
