"""Every face tells one invoice's figures alike: web pages (parsed HTML), PDF (extracted text), CSV row,
e-mail text and backend API fields give the same net, VAT, total, paid and balance, the admin JSON:API's
amounts add up to the same net and the orgs v2 API gives the same total and status, and the lines each
face shows add up to its net. Walks every invoice of a demo load plus generated ones with credits,
refunds, discounts, a negative total, reverse charge and a partial payment."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import lxml.html
import pytest
from babel.numbers import get_group_symbol, parse_decimal
from flask import g
from flask_babel import gettext
from sqlalchemy import select

from portal.api.orgs_v2.routes import STATUSES
from portal.delivery.email_choices import validate_choices
from portal.delivery.email_compose import compose_invoice_email
from portal.demo import load_demo_data
from portal.documents.service import draft_pdf_preview
from portal.extensions import db
from portal.foundations.i18n import in_language
from portal.foundations.money import round_currency
from portal.foundations.permissions import SYSTEM
from portal.models import Customer, CustomerUser, Invoice
from portal.statement import build_statement
from tests.api.jsonapi.conftest import ADMIN, jsonapi_headers, login_admin
from tests.api.key_clients import bearer, make_key
from tests.conftest import _empty_tables
from tests.documents.conftest import pdf_text
from tests.factories import (
    AdminUserFactory,
    CustomerUserFactory,
)
from tests.statement.data import generated_invoices
from tests.test_demo_data import SMALL

UTC = dt.timezone.utc
D = Decimal
FIGURES = ("net", "vat", "total", "paid", "balance")
# An amount at the end of a text line, in any of the customers' locales: optional minus (− or -), a currency
# sign or code before or after, digits with the locale's group and decimal symbols (a space may group digits).
TRAILING_AMOUNT = re.compile(
    r"(?P<sign>[−-])?(?P<cur>[^\s\d−-]{0,4})\s?(?P<num>\d(?:[\d.,]|\s(?=\d{3}(?!\d)))*)(?:\s?[^\s\d.,:%]{1,4})?$"
)


def amount(text: str, language: str = "en") -> Decimal:
    """A displayed amount (`−€1,234.50`, `$0.01`, `-3.00`, `-1.234,50 €`) as a Decimal, read in `language`'s
    locale (Babel's parse_decimal): the faces a customer sees are formatted in the customer's language."""
    match = TRAILING_AMOUNT.search(" ".join(text.split()))
    assert match, f"no amount in {text!r}"
    number = "".join(match.group("num").split())
    value = parse_decimal(number.replace(get_group_symbol(language), ""), locale=language)
    return -value if match.group("sign") else value


# --- the faces, each read back the way a person (or a program) reads it ---


def label(msgid: str, language: str) -> str:
    """A face's label as a pattern: the catalog's translation in the customer's language, or the message itself
    (a label the template does not translate, or one the catalog has no translation for). Placeholders such as
    `%(rate)s` match any text."""
    with in_language(language):
        translated = gettext(msgid)
    forms = []
    for text in dict.fromkeys((translated, msgid)):
        pattern = re.escape(text.replace("%%", "%"))
        forms.append(re.sub(r"%\\\(\w+\\\)s", ".+?", pattern))
    return "(?:" + "|".join(forms) + ")"


def web_figures(html: str, language: str = "en") -> tuple[dict, list[Decimal]]:
    tree = lxml.html.fromstring(html)
    table = tree.xpath("//table[contains(@class, 'statement')]")[0]

    def cell(name: str) -> list[Decimal]:
        return [
            amount(row.xpath("./td")[-1].text_content(), language)
            for row in table.xpath(f".//tr[@data-figure='{name}']")
        ]

    figures = {name: sum(cell(name), D(0)) for name in ("net", "vat", "total", "paid", "balance")}
    lines = [amount(row.xpath("./td")[-1].text_content(), language) for row in table.xpath(".//tr[@data-line]")]
    return figures, lines


def pdf_figures(data: bytes, language: str = "en") -> tuple[dict, list[Decimal]]:
    text = "\n".join(pdf_text(data))
    start = re.search(rf"\n{label('Charges', language)}\n", text).start()
    summary = text[start : re.search(rf"\n{label('Net amount', language)} ", text).start()]
    subtotal = re.compile(label("Subtotal %(section)s", language))
    lines = [
        amount(line, language)
        for line in summary.splitlines()
        if TRAILING_AMOUNT.search(line) and not subtotal.match(line) and not re.search(r"[a-zà-ÿ]$", line)
    ]

    def after(msgid: str) -> Decimal:
        return amount(re.search(rf"^{label(msgid, language)} (.+)$", text, re.M).group(1), language)

    # A VAT row's label may wrap to a second line (a long reverse-charge label in Spanish); its amount keeps its own
    # cell, extracted after the label's lines. So each row is read by structure: from its label to the next row.
    totals = text[
        re.search(rf"^{label('Net amount', language)} ", text, re.M).end() : re.search(
            rf"^{label('Total', language)} ", text, re.M
        ).start()
    ]
    vat_label = label("VAT %(rate)s%% on %(base)s", language)
    rows = re.split(rf"(?m)^(?={vat_label})", totals)
    vat = sum((amount(row, language) for row in rows if re.match(vat_label, row)), D(0))
    figures = {"net": after("Net amount"), "vat": vat, "total": after("Total"), "paid": after("Paid")}
    figures["balance"] = after("Balance due")
    return figures, lines


def email_figures(text: str, language: str = "en") -> tuple[dict, list[Decimal]]:
    # The statement under the message: from its title line ("Invoice INV-2026-000001", in the customer's language).
    title = f"(?:{label('Invoice', language)}|{label('Credit note', language)})"
    *_, heading = re.finditer(rf"^{title} \S+(?: \(.*\))?\n\n", text, re.M)
    part = text[heading.start() :]

    def after(msgid: str) -> Decimal:
        return amount(re.search(rf"^{label(msgid, language)} (.+)$", part, re.M).group(1), language)

    vat_line = rf"^{label('VAT %(rate)s%% on %(base)s', language)}: (.+)$"
    figures = {
        "net": after("Net:"),
        "vat": sum((amount(v, language) for v in re.findall(vat_line, part, re.M)), D(0)),
        "total": after("Total:"),
        "paid": after("Paid:"),
        "balance": after("Balance due:"),
    }
    charges = part[: re.search(rf"\n{label('Net:', language)} ", part).start()]
    lines = [
        amount(line, language)
        for line in re.findall(rf"^  (?!{label('Subtotal:', language)})[^:\n]+.*: (.+)$", charges, re.M)
    ]
    return figures, lines


# Where each statement figure stands in the backend API v1 invoice and in the invoice list CSV.
API_FIELDS = {
    "net": "invoiceAmount",
    "vat": "invoiceVAT",
    "total": "total",
    "paid": "paidAmount",
    "balance": "outstanding",
}
CSV_COLUMNS = {"net": "net", "vat": "vat", "total": "total", "paid": "paid", "balance": "outstanding"}


def figures_of(row: dict, names: dict[str, str]) -> dict:
    """The statement figures of `row` (an API body or a CSV row), read where `names` says, as Decimals."""
    return {figure: D(row[name]) for figure, name in names.items()}


def api_figures(body: dict) -> dict:
    return figures_of(body, API_FIELDS)


# The admin JSON:API documents no net or total (tests/api/jsonapi/seed_bodies.py): its amounts are spent and earned
# per side, which add up to the statement's net.
JSONAPI_SIDES = ("originated", "terminated", "services")


def jsonapi_net(attributes: dict, currency: str) -> tuple[Decimal, Decimal]:
    """(net from `amount-spent` − `amount-earned`, net from the three sides' spent − earned), rounded."""
    whole = D(attributes["amount-spent"]) - D(attributes["amount-earned"])
    sides = sum((D(attributes[f"{s}-amount-spent"]) - D(attributes[f"{s}-amount-earned"]) for s in JSONAPI_SIDES), D(0))
    return round_currency(whole, currency), round_currency(sides, currency)


def orgs_v2_info(client, key: str, invoice: Invoice) -> dict:
    """The invoice's InvoiceInfoDetail in its account's orgs v2 list (the window of its invoice date)."""
    day = invoice.invoice_date.isoformat()
    url = f"/v2/orgs/{invoice.organization.slug}/accounts/{invoice.account_id}/invoices"
    response = _get(client, url, query_string={"start_date": day, "end_date": day}, headers=bearer(key))
    assert response.status_code == 200, response.data
    (info,) = [i for i in response.get_json()["invoices"] if i["number"] == invoice.invoice_number]
    return info


def csv_figures(row: dict) -> dict:
    return figures_of(row, CSV_COLUMNS)


# --- the data: a small demo, plus invoices made to hold every kind of line ---


@pytest.fixture(scope="module")
def invoices(_app):
    with _app.app_context():
        load_demo_data(seed=7, **SMALL)
        generated = generated_invoices()
        assert {i.state for i in generated} == {"Approved", "Pending"}
        yield [i.id for i in generated]
        db.session.rollback()
        db.session.remove()
        _empty_tables()
        db.session.remove()


def _get(client, url: str, **kwargs):
    """A request from inside the test's app context: Flask reuses that context (and its `g`) for the
    request, so the user the previous request signed in is forgotten first."""
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)  # Flask-Babel keeps the chosen locale on `g`: the next user's is chosen afresh
    return client.get(url, **kwargs)


def _signed_in(app, user):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return client


def _customer_user(customer_id: int):
    user = db.session.scalars(
        select(CustomerUser).where(CustomerUser.customer_id == customer_id, CustomerUser.limited_to_accounts.is_(False))
    ).first()
    return user or CustomerUserFactory(customer=db.session.get(Customer, customer_id))


def test_every_face_gives_the_same_figures_and_its_lines_sum_to_its_net(_app, invoices):
    with _app.app_context():
        generated = [db.session.get(Invoice, i) for i in invoices]
        kinds = {
            "credit": any(build_statement(i, dt.date(2026, 9, 1)).has_credits for i in generated),
            "discount": any(build_statement(i, dt.date(2026, 9, 1)).has_discounts for i in generated),
            "negative": any(i.total_amount < 0 for i in generated),
            "reverse charge": any(i.reverse_vat_amount > 0 for i in generated),
            "partial payment": any(0 < i.paid_amount < i.total_amount for i in generated),
            "pending": any(i.state == "Pending" for i in generated),
        }
        assert all(kinds.values()), kinds
        admin = AdminUserFactory(level=5)
        key = make_key()
        db.session.commit()
        api = _app.test_client()
        admin_client = _signed_in(_app, admin)
        token = login_admin(_app.test_client(), admin)
        customer_clients: dict[int, object] = {}
        csv_rows: dict[int, dict] = {}
        checked = 0
        ids = db.session.scalars(select(Invoice.id).where(Invoice.state != "New").order_by(Invoice.id)).all()
        for invoice in (db.session.get(Invoice, i) for i in ids):
            expected_st = build_statement(invoice, dt.date.today())
            expected = {
                "net": expected_st.net,
                "vat": expected_st.vat,
                "total": expected_st.total,
                "paid": expected_st.paid,
                "balance": expected_st.balance_due,
            }
            assert sum(line.amount for line in expected_st.lines) == expected["net"]
            # The customer's faces (its page, PDF, e-mail) are formatted in its language; the admin page in English.
            language = invoice.customer.language
            faces: dict[str, dict] = {}
            lines: dict[str, list[Decimal]] = {}

            body = _get(api, f"/backend/api/v1/invoices/{invoice.id}", headers=bearer(key)).get_json()
            faces["api"] = api_figures(body)

            attributes = _get(api, f"{ADMIN}/invoices/{invoice.id}", headers=jsonapi_headers(token)).get_json()
            nets = jsonapi_net(attributes["data"]["attributes"], invoice.currency)
            if invoice.is_credit_note:  # no traffic sides: what it credits is all in amount-earned
                assert nets[0] == expected["net"], (invoice.id, "admin JSON:API", nets)
            else:
                assert nets == (expected["net"], expected["net"]), (invoice.id, "admin JSON:API", nets)

            html = _get(admin_client, f"/admin/invoices/{invoice.id}").get_data(as_text=True)
            faces["admin page"], lines["admin page"] = web_figures(html)

            if invoice.is_credit_note:
                pass  # its customer page, PDF and e-mail show its credited lines, positive (test_credit_notes.py)
            elif invoice.is_approved:
                if invoice.customer_id not in customer_clients:
                    user = _customer_user(invoice.customer_id)
                    db.session.commit()
                    client = _signed_in(_app, user)
                    customer_clients[invoice.customer_id] = client
                    export = _get(client, "/portal/invoices.csv").get_data().decode("utf-8-sig")
                    for row in csv.DictReader(io.StringIO(export)):
                        csv_rows[row["invoice_number"]] = row
                client = customer_clients[invoice.customer_id]
                response = _get(client, f"/portal/invoices/{invoice.uuid}")
                assert response.status_code == 200
                html = response.get_data(as_text=True)
                faces["customer page"], lines["customer page"] = web_figures(html, language)
                faces["csv"] = csv_figures(csv_rows[invoice.invoice_number])
                composed = compose_invoice_email(
                    invoice, validate_choices(invoice, recipients=["ap@customer.example"]), actor=SYSTEM
                )
                faces["e-mail"], lines["e-mail"] = email_figures(composed.text, language)
                faces["pdf"], lines["pdf"] = pdf_figures(composed.files[0][2], language)
                info = orgs_v2_info(api, key, invoice)
                assert D(str(info["value"])) == expected["total"], (invoice.id, "orgs v2", info)
                assert (info["status"]["id"], info["status"]["value"]) == STATUSES[expected_st.status], info
            else:
                _name, data = draft_pdf_preview(invoice, actor=SYSTEM)
                assert re.search(label("Draft – not a valid invoice", language), pdf_text(data)[0])
                faces["pdf"], lines["pdf"] = pdf_figures(data, language)
                assert "Draft figures" in html and expected["net"] != 0
            for face, figures in faces.items():
                assert figures == expected, (invoice.id, face, figures, expected)
            for face, amounts in lines.items():
                assert sum(amounts, D(0)) == expected["net"], (invoice.id, face, amounts)
            db.session.rollback()
            checked += 1
        assert checked > 50


def test_what_the_dashboard_says_is_owed_is_the_sum_of_the_list_it_links_to(_app, invoices):
    """For every demo customer: each currency card's amount and count are those of that currency's rows in the
    list its link opens (the unpaid filter; the same filter's CSV export read back)."""
    with _app.app_context():
        customer_ids = db.session.scalars(select(Customer.id).order_by(Customer.id)).all()
        compared = 0
        for customer_id in customer_ids:
            user = _customer_user(customer_id)
            db.session.commit()
            client = _signed_in(_app, user)
            language = db.session.get(Customer, customer_id).language
            tree = lxml.html.fromstring(_get(client, "/portal/").get_data(as_text=True))
            for card in tree.xpath("//div[contains(@class, 'totals')][@data-currency]"):
                currency = card.get("data-currency")
                owed = amount(card.xpath(".//p[@class='stat']")[0].text_content(), language)
                link = card.xpath(".//a[contains(@href, 'status=unpaid')]")[0]
                count = int(link.text_content().split()[0])
                assert _get(client, link.get("href")).status_code == 200
                export = _get(client, link.get("href").replace("/portal/invoices?", "/portal/invoices.csv?"))
                rows = [
                    r
                    for r in csv.DictReader(io.StringIO(export.get_data().decode("utf-8-sig")))
                    if r["currency"] == currency
                ]
                assert len(rows) == count and {r["status"] for r in rows} <= {"open", "partially paid", "overdue"}
                assert sum((D(r["outstanding"]) for r in rows), D(0)) == owed, (customer_id, currency)
                compared += 1
            db.session.rollback()
        assert compared >= 5
