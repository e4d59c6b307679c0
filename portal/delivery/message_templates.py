"""Message templates: placeholders, their validation, rendering, and the built-in default template."""

from __future__ import annotations

import string
from dataclasses import dataclass

from flask_babel import gettext
from markupsafe import escape

from portal.foundations.i18n import N_

PLACEHOLDERS = (
    "customer",
    "invoice_number",
    "period",
    "total",
    "due_date",
    "download_link",
    "reference",
    "account",
    "organization",
)


@dataclass(frozen=True)
class TemplateText:
    """Subject and bodies of a message (a stored MessageTemplate or the built-in default)."""

    name: str
    subject: str
    body_text: str
    body_html: str | None


# Written in English and translated into the customer's language when composed (`in_current_language`).
DEFAULT_TEMPLATE = TemplateText(
    name="(default)",
    subject=N_("Invoice {invoice_number} for {period}"),
    body_text=N_(
        "Dear {customer},\n\n"
        "Please find attached invoice {invoice_number} for {account}, period {period}.\n"
        "Total: {total}, due on {due_date}.\n\n"
        "Download: {download_link}\n\n"
        "Kind regards,\nBilling"
    ),
    body_html=N_(
        "<p>Dear {customer},</p>"
        "<p>Please find attached invoice <strong>{invoice_number}</strong> for {account}, period {period}.</p>"
        "<p>Total: <strong>{total}</strong>, due on {due_date}.</p>"
        '<p>Download: <a href="{download_link}">{download_link}</a></p>'
        "<p>Kind regards,<br>Billing</p>"
    ),
)


def in_current_language(template: TemplateText) -> TemplateText:
    """The built-in template translated into the current language (the customer's, portal.foundations.i18n.in_language);
    a stored template as its author wrote it."""
    if template is not DEFAULT_TEMPLATE:
        return template
    return TemplateText(
        template.name,
        gettext(template.subject),
        gettext(template.body_text),
        gettext(template.body_html) if template.body_html else None,
    )


class _SafeValues(dict):
    """A mapping for str.format_map that leaves unknown placeholders visible as `{name}`."""

    def __missing__(self, key):
        return "{" + key + "}"


def template_problems(text: str | None) -> list[str]:
    """What is wrong with the placeholders of `text` (empty list: fine)."""
    if not text:
        return []
    problems: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        return [f"has a broken placeholder ({exc}); write a literal brace as {{{{ or }}}}"]
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            problems.append(
                f"unknown placeholder {{{name}}}; use one of " + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            )
        elif spec or conversion:
            problems.append(f"placeholder {{{name}}} may not have a format or conversion")
    return problems


def render_text(text: str | None, values: dict[str, str], *, html: bool = False) -> str:
    """Fill the placeholders of `text` with `values` (HTML-escaped when `html`).

    Templates are validated when saved; a template that still fails to format (edited
    outside the admin area) is sent as written rather than not at all.
    """
    if not text:
        return ""
    mapping = _SafeValues({k: (str(escape(v)) if html else v) for k, v in values.items()})
    if template_problems(text):
        # Only plain known names are substituted: no attribute access, no format specs.
        return _substitute_known(text, mapping)
    return text.format_map(mapping)


def _substitute_known(text: str, mapping: dict[str, str]) -> str:
    out = text
    for name in PLACEHOLDERS:
        if name in mapping:
            out = out.replace("{" + name + "}", mapping[name])
    return out
