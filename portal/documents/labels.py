"""Statement labels in the current language, for the documents written in Python (e-invoices, credit notes).

The statement (`portal.statement`) and the credit-note lines keep their titles and labels in English,
marked for the catalogs; the web faces translate them with the `label` macro of
templates/_macros/statement.html, and this is the same rule for text that is not rendered by a template.
A label the catalogs do not know (a service or discount plan name) stays as it is.
"""

from __future__ import annotations

from flask_babel import gettext as _

from portal.foundations.i18n import N_

# Labels built around a name the catalogs cannot know: the English prefix or suffix, and its catalog entry.
DISCOUNT_PREFIX = "Discount: "
CREDIT_PREFIX = "Credit: "
CREDIT_SUFFIX = " – credit"
CREDIT_LINE = N_("Credit")
CREDIT_LINE_FOR = N_("Credit: %(reason)s")


def statement_label(text: str | None) -> str:
    """`text`, a statement title or label or a credit-note line name, in the current language."""
    if not text:
        return ""
    translated = _(text)
    if translated != text:
        return translated
    if text.startswith(DISCOUNT_PREFIX):
        return _("Discount: %(name)s", name=text[len(DISCOUNT_PREFIX) :])
    if text.startswith(CREDIT_PREFIX):
        return _(CREDIT_LINE_FOR, reason=text[len(CREDIT_PREFIX) :])
    if text.endswith(CREDIT_SUFFIX):
        return _("%(name)s – credit", name=text[: -len(CREDIT_SUFFIX)])
    return text
