"""One minus sign: every display face of an invoice with credits and a negative total (admin page, customer page,
PDF, e-mail text and HTML) writes its negative amounts with the typographic minus U+2212, never a hyphen or
parentheses; the machine faces (the customer's CSV, the backend API) keep plain decimals with an ASCII "-"."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import lxml.html
import pytest

from portal.delivery.email_choices import validate_choices
from portal.delivery.email_compose import compose_invoice_email
from portal.extensions import db
from portal.foundations.formatting import money, number
from portal.foundations.i18n import in_language
from portal.foundations.permissions import SYSTEM
from tests.api.key_clients import bearer, make_key
from tests.documents.conftest import pdf_text
from tests.factories import AdminUserFactory, CustomerUserFactory
from tests.statement.data import generated_invoices
from tests.statement.test_reconciliation import _get, _signed_in

MINUS = "\u2212"
# A displayed amount with a hyphen for its sign ("-£896.90", "-896,90 £"), or in parentheses ("(£896.90)").
HYPHEN_AMOUNT = re.compile(r"(?<![\w\-/])-\s?(?:£\s?)?\d")
PARENTHESES_AMOUNT = re.compile(r"\(\s?£\s?\d|\(\d[\d.,]*\s?£\)")
SIGNED_AMOUNT = re.compile(rf"{MINUS}(?:£\d|\d[\d.,]*\s£)")


def visible_text(html: str) -> str:
    tree = lxml.html.fromstring(html)
    # The admin page's audit trail shows each event's details as recorded (data, not formatted figures).
    for node in tree.xpath("//script | //style | //head | //section[h2[normalize-space()='Audit trail']]"):
        node.drop_tree()
    return " ".join(tree.text_content().split())


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_display_face_uses_the_minus_sign_and_the_machine_faces_a_plain_hyphen(app, language):
    invoice = generated_invoices()[2]  # GBP: credited traffic, a refund larger than the charges, a negative total
    assert invoice.total_amount < 0
    invoice.customer.language = language
    admin, user, key = AdminUserFactory(level=5), CustomerUserFactory(customer=invoice.customer), make_key()
    db.session.commit()

    choices = validate_choices(invoice, recipients=["ap@customer.example"])
    composed = compose_invoice_email(invoice, choices, actor=SYSTEM)
    admin_page = _get(_signed_in(app, admin), f"/admin/invoices/{invoice.id}").get_data(as_text=True)
    faces = {
        "admin page": visible_text(admin_page),
        "customer page": visible_text(
            _get(_signed_in(app, user), f"/portal/invoices/{invoice.uuid}").get_data(as_text=True)
        ),
        "pdf": " ".join(" ".join(pdf_text(composed.files[0][2])).split()),
        "e-mail text": " ".join(composed.text.split()),
        "e-mail html": visible_text(composed.html),
    }
    with in_language(language):
        total = money(invoice.total_amount, "GBP")
    assert total.startswith(MINUS)
    for face, text in faces.items():
        expected_total = money(invoice.total_amount, "GBP", "en") if face == "admin page" else total
        assert " ".join(expected_total.split()) in text, (face, expected_total)
        assert len(SIGNED_AMOUNT.findall(text)) >= 3, face  # the credits, the refund, the total at least
        hyphen = HYPHEN_AMOUNT.search(text)
        assert not hyphen, (face, text[max(0, hyphen.start() - 120) : hyphen.end() + 40])
        assert not PARENTHESES_AMOUNT.search(text), face

    export = _get(_signed_in(app, user), "/portal/invoices.csv").get_data().decode("utf-8-sig")
    assert MINUS not in export
    [row] = [r for r in csv.DictReader(io.StringIO(export)) if r["invoice_number"] == invoice.invoice_number]
    assert row["total"].startswith("-") and Decimal(row["total"]) == invoice.total_amount
    assert float(row["outstanding"]) < 0

    body = _get(app.test_client(), f"/backend/api/v1/invoices/{invoice.id}", headers=bearer(key)).get_json()
    assert MINUS not in str(body) and str(body["total"]).startswith("-")
    assert Decimal(str(body["total"])) == invoice.total_amount


def test_the_formatting_functions_write_one_minus_sign_in_every_locale():
    for locale in ("en", "de", "fr", "es", "pl", "nl"):
        assert money(Decimal("-1234.5"), "EUR", locale).startswith(MINUS)
        assert "-" not in money(Decimal("-1234.5"), "EUR", locale)
        assert number(Decimal("-3.25"), locale, 2).startswith(MINUS)
    assert money(Decimal("-0.001"), "EUR", "en") == "€0.00"  # no sign on a figure shown as zero
    assert money(Decimal("12.5"), "EUR", "de") == "12,50\xa0€"
