"""One rule translates statement labels: the web faces' `label` macro and the e-invoices call the same function."""

import pytest
from flask import render_template_string

from portal.documents.labels import statement_label
from portal.foundations.i18n import in_language

LABELS = {
    "Billed per 60/60 s": "Abgerechnet je 60/60 s",
    "Discount: Loyalty": "Rabatt: Loyalty",
    "Acme hosting": "Acme hosting",  # a name the catalogs do not know stays as it is
}


@pytest.mark.parametrize(("english", "german"), LABELS.items())
def test_the_macro_and_the_documents_translate_a_label_alike(app, english, german):
    with app.test_request_context(), in_language("de"):
        macro = render_template_string(
            '{% from "_macros/statement.html" import label %}{{ label(text) }}', text=english
        )
        assert statement_label(english) == german
        assert macro == german


def test_the_macro_escapes_a_label_it_cannot_translate(app):
    with app.test_request_context(), in_language("de"):
        macro = render_template_string('{% from "_macros/statement.html" import label %}{{ label(t) }}', t="A <b> & C")
    assert macro == "A &lt;b&gt; &amp; C"
