"""Hypothesis: arbitrary text in dates, filters and list parameters gives the documented errors, never a crash.

Pure parsers are called directly (`parse_moment` → BadDate, `parse_invoice_filters` → ValidationFailed);
the JSON:API filter parser, the customer portal's invoice filter form and the backend list parameters are
driven over HTTP, where any other exception would surface as a 500.
"""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.foundations.dates import BadDate, parse_moment
from portal.foundations.errors import ValidationFailed
from portal.reading.invoice_search import MAX_PER_PAGE, parse_invoice_filters
from tests.api.backend_v1.conftest import BASE
from tests.api.jsonapi.conftest import ADMIN, MEDIA, jsonapi_headers, login_admin
from tests.api.key_clients import bearer, make_key
from tests.factories import AccountFactory, AdminUserFactory, CustomerUserFactory

WEB = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PURE = settings(max_examples=400, deadline=None)

# Text that looks like what people and machines send: dates, numbers, operators, junk and control chars.
DATEISH = st.from_regex(
    r"-?[0-9]{1,6}(-[0-9]{1,3}(-[0-9]{1,3}(T[0-9:.]{0,15}(Z|[+-][0-9:]{1,6})?)?)?)?", fullmatch=True
)
TEXT = st.one_of(
    st.text(max_size=60),
    DATEISH,
    st.text(alphabet="0123456789-+.,:TZe ", max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00+14:00",
            "NaN",
            "Infinity",
            "1e999",
            "-0",
            "true",
            "null",
            "2026-02-30",
        ]
    ),
)
ZONES = st.one_of(
    st.none(),
    st.sampled_from(
        ["UTC", "Europe/Berlin", "Pacific/Kiritimati", "America/Adak", "Nowhere/Atlantis", "", "../../etc/passwd"]
    ),
    st.text(max_size=20),
)


@PURE
@given(TEXT, ZONES)
def test_parse_moment_returns_aware_utc_or_raises_bad_date(value, tz_name):
    try:
        moment = parse_moment(value, tz_name)
    except BadDate:
        return
    assert moment.tzinfo is not None and moment.utcoffset() == dt.timedelta(0)


@PURE
@given(
    st.one_of(
        st.integers(),
        st.floats(),
        st.none(),
        st.lists(st.integers(), max_size=2),
        st.dates(),
        st.datetimes(timezones=st.sampled_from([None, dt.timezone.utc])),
    ),
    ZONES,
)
def test_parse_moment_refuses_other_types_with_bad_date(value, tz_name):
    try:
        moment = parse_moment(value, tz_name)
    except BadDate:
        return
    assert isinstance(value, (dt.date, dt.datetime)) and moment.utcoffset() == dt.timedelta(0)


FILTER_NAMES = [
    "invoiceNumber",
    "customer",
    "account",
    "state",
    "type",
    "unsent",
    "includeUnsent",
    "undelivered",
    "minDate",
    "maxDate",
    "minDueDate",
    "maxDueDate",
    "createdSince",
    "minAmount",
    "maxAmount",
    "sort",
    "page",
    "perPage",
]
QUERY = st.dictionaries(st.sampled_from(FILTER_NAMES), TEXT, max_size=6)


@PURE
@given(QUERY, st.booleans())
def test_invoice_filters_parse_or_raise_validation_failed_naming_the_fields(args, include_default):
    try:
        f = parse_invoice_filters(args, include_unsent_default=include_default)
    except ValidationFailed as exc:
        assert exc.errors and all(e.field in FILTER_NAMES for e in exc.errors)
        return
    assert f.page >= 1 and 1 <= f.per_page <= MAX_PER_PAGE
    for low, high in ((f.min_date, f.max_date), (f.min_due_date, f.max_due_date), (f.min_amount, f.max_amount)):
        assert low is None or high is None or low <= high


def test_backend_list_parameters_never_fail_with_500(app, client):
    AccountFactory()
    db.session.commit()
    key = make_key()

    @WEB
    @given(QUERY)
    def check(args):
        response = client.get(f"{BASE}/invoices", query_string=args, headers=bearer(key))
        assert response.status_code in (200, 400), (args, response.status_code)
        if response.status_code == 400:
            body = response.get_json()
            assert set(body) == {"error", "error_code", "hint"} and body["error_code"] in (400001, 400003), body

    check()


JSONAPI_FILTERS = [
    "id",
    "state_eq",
    "state_in",
    "amount_spent_gt",
    "amount_spent_lteq",
    "start_date_gteq",
    "end_date_lt",
    "invoice_number_cont",
    "account_id_eq",
    "account_id_in",
    "uuid_eq",
    "unknown_eq",
    "state",
    "start_date_cont_any",
    "x]",
]
JSONAPI_QUERY = st.dictionaries(
    st.one_of(
        st.sampled_from(JSONAPI_FILTERS).map(lambda n: f"filter[{n}]"),
        st.text(max_size=12).map(lambda n: f"filter[{n}]"),
        st.sampled_from(["filter", "filter[]", "filter[a][b]", "page[size]", "page[number]", "sort", "include"]),
    ),
    TEXT,
    max_size=4,
)


def test_jsonapi_filter_parser_answers_200_or_400_with_a_json_api_error(app, client):
    admin = AdminUserFactory(level=5)
    db.session.commit()
    token = login_admin(client, admin)

    @WEB
    @given(JSONAPI_QUERY)
    def check(args):
        response = client.get(f"{ADMIN}/invoices", query_string=MultiDict(args), headers=jsonapi_headers(token))
        assert response.status_code in (200, 400), (args, response.status_code, response.data[:300])
        assert response.mimetype == MEDIA
        if response.status_code == 400:
            [error, *_] = json.loads(response.data)["errors"]
            assert error["status"] == "400" and error["detail"]

    check()


PORTAL_FIELDS = [
    "account",
    "preset",
    "period_from",
    "period_to",
    "invoice_date_from",
    "invoice_date_to",
    "due_date_from",
    "due_date_to",
    "status",
    "number",
    "per_page",
    "sort",
    "direction",
    "page",
]


def test_customer_invoice_filter_form_answers_a_page_never_a_500(app, client, login):
    account = AccountFactory()
    user = CustomerUserFactory(customer=account.customer)
    db.session.commit()
    login(user)

    @WEB
    @given(st.dictionaries(st.sampled_from(PORTAL_FIELDS), TEXT, max_size=6), st.booleans())
    def check(args, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get("/portal/invoices", query_string=args, headers=headers)
        assert response.status_code in (200, 400, 422), (args, response.status_code)
        assert response.mimetype == "text/html"

    check()
