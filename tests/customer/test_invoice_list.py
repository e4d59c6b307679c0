"""The customer invoice list: filters, presets, sorting, paging, htmx fragments and bad input."""

import datetime as dt
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from portal.extensions import db
from tests.customer.conftest import TODAY, approved_invoice, month
from tests.factories import AccountFactory, CustomerFactory

UTC = dt.timezone.utc


def numbers_in(html: str) -> list[str]:
    """Invoice numbers in table order."""
    return re.findall(r"(INV-T-\d{6})</a></th>", html)


def error_beside(html: str, field: str) -> str:
    match = re.search(rf'<div id="{field}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no error slot for {field}"
    return match.group(1)


@pytest.fixture
def three_months(account):
    invoices = [
        approved_invoice(account, month(-3), total="30.00"),
        approved_invoice(account, month(-2), total="10.00"),
        approved_invoice(account, month(-1), total="20.00"),
    ]
    db.session.commit()
    return invoices


def test_lists_approved_invoices_latest_first(signed_in, three_months):
    html = signed_in.get("/portal/invoices").get_data(as_text=True)
    assert numbers_in(html) == [i.invoice_number for i in reversed(three_months)]
    assert "Invoices of all periods" in html
    assert 'aria-sort="descending"' in html


def test_period_window_keeps_invoices_overlapping_it_and_says_so(signed_in, three_months):
    first_day = month(-2)
    last_day = month(-1) - dt.timedelta(days=1)
    html = signed_in.get(f"/portal/invoices?period_from={first_day}&period_to={last_day}").get_data(as_text=True)
    assert numbers_in(html) == [three_months[1].invoice_number]
    assert "Invoices with periods from" in html


def test_period_window_reads_days_in_the_account_time_zone(client, login, customer):
    berlin = AccountFactory(customer=customer, timezone="Europe/Berlin", name="Berlin")
    start = dt.datetime(2025, 3, 31, 22, tzinfo=UTC)  # 1 April 2025, 00:00 in Berlin
    inv = approved_invoice(
        berlin, dt.date(2025, 4, 1), start_date=start, end_date=dt.datetime(2025, 4, 30, 22, tzinfo=UTC)
    )
    from tests.factories import CustomerUserFactory

    user = CustomerUserFactory(customer=customer)
    db.session.commit()
    login(user)
    march = client.get("/portal/invoices?period_from=2025-03-01&period_to=2025-03-31").get_data(as_text=True)
    april = client.get("/portal/invoices?period_from=2025-04-01&period_to=2025-04-30").get_data(as_text=True)
    assert inv.invoice_number not in march
    assert inv.invoice_number in april


def test_preset_last_month_selects_last_months_period(signed_in, three_months):
    html = signed_in.get("/portal/invoices?preset=last_month").get_data(as_text=True)
    assert numbers_in(html) == [three_months[2].invoice_number]
    last_month_end = month(0) - dt.timedelta(days=1)
    assert f"to {last_month_end:%b} {last_month_end.day}, {last_month_end.year}" in html


@pytest.mark.parametrize("preset, expected", [("last_3_months", [2]), ("this_month", [])])
def test_other_presets(signed_in, three_months, preset, expected):
    html = signed_in.get(f"/portal/invoices?preset={preset}").get_data(as_text=True)
    # last 3 months = the two months before this one and this month: only the most recent invoice
    # of the fixture (month -1) and month -2 qualify.
    found = numbers_in(html)
    if preset == "last_3_months":
        assert found == [three_months[2].invoice_number, three_months[1].invoice_number]
    else:
        assert found == [] and "No invoices match these filters." in html


def test_invoice_and_due_date_ranges(signed_in, three_months):
    target = three_months[1]
    html = signed_in.get(
        f"/portal/invoices?invoice_date_from={target.invoice_date}&invoice_date_to={target.invoice_date}"
    ).get_data(as_text=True)
    assert numbers_in(html) == [target.invoice_number]
    html = signed_in.get(f"/portal/invoices?due_date_to={three_months[0].due_date}").get_data(as_text=True)
    assert numbers_in(html) == [three_months[0].invoice_number]


def test_status_filters_are_derived_from_outstanding_and_due_date(signed_in, account):
    paid = approved_invoice(account, month(-5), paid="100.00")
    overdue = approved_invoice(account, month(-4), due=TODAY - dt.timedelta(days=1))
    partly = approved_invoice(account, month(-3), due=TODAY + dt.timedelta(days=10), paid="40.00")
    still_open = approved_invoice(account, month(-2), due=TODAY + dt.timedelta(days=10))
    db.session.commit()
    expected = {
        "paid": [paid],
        "overdue": [overdue],
        "partially paid": [partly],
        "open": [still_open],
        # "Unpaid" is everything with something outstanding, late or not.
        "unpaid": [still_open, partly, overdue],
    }
    for status, invoices in expected.items():
        html = signed_in.get("/portal/invoices", query_string={"status": status}).get_data(as_text=True)
        assert numbers_in(html) == [i.invoice_number for i in invoices], status


def test_exact_invoice_number(signed_in, three_months):
    html = signed_in.get(f"/portal/invoices?number={three_months[0].invoice_number}").get_data(as_text=True)
    assert numbers_in(html) == [three_months[0].invoice_number]
    partial = three_months[0].invoice_number[:-1]
    assert numbers_in(signed_in.get(f"/portal/invoices?number={partial}").get_data(as_text=True)) == []


@pytest.mark.parametrize(
    "sort, direction, order",
    [
        ("amount", "asc", [1, 2, 0]),
        ("amount", "desc", [0, 2, 1]),
        ("number", "asc", [0, 1, 2]),
        ("date", "asc", [0, 1, 2]),
    ],
)
def test_sorting(signed_in, three_months, sort, direction, order):
    html = signed_in.get(f"/portal/invoices?sort={sort}&direction={direction}").get_data(as_text=True)
    assert numbers_in(html) == [three_months[i].invoice_number for i in order]
    expected = "ascending" if direction == "asc" else "descending"
    assert re.search(rf'aria-sort="{expected}">\s*<a [^>]*sort={sort}', html)


def test_account_filter_and_switching(client, login, customer, account):
    other = AccountFactory(customer=customer, name="Second")
    a = approved_invoice(account, month(-1))
    b = approved_invoice(other, month(-1))
    from tests.factories import CustomerUserFactory

    login(CustomerUserFactory(customer=customer))
    db.session.commit()
    html = client.get(f"/portal/invoices?account={other.id}").get_data(as_text=True)
    assert numbers_in(html) == [b.invoice_number]
    assert a.invoice_number not in html
    assert 'id="account"' in html  # the switcher is shown when the user sees several accounts


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("period_from=2026-05-01&period_to=2026-04-01", "period_to", "Must not be before the start date."),
        ("invoice_date_from=2026-05-01&invoice_date_to=2026-04-01", "invoice_date_to", "Must not be before"),
        ("due_date_from=2026-05-01&due_date_to=2026-04-01", "due_date_to", "Must not be before"),
        ("period_from=2026-13-45", "period_from", "Enter a date as YYYY-MM-DD."),
        ("due_date_to=yesterday", "due_date_to", "Enter a date as YYYY-MM-DD."),
        ("account=999999", "account", "Choose one of your accounts."),
        ("account=abc", "account", "Choose one of your accounts."),
        ("status=cancelled", "status", "Choose unpaid, paid or overdue."),
        ("per_page=100000", "per_page", "at most 100"),
        ("per_page=-1", "per_page", "at most 100"),
        ("preset=next_decade", "preset", "Choose one of the listed periods."),
        ("number=" + "9" * 80, "number", "Field cannot be longer than 64 characters."),
    ],
)
def test_bad_filter_values_show_a_message_beside_the_field(signed_in, three_months, query, field, message):
    response = signed_in.get(f"/portal/invoices?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in error_beside(html, field)
    assert "Some filters need fixing" in html
    assert numbers_in(html) == []


def test_another_customers_account_id_is_a_field_error(signed_in, three_months):
    foreign = AccountFactory(customer=CustomerFactory())
    approved_invoice(foreign, month(-1))
    db.session.commit()
    html = signed_in.get(f"/portal/invoices?account={foreign.id}").get_data(as_text=True)
    assert "Choose one of your accounts." in error_beside(html, "account")


@pytest.mark.parametrize("query", ["page=abc", "page=0", f"page={10**30}", "sort=evil", "direction=sideways"])
def test_bad_paging_and_sorting_never_fail(signed_in, three_months, query):
    response = signed_in.get(f"/portal/invoices?{query}")
    assert response.status_code == 200
    assert "Some filters need fixing" in response.get_data(as_text=True)


def test_page_size_and_pagination(signed_in, account):
    invoices = [approved_invoice(account, month(-i)) for i in range(1, 13)]
    db.session.commit()
    first = signed_in.get("/portal/invoices?per_page=10").get_data(as_text=True)
    assert len(numbers_in(first)) == 10
    assert "page 1 of 2" in first and 'rel="next"' in first
    second = signed_in.get("/portal/invoices?per_page=10&page=2").get_data(as_text=True)
    assert numbers_in(second) == [invoices[-2].invoice_number, invoices[-1].invoice_number]
    beyond = signed_in.get("/portal/invoices?per_page=10&page=7").get_data(as_text=True)
    assert "There is no page 7" in beyond


def test_htmx_request_gets_only_the_table_fragment_with_out_of_band_errors(signed_in, three_months):
    response = signed_in.get("/portal/invoices?sort=amount&direction=asc", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in html and "invoice-filters" not in html
    assert html.lstrip().startswith('<section id="invoice-results"')
    assert 'id="period_to-error" class="error-slot" aria-live="polite" hx-swap-oob="true"' in html
    assert re.search(
        r'<input[^>]*hx-swap-oob="true"[^>]*value="amount"|<input[^>]*value="amount"[^>]*hx-swap-oob', html
    )
    assert numbers_in(html) == [three_months[i].invoice_number for i in (1, 2, 0)]
    bad = signed_in.get("/portal/invoices?period_from=bad", headers={"HX-Request": "true"}).get_data(as_text=True)
    pushed = signed_in.get("/portal/invoices?account=&status=paid&number=&per_page=25", headers={"HX-Request": "true"})
    assert pushed.headers["HX-Push-Url"] == "/portal/invoices?status=paid&per_page=25"
    assert "Enter a date as YYYY-MM-DD." in error_beside(bad, "period_from")


def test_history_restore_gets_the_whole_page(signed_in, three_months):
    html = signed_in.get("/portal/invoices", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in html.get_data(as_text=True)


def test_full_page_works_without_javascript(signed_in, three_months):
    html = signed_in.get("/portal/invoices").get_data(as_text=True)
    assert re.search(r'<form id="invoice-filters"[^>]*method="get"', html)
    assert 'hx-push-url="true"' in html and 'hx-target="#invoice-results"' in html
    assert '<label for="period_from">' in html
    assert 'th scope="col"' in html and "<caption" in html


def test_empty_state_is_helpful(signed_in, account):
    db.session.commit()
    html = signed_in.get("/portal/invoices?status=paid").get_data(as_text=True)
    assert "No invoices match these filters." in html and "clear all filters" in html


def _count_queries(client, url) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_query_count_does_not_grow_with_rows(signed_in, customer, account):
    other = AccountFactory(customer=customer)
    approved_invoice(account, month(-1))
    db.session.commit()
    few = _count_queries(signed_in, "/portal/invoices?per_page=100&period_from=2000-01-01")
    for i in range(2, 40):
        approved_invoice(account if i % 2 else other, month(-i))
    db.session.commit()
    many = _count_queries(signed_in, "/portal/invoices?per_page=100&period_from=2000-01-01")
    assert many == few
    assert few <= 6


def test_money_and_dates_follow_the_customers_language(client, login, customer, account):
    approved_invoice(account, dt.date(2025, 3, 1), total="1234.50")
    from tests.factories import CustomerUserFactory

    customer.language = "de"
    german = CustomerUserFactory(customer=customer)
    db.session.commit()
    login(german)
    html = client.get("/portal/invoices").get_data(as_text=True)
    assert "1.234,50\xa0€" in html
    assert "01.03.2025" in html


def test_counts_stop_at_the_limit_and_paging_goes_on(signed_in, account, monkeypatch):
    from portal.reading import paging

    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    invoices = [approved_invoice(account, month(-i)) for i in range(1, 8)]
    db.session.commit()
    first = signed_in.get("/portal/invoices?per_page=10").get_data(as_text=True)
    assert "more than 3 invoices" in first and "of 1" not in first
    assert len(numbers_in(first)) == 7 and 'rel="next"' not in first
    monkeypatch.setattr(paging, "COUNT_LIMIT", 2)
    # 7 invoices, 10 per page is one page; with per_page=25 still one page: paging comes from the rows.
    exact = signed_in.get("/portal/invoices?number=" + invoices[0].invoice_number).get_data(as_text=True)
    assert "1 invoice" in exact and "more than" not in exact
    beyond = signed_in.get("/portal/invoices?per_page=10&page=5").get_data(as_text=True)
    assert "There is no page 5." in beyond and "the list has" not in beyond


@contextmanager
def recorded_offsets():
    """The OFFSET value of every statement run in the block (qmark or named parameters)."""
    offsets: list[int] = []

    def record(conn, cursor, statement, parameters, *args):
        for match in re.finditer(r"OFFSET (\?|%\((\w+)\)s)", statement):
            if match.group(2):
                offsets.append(parameters[match.group(2)])
            else:
                offsets.append(parameters[statement[: match.start()].count("?")])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield offsets
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _link(html: str, rel: str) -> str | None:
    match = re.search(rf'<a href="([^"]+)"[^>]*rel="{rel}"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_next_and_previous_page_by_keyset_without_offset(signed_in, account):
    invoices = [approved_invoice(account, month(-i)) for i in range(1, 26)]  # newest first in list order
    db.session.commit()
    expected = [i.invoice_number for i in invoices]
    first = signed_in.get("/portal/invoices?per_page=10").get_data(as_text=True)
    assert numbers_in(first) == expected[:10] and _link(first, "prev") is None
    second_url = _link(first, "next")
    assert "after=" in second_url and "page=2" in second_url
    second = signed_in.get(second_url).get_data(as_text=True)
    with recorded_offsets() as offsets:
        third = signed_in.get(_link(second, "next")).get_data(as_text=True)
    assert numbers_in(second) == expected[10:20] and numbers_in(third) == expected[20:]
    assert "page 3 of 3" in third and _link(third, "next") is None
    assert set(offsets) <= {0}  # SQLite writes LIMIT ? OFFSET 0 for a LIMIT alone; PostgreSQL no OFFSET at all
    back = _link(third, "prev")
    assert "before=" in back and "page=2" in back
    assert numbers_in(signed_in.get(back).get_data(as_text=True)) == expected[10:20]
    assert numbers_in(signed_in.get(_link(second, "prev")).get_data(as_text=True)) == expected[:10]


def test_an_edited_page_link_is_a_clear_error(signed_in, three_months):
    response = signed_in.get("/portal/invoices?after=forged&page=2")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not a valid page link" in html and numbers_in(html) == []
