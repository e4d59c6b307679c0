"""Admin reads: filters, sort, paging, includes (nested), detail-row resources, relationship routes, query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest

from portal.extensions import db
from tests.api.jsonapi.conftest import ADMIN, day, jsonapi_headers, make_invoice
from tests.factories import (
    AccountFactory,
    CdrFactory,
    CountryFactory,
    InvoiceFactory,
    NetworkFactory,
    ServiceFactory,
    TransactionFactory,
)
from tests.statements import recorded_statements

UTC = dt.timezone.utc
DESTINATION_ATTRIBUTES = [
    "dst-prefix",
    "rate",
    "spent",
    "calls-count",
    "successful-calls-count",
    "calls-duration",
    "billing-duration",
    "amount",
    "first-call-at",
    "last-call-at",
]
NETWORK_ATTRIBUTES = DESTINATION_ATTRIBUTES[1:]
ROW_RELATIONSHIPS = ["invoice", "country", "network"]
SERVICE_ROW_ATTRIBUTES = ["amount", "transactions-count", "spent"]
SERVICE_ROW_RELATIONSHIPS = ["invoice", "service"]


def get(client, token, path, **params):
    response = client.get(f"{ADMIN}{path}", query_string=params, headers=jsonapi_headers(token))
    return response


def ids(response) -> list[int]:
    return [int(item["id"]) for item in response.get_json()["data"]]


@pytest.fixture
def traffic_invoice(app):
    """A filled invoice with originated, terminated and service rows (one with a network, one without)."""
    account, other = AccountFactory(), AccountFactory()
    de = CountryFactory(iso2="DE", name="Germany")
    mobile = NetworkFactory(country=de, name="DE Mobile")
    t = day(1) + dt.timedelta(hours=1)
    CdrFactory(
        customer_acc_id=account.id,
        time_start=t,
        dst_prefix="4915",
        network=mobile,
        customer_price=Decimal("1.5"),
    )
    CdrFactory(customer_acc_id=account.id, time_start=t, dst_prefix="44", customer_price=Decimal("0.25"))
    CdrFactory(
        vendor_acc_id=account.id,
        customer_acc_id=other.id,
        time_start=t,
        dialpeer_prefix="33",
        vendor_price=Decimal("0.75"),
    )
    service = ServiceFactory(account_id=account.id)
    TransactionFactory(account=account, service=service, created_at=t, amount=Decimal("12.3456"))
    TransactionFactory(account=account, created_at=t, amount=Decimal("-2"))
    invoice = make_invoice(account, day(1))
    db.session.commit()
    return invoice


def test_detail_row_resources_have_the_documented_shapes(client, admin_token, traffic_invoice):
    for path, attributes, relationships in (
        ("/invoice-originated-destinations", DESTINATION_ATTRIBUTES, ROW_RELATIONSHIPS),
        ("/invoice-terminated-destinations", DESTINATION_ATTRIBUTES, ROW_RELATIONSHIPS),
        ("/invoice-originated-networks", NETWORK_ATTRIBUTES, ROW_RELATIONSHIPS),
        ("/invoice-terminated-networks", NETWORK_ATTRIBUTES, ROW_RELATIONSHIPS),
        ("/invoice-service-data", SERVICE_ROW_ATTRIBUTES, SERVICE_ROW_RELATIONSHIPS),
    ):
        body = get(client, admin_token, path).get_json()
        assert body["data"], path
        for item in body["data"]:
            assert item["type"] == path[1:]
            assert list(item["attributes"]) == attributes, path
            assert list(item["relationships"]) == relationships, path
            assert item["relationships"]["invoice"]["data"] == {"type": "invoices", "id": str(traffic_invoice.id)}
            assert isinstance(item["attributes"]["amount"], str) and isinstance(item["attributes"]["spent"], bool)
        shown = get(client, admin_token, f"{path}/{body['data'][0]['id']}").get_json()["data"]
        assert shown == body["data"][0]


def test_originated_destination_values_and_null_country(client, admin_token, traffic_invoice):
    rows = get(client, admin_token, "/invoice-originated-destinations", sort="dst_prefix").get_json()["data"]
    assert [r["attributes"]["dst-prefix"] for r in rows] == ["44", "4915"]
    no_country, german = rows
    assert no_country["relationships"]["country"]["data"] is None
    assert no_country["relationships"]["network"]["data"] is None
    assert german["attributes"]["amount"] == "1.5" and german["attributes"]["rate"] == "0.1"
    assert german["attributes"]["calls-count"] == 1 and german["attributes"]["spent"] is True
    assert german["attributes"]["first-call-at"] == "2026-01-02T01:00:00.000Z"
    assert german["relationships"]["country"]["data"]["type"] == "countries"
    services = get(client, admin_token, "/invoice-service-data", sort="-amount").get_json()["data"]
    assert [(s["attributes"]["amount"], s["attributes"]["spent"]) for s in services] == [
        ("12.3456", True),
        ("2.0", False),
    ]
    assert services[1]["relationships"]["service"]["data"] is None


def test_include_service_data_and_nested_includes(client, admin_token, traffic_invoice):
    body = get(client, admin_token, f"/invoices/{traffic_invoice.id}", include="service-data.service").get_json()
    linkage = body["data"]["relationships"]["service-data"]["data"]
    assert len(linkage) == 2 and {item["type"] for item in linkage} == {"invoice-service-data"}
    types = sorted(item["type"] for item in body["included"])
    assert types == ["invoice-service-data", "invoice-service-data", "services"]
    assert "data" not in body["data"]["relationships"]["originated-destinations"]

    path = "originated-destinations.country,originated-destinations.network"
    body = get(client, admin_token, f"/invoices/{traffic_invoice.id}", include=path).get_json()
    included = {(item["type"], item["id"]) for item in body["included"]}
    assert len(included) == len(body["included"])  # no duplicates
    assert sorted(t for t, _ in included) == [
        "countries",
        "invoice-originated-destinations",
        "invoice-originated-destinations",
        "networks",
    ]
    assert len(body["data"]["relationships"]["originated-destinations"]["data"]) == 2

    without = get(client, admin_token, f"/invoices/{traffic_invoice.id}", include="terminated-destinations").get_json()
    assert [i["type"] for i in without["included"]] == ["invoice-terminated-destinations"]
    assert without["included"][0]["relationships"]["country"]["data"] is None


def test_include_account_and_everything_on_a_list(client, admin_token, traffic_invoice):
    make_invoice(traffic_invoice.account, day(2))
    db.session.commit()
    include = (
        "account,originated-destinations.country,originated-destinations.network,originated-networks,"
        "terminated-destinations,terminated-networks,service-data.service"
    )
    body = get(client, admin_token, "/invoices", include=include).get_json()
    keys = [(i["type"], i["id"]) for i in body["included"]]
    assert len(keys) == len(set(keys))
    assert keys.count(("accounts", str(traffic_invoice.account_id))) == 1
    assert body["data"][1]["relationships"]["originated-destinations"]["data"] == []


@pytest.mark.parametrize("include", ["bogus", "account.bogus", "originated-destinations.", ",", "state"])
def test_bad_include_is_a_400(client, admin_token, include):
    response = get(client, admin_token, "/invoices", include=include)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["status"] == "400"


def test_relationship_and_related_routes(client, admin_token, traffic_invoice):
    iid = traffic_invoice.id
    rel = get(client, admin_token, f"/invoices/{iid}/relationships/account").get_json()
    assert rel["data"] == {"type": "accounts", "id": str(traffic_invoice.account_id)}
    assert rel["links"]["self"].endswith(f"/invoices/{iid}/relationships/account")
    account = get(client, admin_token, f"/invoices/{iid}/account").get_json()["data"]
    assert account["type"] == "accounts" and account["id"] == str(traffic_invoice.account_id)
    assert account["relationships"]["contractor"]["data"]["type"] == "contractors"
    for name, count in (
        ("originated-destinations", 2),
        ("originated-networks", 2),
        ("terminated-destinations", 1),
        ("terminated-networks", 1),
        ("service-data", 2),
    ):
        linkage = get(client, admin_token, f"/invoices/{iid}/relationships/{name}").get_json()["data"]
        assert len(linkage) == count, name
        related = get(client, admin_token, f"/invoices/{iid}/{name}").get_json()
        assert related["meta"]["total-count"] == count, name
        assert sorted(i["id"] for i in related["data"]) == sorted(i["id"] for i in linkage)
    assert get(client, admin_token, f"/invoices/{iid}/relationships/bogus").status_code == 404
    assert get(client, admin_token, f"/invoices/{iid}/bogus").status_code == 404
    assert get(client, admin_token, "/invoices/9999/account").status_code == 404


def test_detail_rows_filter_by_invoice_and_invoice_account(client, admin_token, traffic_invoice):
    other = make_invoice(AccountFactory(), day(1))
    CdrFactory(customer_acc_id=other.account_id, time_start=day(5))
    db.session.commit()
    rows = get(
        client, admin_token, "/invoice-originated-destinations", **{"filter[invoice_id_eq]": traffic_invoice.id}
    ).get_json()
    assert rows["meta"]["total-count"] == 2
    by_account = get(
        client,
        admin_token,
        "/invoice-originated-destinations",
        **{"filter[invoice_account_id_eq]": traffic_invoice.account_id},
    ).get_json()
    assert by_account["meta"]["total-count"] == 2
    none = get(
        client, admin_token, "/invoice-service-data", **{"filter[invoice_account_id_in]": f"{other.account_id},99999"}
    ).get_json()
    assert none["meta"]["total-count"] == 0
    spent = get(client, admin_token, "/invoice-service-data", **{"filter[spent_eq]": "false"}).get_json()
    assert spent["meta"]["total-count"] == 1
    prefix = get(client, admin_token, "/invoice-originated-destinations", **{"filter[dst_prefix_start]": "49"})
    assert prefix.get_json()["meta"]["total-count"] == 1
    assert (
        get(client, admin_token, "/invoice-originated-networks", **{"filter[dst_prefix_eq]": "49"}).status_code == 400
    )


def _three_invoices():
    a, b = AccountFactory(), AccountFactory()
    first, second, third = (
        InvoiceFactory(
            account=account,
            reference=reference,
            state=state,
            invoice_type=kind,
            start_date=day(start),
            end_date=day(start + 1),
            amount_spent=Decimal(amount),
            originated_first_call_at=None if hour is None else day(start) + dt.timedelta(hours=hour),
        )
        for account, reference, state, kind, start, amount, hour in (
            (a, "ALPHA-1", "New", "Manual", 0, "5", None),
            (a, "beta-2", "Pending", "Auto Full", 1, "12.5", 2),
            (b, "gamma_3", "Approved", "Auto Partial", 3, "7", 1),
        )
    )
    db.session.commit()
    return a, b, first, second, third


def test_invoice_filters_by_kind(client, admin_token):
    a, b, first, second, third = _three_invoices()
    cases = {
        "filter[account_id_eq]": (str(a.id), [first.id, second.id]),
        "filter[account_id_not_in]": (f"{a.id},99", [third.id]),
        "filter[state_eq]": ("Approved", [third.id]),
        "filter[state_in]": ("New,Pending", [first.id, second.id]),
        "filter[invoice_type_eq]": ("Auto Full", [second.id]),
        "filter[invoice_type_not_eq]": ("Manual", [second.id, third.id]),
        "filter[reference_cont]": ("ETA", [second.id]),
        "filter[reference_start]": ("alpha", [first.id]),
        "filter[reference_end]": ("_3", [third.id]),
        "filter[reference_cont_any]": ("pha,mma", [first.id, third.id]),
        "filter[reference_eq]": ("beta-2", [second.id]),
        "filter[reference_not_eq]": ("beta-2", [first.id, third.id]),
        "filter[amount_spent_gt]": ("5", [second.id, third.id]),
        "filter[amount_spent_gteq]": ("5.0", [first.id, second.id, third.id]),
        "filter[amount_spent_lt]": ("7", [first.id]),
        "filter[amount_spent_lteq]": ("7", [first.id, third.id]),
        "filter[amount_spent_eq]": ("12.50", [second.id]),
        "filter[amount_spent_in]": ("5,7", [first.id, third.id]),
        "filter[start_date_gteq]": ("2026-01-02", [second.id, third.id]),
        "filter[start_date_lt]": ("2026-01-02T00:00:00Z", [first.id]),
        "filter[end_date_eq]": ("2026-01-05T00:00:00.000Z", [third.id]),
        "filter[originated_first_call_at_gt]": ("2026-01-02T01:00:00Z", [second.id, third.id]),
        "filter[originated_calls_count_eq]": ("0", [first.id, second.id, third.id]),
        "filter[id]": (f"{first.id},{third.id}", [first.id, third.id]),
    }
    for key, (value, expected) in cases.items():
        response = get(client, admin_token, "/invoices", **{key: value})
        assert response.status_code == 200, (key, response.data)
        assert ids(response) == expected, key
    huge = get(client, admin_token, "/invoices", **{"filter[account_id_in]": "9999999999,1"})
    assert huge.status_code == 400
    assert get(client, admin_token, "/invoices", **{"filter[account_id_in]": "999999999,1"}).status_code == 200
    assert get(client, admin_token, "/invoices/9999999999").status_code == 404
    assert get(client, admin_token, "/invoice-service-data/999999999").status_code == 404
    combined = get(client, admin_token, "/invoices", **{"filter[account_id_eq]": a.id, "filter[state_eq]": "New"})
    assert ids(combined) == [first.id]


# The filters the invoice list refuses (parameter, value), by the title of the 400 it answers with.
REFUSED_FILTERS = {
    "Filter not allowed": [
        ("filter[bogus_eq]", "1"),
        ("filter[state_gt]", "New"),
        ("filter[reference]", "x"),
        ("filter[pdf_path_eq]", "x"),
        ("filterx", "1"),
    ],
    "Invalid filter value": [
        ("filter[state_eq]", "Draft"),
        ("filter[state_eq]", "approved"),
        ("filter[invoice_type_in]", "Manual,Auto"),
        ("filter[account_id_eq]", "abc"),
        ("filter[account_id_eq]", "1,2"),
        ("filter[amount_spent_gt]", "lots"),
        ("filter[amount_spent_gt]", "NaN"),
        ("filter[start_date_gt]", "someday"),
        ("filter[originated_calls_count_eq]", ""),
        ("filter[id]", "1,x"),
    ],
}


@pytest.mark.parametrize(
    "key, value, title", [(key, value, title) for title, refused in REFUSED_FILTERS.items() for key, value in refused]
)
def test_bad_filters_are_400s(client, admin_token, key, value, title):
    response = get(client, admin_token, "/invoices", **{key: value})
    assert response.status_code == 400
    error = response.get_json()["errors"][0]
    assert error["title"] == title and error["status"] == "400" and error["code"] == "400"


def test_sorting(client, admin_token):
    a, b, first, second, third = _three_invoices()
    assert ids(get(client, admin_token, "/invoices")) == [first.id, second.id, third.id]
    assert ids(get(client, admin_token, "/invoices", sort="-amount_spent")) == [second.id, third.id, first.id]
    assert ids(get(client, admin_token, "/invoices", sort="-start-date")) == [third.id, second.id, first.id]
    assert ids(get(client, admin_token, "/invoices", sort="-state,start_date")) == [second.id, first.id, third.id]
    by_call = ids(get(client, admin_token, "/invoices", sort="-originated-first-call-at,id"))
    assert by_call.index(third.id) < by_call.index(second.id)
    for bad in ("bogus", "-", "pdf-path", "amount_spent,,id"):
        response = get(client, admin_token, "/invoices", sort=bad)
        assert response.status_code == 400, bad
        assert response.get_json()["errors"][0]["title"] == "Invalid sort criteria"


def test_paging_twelve_items_at_size_ten(client, admin_token):
    account = AccountFactory()
    made = [InvoiceFactory(account=account, start_date=day(i), end_date=day(i + 1)).id for i in range(12)]
    db.session.commit()
    first = get(client, admin_token, "/invoices", **{"page[size]": 10}).get_json()
    assert [int(i["id"]) for i in first["data"]] == made[:10]
    assert first["meta"] == {"total-count": 12}
    assert set(first["links"]) == {"first", "next", "last"}
    second_url = first["links"]["next"]
    assert parse_qs(urlparse(second_url).query) == {"page[number]": ["2"], "page[size]": ["10"]}
    second = client.get(second_url, headers=jsonapi_headers(admin_token)).get_json()
    assert [int(i["id"]) for i in second["data"]] == made[10:]
    assert set(second["links"]) == {"first", "prev", "last"}
    assert second["links"]["last"] == second_url
    beyond = get(client, admin_token, "/invoices", **{"page[size]": 10, "page[number]": 3}).get_json()
    assert beyond["data"] == [] and beyond["meta"]["total-count"] == 12


def test_paging_51_items_with_the_default_size_keeps_filters_in_links(client, admin_token):
    account = AccountFactory()
    for i in range(51):
        InvoiceFactory(account=account, start_date=day(i), end_date=day(i + 1))
    db.session.commit()
    body = get(client, admin_token, "/invoices", **{"filter[account_id_eq]": account.id}).get_json()
    assert len(body["data"]) == 50 and body["meta"]["total-count"] == 51
    following = client.get(body["links"]["next"], headers=jsonapi_headers(admin_token)).get_json()
    assert len(following["data"]) == 1
    assert parse_qs(urlparse(body["links"]["next"]).query)["filter[account_id_eq]"] == [str(account.id)]
    empty = get(client, admin_token, "/invoices", **{"filter[account_id_eq]": 99999}).get_json()
    assert empty["data"] == [] and empty["meta"]["total-count"] == 0 and set(empty["links"]) == {"first", "last"}


@pytest.mark.parametrize(
    "params",
    [
        {"page[size]": "0"},
        {"page[size]": "1001"},
        {"page[size]": "abc"},
        {"page[number]": "0"},
        {"page[number]": "-1"},
        {"page[number]": "1.5"},
        {"page[offset]": "3"},
        {"page[size]": "99999999999999"},
    ],
)
def test_bad_page_values_are_400s(client, admin_token, params):
    response = get(client, admin_token, "/invoices", **params)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["title"] == "Invalid page value"


def test_maximum_page_size_is_accepted(client, admin_token):
    assert get(client, admin_token, "/invoices", **{"page[size]": 1000}).status_code == 200


def test_read_endpoints_for_related_resources(client, admin_token, traffic_invoice):
    account = traffic_invoice.account
    for path, type_ in (
        ("/accounts", "accounts"),
        ("/contractors", "contractors"),
        ("/countries", "countries"),
        ("/networks", "networks"),
        ("/services", "services"),
    ):
        body = get(client, admin_token, path).get_json()
        assert body["data"] and {i["type"] for i in body["data"]} == {type_}, path
        one = get(client, admin_token, f"{path}/{body['data'][0]['id']}")
        assert one.status_code == 200
    acc = get(client, admin_token, f"/accounts/{account.id}", include="contractor").get_json()
    assert acc["data"]["attributes"]["uuid"] == str(account.uuid)
    assert acc["included"][0]["attributes"]["name"] == account.customer.name
    assert (
        get(client, admin_token, "/contractors", **{"filter[name_cont]": account.customer.name}).get_json()["meta"][
            "total-count"
        ]
        == 1
    )
    country = get(client, admin_token, "/countries", **{"filter[iso2_eq]": "DE"}).get_json()["data"][0]
    assert country["attributes"] == {"name": "Germany", "iso2": "DE"}


def test_listing_50_invoices_with_includes_uses_a_constant_number_of_queries(client, admin_token):
    de = CountryFactory(iso2="DE", name="Germany")
    network = NetworkFactory(country=de)
    service = ServiceFactory()

    def build(n: int) -> None:
        for i in range(n):
            account = AccountFactory()
            CdrFactory(customer_acc_id=account.id, time_start=day(1), network=network)
            CdrFactory(vendor_acc_id=account.id, time_start=day(1), dialpeer_prefix="33")
            TransactionFactory(account=account, service=service, created_at=day(1))
            make_invoice(account, day(1))
        db.session.commit()

    include = (
        "account,originated-destinations.country,originated-destinations.network,originated-networks,"
        "terminated-destinations.country,terminated-networks,service-data.service"
    )

    def count_queries(size: int) -> int:
        # Full pages both times: a page that ends short of its size needs no count (one statement less).
        with recorded_statements() as statements:
            response = get(client, admin_token, "/invoices", include=include, **{"page[size]": str(size)})
        assert response.status_code == 200
        return len(statements), len(response.get_json()["data"])

    build(2)
    few, listed = count_queries(2)
    assert listed == 2
    build(48)
    many, listed = count_queries(50)
    assert listed == 50
    assert many == few
    assert many <= 16


def test_includes_nest_at_most_two_levels(client, admin_token, traffic_invoice):
    ok = get(client, admin_token, f"/invoices/{traffic_invoice.id}", include="account.contractor,account.contractor")
    assert ok.status_code == 200 and [i["type"] for i in ok.get_json()["included"]] == ["accounts", "contractors"]
    deep = get(
        client, admin_token, f"/invoices/{traffic_invoice.id}", include="originated-destinations.network.country"
    )
    assert deep.status_code == 400


def test_show_and_list_read_the_pdf_link_in_the_invoice_statement(client, admin_token, pdf_bytes):
    with_pdf = make_invoice(AccountFactory(), day(1), pdf=pdf_bytes)
    without = make_invoice(AccountFactory(), day(1))
    db.session.commit()
    with_pdf_id, without_id = with_pdf.id, without.id
    db.session.expunge_all()  # as in a real request: nothing of this session is in the identity map
    with recorded_statements() as statements:
        shown = get(client, admin_token, f"/invoices/{with_pdf_id}").get_json()
        listed = get(client, admin_token, "/invoices").get_json()
    assert shown["data"]["attributes"]["pdf-path"].endswith(f"/invoices/{with_pdf_id}/pdf")
    paths = {item["id"]: item["attributes"]["pdf-path"] for item in listed["data"]}
    assert paths[str(with_pdf_id)].endswith(f"/invoices/{with_pdf_id}/pdf") and paths[str(without_id)] is None
    # No statement of its own for "has a stored PDF", and the account is not joined to the invoice rows.
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT INVOICE_DOCUMENTS")]
    # (The object cache's reads of ids and stamps need no PDF: storing one stamps the invoice.)
    invoice_reads = [s for s in statements if "FROM invoices" in s and "invoices.reference" in s]
    assert invoice_reads and all("invoice_documents" in s and "JOIN accounts" not in s for s in invoice_reads)
