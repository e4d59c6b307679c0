"""The admin invoice list pages with cursors: Next/Previous links carry them, sorting and filtering drop them."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.extensions import db
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory

_LINK = re.compile(
    r'<a href="([^"]+)" hx-get="([^"]+)" hx-target="#invoice-results" hx-push-url="true" rel="(next|prev)"'
)
_ROW = re.compile(r'<td><a href="/admin/invoices/(\d+)">')


@pytest.fixture
def listed(app, session):
    """11 invoices of two customers; half are drafts without a number."""
    customers = [CustomerFactory(name="zulu"), CustomerFactory(name="yankee")]
    made = [
        InvoiceFactory(
            account=AccountFactory(customer=customers[n % 2]),
            state="New" if n % 2 else "Approved",
            invoice_number=None if n % 2 else f"n{n:03d}",
        )
        for n in range(11)
    ]
    db.session.commit()
    return made


def links(body: str) -> dict[str, str]:
    found = {}
    for href, hx_get, rel in _LINK.findall(body):
        assert href == hx_get
        found[rel] = html.unescape(href)
    return found


def rows(body: str) -> list[int]:
    return [int(i) for i in _ROW.findall(body)]


@pytest.mark.parametrize("sort", ["-id", "invoiceNumber", "-customer"])
def test_next_and_previous_links_walk_the_list_and_back(listed, admin_client, sort):
    client = admin_client()
    url = f"/admin/invoices?perPage=4&sort={sort}&includeUnsent=true"
    pages, bodies = [], []
    while url:
        body = client.get(url, headers={"HX-Request": "true", "HX-Target": "invoice-results"}).get_data(as_text=True)
        pages.append(rows(body))
        bodies.append(body)
        url = links(body).get("next")
        if url:
            args = parse_qs(urlsplit(url).query)
            assert args["sort"] == [sort] and args["perPage"] == ["4"] and args["includeUnsent"] == ["true"]
            assert "after" in args and "before" not in args and args["page"] == [str(len(pages) + 1)]
    assert [len(p) for p in pages] == [4, 4, 3]
    assert sorted(i for p in pages for i in p) == sorted(inv.id for inv in listed)
    by_number = [
        rows(client.get(f"/admin/invoices?perPage=4&sort={sort}&page={n}").get_data(as_text=True)) for n in (1, 2, 3)
    ]
    assert by_number == pages
    for n, body in enumerate(bodies, 1):
        assert f"Page {n} of 3</span>" in body
    back, url = [], links(bodies[-1])["prev"]
    while url:
        body = client.get(url).get_data(as_text=True)
        back.append(rows(body))
        url = links(body).get("prev")
    assert back[::-1] == pages[:-1]
    assert "before" not in links(bodies[1])["prev"]  # back to the first page: no cursor


def test_sort_links_and_the_filter_form_drop_the_cursor(listed, admin_client):
    client = admin_client()
    first = client.get("/admin/invoices?perPage=4").get_data(as_text=True)
    second = client.get(links(first)["next"]).get_data(as_text=True)
    sort_links = [html.unescape(u) for u in re.findall(r'<a href="([^"]*sort=[^"]*)"', second)]
    assert sort_links and all("after=" not in u and "before=" not in u and "page=1" in u for u in sort_links)
    form = second.split('role="search"')[0].rsplit("<form", 1)[1] + second.split('role="search"')[1].split("</form>")[0]
    assert 'name="after"' not in form and 'name="page"' not in form


def test_a_page_number_alone_still_works(listed, admin_client):
    client = admin_client()
    body = client.get("/admin/invoices?perPage=4&page=2").get_data(as_text=True)
    assert rows(body) == sorted((inv.id for inv in listed), reverse=True)[4:8]
    assert "Page 2 of 3</span>" in body and "after=" in links(body)["next"] and "before" not in links(body)["prev"]


@pytest.mark.parametrize("cursor", ["nonsense", "WyJpZCIsNSw1XQ.forged"])
def test_a_tampered_cursor_shows_a_field_error_not_a_500(listed, admin_client, cursor):
    client = admin_client()
    for name in ("after", "before"):
        response = client.get(f"/admin/invoices?{name}={cursor}")
        body = response.get_data(as_text=True)
        assert response.status_code == 200  # as every filter error, so htmx swaps it in
        assert f"{name} - is not a valid page link" in body and 'role="alert"' in body
        assert rows(body) == []
    edited = links(client.get("/admin/invoices?perPage=4").get_data(as_text=True))["next"].replace("after=", "after=x")
    assert "after - is not a valid page link" in client.get(edited).get_data(as_text=True)
