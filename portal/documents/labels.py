"""Statement labels in the current language, for the documents written in Python (e-invoices, credit notes).

The statement (`portal.statement`) and the credit-note lines keep their titles and labels in English,
marked for the catalogs. This is the one rule that translates them: the templates call it through the
`label` macro of templates/_macros/statement.html (a Jinja global), the e-invoices and credit notes directly.
A label the catalogs do not know (a service or discount plan name) stays as it is.
"""

from __future__ import annotations

from flask_babel import gettext as _

from portal.foundations.i18n import N_

# Labels built around a name the catalogs cannot know: the English prefix or suffix, and its catalog entry.
BILLED_PREFIX = "Billed per "
BILLED_SUFFIX = " s"
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
    if text.startswith(BILLED_PREFIX) and text.endswith(BILLED_SUFFIX):
        return _("Billed per %(increment)s s", increment=text[len(BILLED_PREFIX) : -len(BILLED_SUFFIX)])
    if text.startswith(DISCOUNT_PREFIX):
        return _("Discount: %(name)s", name=text[len(DISCOUNT_PREFIX) :])
    if text.startswith(CREDIT_PREFIX):
        return _(CREDIT_LINE_FOR, reason=text[len(CREDIT_PREFIX) :])
    if text.endswith(CREDIT_SUFFIX):
        return _("%(name)s – credit", name=text[: -len(CREDIT_SUFFIX)])
    return text
