"""Access matrix: every route of the URL map × every kind of caller, with the other customer's real ids.

RULES names, for each endpoint, its face (who may reach it) and how its path parameters are
filled. A route missing from RULES fails `test_every_route_has_an_explicit_rule`. The other
tests walk RULES: callers outside a face are refused in the face's own way (login redirect,
404, 401), customers reach their own records (so the refusals are not vacuous) and never the
other customer's through any id, token, filter, include, sort or export, and refused writes
leave every table as it was.
"""

from __future__ import annotations

import io
import re
import uuid
from pprint import pformat

import pytest
from flask import url_for
from sqlalchemy import select

from portal import create_app
from portal.api.backend_v1.actions import ACTIONS
from portal.extensions import db, limiter
from portal.models import DownloadLink
from tests.security.access_rules import (
    ADMIN_WRITE_FORMS,
    ADMIN_WRITE_LEVELS,
    ADMIN_WRITE_REFUSALS,
    RULES,
    faces,
    methods,
    url,
)
from tests.security.conftest import snapshot

SESSION_CUSTOMERS = ("customer_a", "customer_a_limited", "customer_b")
ADMINS = tuple(f"admin_{level}" for level in range(1, 6))
CUSTOMER_JWTS = ("customer_jwt_a", "customer_jwt_a_limited", "customer_jwt_b")
KEYS = ("key_read", "key_write", "key_customer_a")
WRITE_METHODS = ("POST", "PUT", "DELETE")


# Who is the "other side" of each caller: the customer whose data it must never see.
VICTIM = {
    "customer_a": "b",
    "customer_a_limited": "b",
    "customer_b": "a",
    "customer_jwt_a": "b",
    "customer_jwt_a_limited": "b",
    "customer_jwt_b": "a",
    "key_customer_a": "b",
}


def forbidden_markers(world, caller: str) -> set[str]:
    """What `caller` must never find in any response: the other customer's records, unapproved invoices,
    and for the user limited to one account, the customer's other account."""
    victim = world.b if VICTIM[caller] == "b" else world.a
    own = world.a if victim is world.b else world.b
    markers = victim.markers()
    if caller.startswith(("customer", "key_customer")):
        markers |= own.hidden_markers()
    if caller.endswith("_limited"):
        markers |= own.markers(1)
    return markers


def leaked(response, markers: set[str]) -> set[str]:
    body = response.get_data().decode("utf-8", "replace")
    return {m for m in markers if m in body}


@pytest.fixture(scope="module")
def clients(_app, world):
    """One test client per caller: session callers are signed in with a cookie, API callers send a bearer."""
    out = {}
    for name in ("anonymous",) + SESSION_CUSTOMERS + ADMINS:
        client = _app.test_client()
        if name != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = world.users[name].get_id()
                session["_fresh"] = True
        out[name] = client
    return out


@pytest.fixture
def ctx(_app, world):
    with _app.app_context():
        limiter.reset()
        yield _app


def call(world, clients, caller: str, method: str, path: str, **kwargs):
    """One request as `caller` (bearer callers use the anonymous client: no cookie)."""
    if caller in world.tokens:
        headers = {"Authorization": f"Bearer {world.tokens[caller]}", **kwargs.pop("headers", {})}
        return clients["anonymous"].open(path, method=method, headers=headers, **kwargs)
    return clients[caller].open(path, method=method, **kwargs)


def csrf_token(client) -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    page = client.get("/profile/password").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def unlisted_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()} - RULES.keys()


def test_every_route_has_an_explicit_rule(ctx):
    assert unlisted_endpoints(ctx) == set(), "new routes need an entry in RULES"
    endpoints = {rule.endpoint for rule in ctx.url_map.iter_rules()}
    assert RULES.keys() - endpoints == set(), "RULES names routes that no longer exist"
    for endpoint, rule in RULES.items():
        url_rule = next(r for r in ctx.url_map.iter_rules() if r.endpoint == endpoint)
        assert set(rule.params) == set(url_rule.arguments), endpoint


def test_a_new_route_without_a_rule_is_caught(ctx):
    """The completeness check is not vacuous: a route added to a fresh app shows up as unlisted."""
    fresh = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": ctx.config["SQLALCHEMY_DATABASE_URI"]})
    assert unlisted_endpoints(fresh) == set()
    fresh.add_url_rule("/portal/export-everything", "customer.export_everything", lambda: "")
    assert unlisted_endpoints(fresh) == {"customer.export_everything"}


def anonymous_is_sent_to_sign_in(world, clients, method, path, endpoint) -> list:
    """[] when an anonymous caller is redirected to the sign-in page, else the problem."""
    response = call(world, clients, "anonymous", method, path)
    if response.status_code != 302 or "/login" not in response.headers.get("Location", ""):
        return [("anonymous", method, endpoint, response.status_code)]
    return []


def test_admin_area_refuses_anonymous_and_customers_on_every_method(ctx, world, clients):
    before = snapshot()
    problems = []
    for endpoint in faces("admin"):
        path = url(ctx, world, endpoint, world.b)
        for method in methods(ctx, endpoint):
            problems += anonymous_is_sent_to_sign_in(world, clients, method, path, endpoint)
            for caller in SESSION_CUSTOMERS + CUSTOMER_JWTS + KEYS:
                response = call(world, clients, caller, method, path)
                expected = 404 if caller in SESSION_CUSTOMERS else 302  # a bearer is no session: sign in first
                if response.status_code != expected:
                    problems.append((caller, method, endpoint, response.status_code))
    assert not problems, pformat(problems)
    assert snapshot() == before


def test_admin_pages_answer_every_admin_level_without_errors(ctx, world, clients):
    problems = []
    for endpoint in faces("admin"):
        if "GET" not in methods(ctx, endpoint):
            continue
        path = url(ctx, world, endpoint, world.b)
        for caller in ADMINS:
            status = call(world, clients, caller, "GET", path).status_code
            # Lower levels may be refused a page (403); level 5 reaches every page without parameters.
            expected = {200} if caller == "admin_5" else {200, 403}
            if status >= 500 or (not RULES[endpoint].params and status not in expected):
                problems.append((caller, endpoint, status))
    assert not problems, pformat(problems)


def test_admin_writes_refuse_lower_levels_with_a_valid_csrf_token(ctx, world, clients):
    """Past the guard and CSRF, the service refuses a level too low (403) and nothing is written."""
    before = snapshot()
    problems = []
    tokens = {caller: csrf_token(clients[caller]) for caller in ADMINS}
    for endpoint, level in ADMIN_WRITE_LEVELS.items():
        path = url(ctx, world, endpoint, world.b)
        for caller in ADMINS[: level - 1]:
            data = {"csrf_token": tokens[caller], **ADMIN_WRITE_FORMS.get(endpoint, {})}
            if endpoint == "admin.attachments_upload":
                data["file"] = (io.BytesIO(world.a.documents[0].data), "terms.pdf", "application/pdf")
            response = clients[caller].post(path, data=data)
            if response.status_code not in ADMIN_WRITE_REFUSALS.get(endpoint, {403}):
                problems.append((caller, endpoint, response.status_code))
    assert not problems, pformat(problems)
    assert snapshot() == before


def test_portal_refuses_anonymous_and_admins(ctx, world, clients):
    problems = []
    for endpoint in faces("portal"):
        path = url(ctx, world, endpoint, world.a)
        for method in methods(ctx, endpoint):
            problems += anonymous_is_sent_to_sign_in(world, clients, method, path, endpoint)
            for caller in ADMINS:
                status = call(world, clients, caller, method, path).status_code
                if status != 404:
                    problems.append((caller, method, endpoint, status))
    assert not problems, pformat(problems)


@pytest.mark.parametrize("caller", SESSION_CUSTOMERS)
def test_portal_pages_never_show_the_other_customer(ctx, world, clients, caller):
    victim = world.b if VICTIM[caller] == "b" else world.a
    own = world.a if victim is world.b else world.b
    markers = forbidden_markers(world, caller)
    problems = []
    for endpoint in faces("portal"):
        if "GET" not in methods(ctx, endpoint):
            continue
        if RULES[endpoint].params:
            # Own approved invoice: reachable (so the refusals below are not vacuous).
            own_response = call(world, clients, caller, "GET", url(ctx, world, endpoint, own))
            if own_response.status_code != 200 or leaked(own_response, markers):
                problems.append(("own", endpoint, own_response.status_code, leaked(own_response, markers)))
            targets = [
                victim.approved[0].uuid,
                victim.approved[1].uuid,
                victim.pending[0].uuid,
                own.pending[0].uuid,
                own.new[0].uuid,
            ]
            if caller.endswith("_limited"):
                targets.append(own.approved[1].uuid)
            for target in targets:
                with ctx.test_request_context():
                    path = url_for(endpoint, invoice_uuid=str(target))
                response = call(world, clients, caller, "GET", path)
                # The page may repeat the address the caller typed; only other records count as a leak.
                if response.status_code != 404 or leaked(response, markers - {str(target)}):
                    problems.append((endpoint, str(target), response.status_code, leaked(response, markers)))
            continue
        queries = [
            {},
            {"sort": "number", "direction": "desc"},
            {"sort": "total"},
            {"per_page": "100"},
            {"status": "unpaid"},
            {"number": victim.approved[0].invoice_number},
        ]
        queries += [{"account": str(a.id)} for a in victim.accounts]
        if caller.endswith("_limited"):
            queries.append({"account": str(own.accounts[1].id)})
        for query in queries:
            response = call(world, clients, caller, "GET", url(ctx, world, endpoint, own, **query))
            # The form repeats what was typed; the other customer's records (uuids, references) must not show.
            shown = leaked(response, markers - set(query.values()))
            if response.status_code >= 500 or shown:
                problems.append((endpoint, query, response.status_code, shown))
        response = call(world, clients, caller, "GET", url(ctx, world, endpoint, own))
        if own.approved[0].invoice_number not in response.get_data(as_text=True):
            problems.append(("own invoice missing", endpoint))
    assert not problems, pformat(problems)


@pytest.mark.parametrize("caller", SESSION_CUSTOMERS)
def test_portal_pdf_download_only_for_own_invoices(ctx, world, clients, caller):
    victim = world.b if VICTIM[caller] == "b" else world.a
    own = world.a if victim is world.b else world.b
    client = clients[caller]
    token = csrf_token(client)
    before = set(db.session.scalars(select(DownloadLink.id)))
    for target in (victim.approved[0], victim.approved[1], own.pending[0]) + (
        (own.approved[1],) if caller.endswith("_limited") else ()
    ):
        with ctx.test_request_context():
            path = url_for("customer.invoice_pdf", invoice_uuid=str(target.uuid))
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 404, (str(target.uuid), response.status_code)
    with ctx.test_request_context():
        path = url_for("customer.invoice_pdf", invoice_uuid=str(own.approved[0].uuid))
    response = client.post(path, data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200 and response.data == own.documents[0].data
    minted = db.session.query(DownloadLink).filter(DownloadLink.id.notin_(before)).all()
    assert {link.invoice_id for link in minted} <= {own.approved[0].id}


def test_signed_in_pages_send_anonymous_to_login(ctx, world, clients):
    for endpoint in faces("signed_in"):
        path = url(ctx, world, endpoint, world.a)
        for method in methods(ctx, endpoint):
            response = call(world, clients, "anonymous", method, path)
            assert response.status_code in (302, 400), (endpoint, method, response.status_code)
    for caller in SESSION_CUSTOMERS + ADMINS:
        response = call(world, clients, caller, "GET", url(ctx, world, "auth.profile_password", world.a))
        assert response.status_code == 200 and not leaked(response, world.a.markers() | world.b.markers())


def test_public_pages_answer_everyone_and_show_no_customer_data(ctx, world, clients):
    everyone = world.a.markers() | world.b.markers()
    for endpoint in faces("public"):
        path = url(ctx, world, endpoint, world.a)
        for caller in ("anonymous", "customer_a", "admin_1", "customer_jwt_a", "key_customer_a"):
            response = call(world, clients, caller, "GET", path)
            assert response.status_code < 500 and not leaked(response, everyone), (endpoint, caller)


def test_download_links_answer_only_their_own_token(ctx, world, clients):
    for endpoint in faces("download"):
        for method in methods(ctx, endpoint):
            for tampered in (world.b.tokens[0][:-2] + "xx", world.b.tokens[0] + "a", "x", world.a.tokens[0][::-1]):
                with ctx.test_request_context():
                    path = url_for(endpoint, token=tampered)
                response = call(world, clients, "customer_a", method, path)
                assert response.status_code in (400, 404), (endpoint, method, response.status_code)
                assert not leaked(response, world.a.markers() | world.b.markers())
    # A genuine token is a bearer credential for exactly its own invoice's PDF, whoever holds it.
    response = call(world, clients, "anonymous", "GET", url(ctx, world, "download.landing", world.b))
    assert response.status_code == 200 and not leaked(response, world.a.markers())


@pytest.mark.parametrize(
    "face,allowed,refused",
    [
        ("jsonapi_admin", ("admin_jwt",), ("anonymous", "customer_a", "admin_5") + CUSTOMER_JWTS + KEYS),
        ("jsonapi_customer", CUSTOMER_JWTS, ("anonymous", "customer_a", "admin_5", "admin_jwt") + KEYS),
        ("keys", KEYS, ("anonymous", "customer_a", "admin_5", "admin_jwt") + CUSTOMER_JWTS),
    ],
)
def test_apis_refuse_every_other_credential(ctx, world, clients, face, allowed, refused):
    before = snapshot()
    problems = []
    for endpoint in faces(face):
        path = url(ctx, world, endpoint, world.b)
        for method in methods(ctx, endpoint):
            for caller in refused:
                response = call(world, clients, caller, method, path, json={})
                if response.status_code != 401 or leaked(response, world.a.markers() | world.b.markers()):
                    problems.append((caller, method, endpoint, response.status_code))
    assert not problems, pformat(problems)
    assert snapshot() == before


JSONAPI_QUERIES = ("", "include=account", "sort=-total-amount", "sort=invoice-number", "page[size]=100")


@pytest.mark.parametrize("caller", CUSTOMER_JWTS)
def test_customer_jsonapi_never_returns_the_other_customer(ctx, world, clients, caller):
    victim = world.b if VICTIM[caller] == "b" else world.a
    own = world.a if victim is world.b else world.b
    markers = forbidden_markers(world, caller)
    headers = {"Accept": "application/vnd.api+json"}
    problems = []
    lists = [url(ctx, world, e, own) for e in ("jsonapi_customer.invoices_index", "jsonapi_customer.accounts_index")]
    filters = [f"filter[account_id_eq]={a.uuid}" for a in victim.accounts]
    filters += [f"filter[account_id_eq]={a.id}" for a in victim.accounts]
    filters += [
        f"filter[invoice_number_eq]={victim.approved[0].invoice_number}",
        f"filter[id_eq]={victim.approved[0].uuid}",
    ]
    if caller.endswith("_limited"):
        filters.append(f"filter[account_id_eq]={own.accounts[1].uuid}")
    for path in lists:
        for query in JSONAPI_QUERIES + tuple(filters):
            response = call(world, clients, caller, "GET", f"{path}?{query}", headers=headers)
            # Links and errors repeat the query as sent; the records behind it must not show.
            shown = leaked(response, markers - {query.partition("=")[2]})
            if response.status_code >= 500 or shown:
                problems.append((path, query, response.status_code, shown))
    own_list = call(world, clients, caller, "GET", lists[0], headers=headers).get_data(as_text=True)
    if str(own.approved[0].uuid) not in own_list:
        problems.append(("own invoice missing from the list", caller))
    limited = caller.endswith("_limited")
    for endpoint in faces("jsonapi_customer"):
        if not RULES[endpoint].params:
            continue
        own_path = url(ctx, world, endpoint, own)
        if endpoint == "jsonapi_customer.accounts_show":
            targets = [str(a.uuid) for a in victim.accounts] + ([str(own.accounts[1].uuid)] if limited else [])
            own_key = str(own.accounts[0].uuid)
        else:
            invoices = victim.approved + [victim.pending[0], own.pending[0], own.new[0]]
            targets = [str(i.uuid) for i in invoices + ([own.approved[1]] if limited else [])]
            own_key = str(own.approved[0].uuid)
        for target in targets:
            for suffix in ("", "?include=account"):
                response = call(
                    world, clients, caller, "GET", own_path.replace(own_key, target) + suffix, headers=headers
                )
                shown = leaked(response, markers - {target})  # the error names the id that was asked for
                if response.status_code not in (400, 404) or (not suffix and response.status_code != 404) or shown:
                    problems.append((endpoint, target, suffix, response.status_code, shown))
        response = call(world, clients, caller, "GET", own_path, headers=headers)
        if response.status_code != 200 or leaked(response, markers):
            problems.append(("own", endpoint, response.status_code, leaked(response, markers)))
    assert not problems, pformat(problems)


def test_admin_jsonapi_serves_the_admin_token(ctx, world, clients):
    headers = {"Accept": "application/vnd.api+json"}
    for endpoint in faces("jsonapi_admin"):
        if "GET" not in methods(ctx, endpoint):
            continue
        accept = {} if endpoint.endswith("_pdf") else headers  # the PDF endpoint answers application/pdf
        response = call(world, clients, "admin_jwt", "GET", url(ctx, world, endpoint, world.b), headers=accept)
        assert response.status_code < 500, (endpoint, response.status_code, response.data[:300])
        if not RULES[endpoint].params or endpoint.startswith(("jsonapi_admin.invoices_", "jsonapi_admin.accounts_")):
            assert response.status_code == 200, (endpoint, response.status_code, response.data[:300])


def test_customer_api_key_never_reaches_the_other_customer(ctx, world, clients):
    a, b = world.a, world.b
    markers = forbidden_markers(world, "key_customer_a")
    before = snapshot()
    problems = []
    for endpoint in faces("keys"):
        if not RULES[endpoint].params:
            continue
        path = url(ctx, world, endpoint, b)
        targets = [
            path,
            path.replace(f"/{b.approved[0].id}", f"/{b.approved[1].id}"),
            path.replace(f"/{b.approved[0].id}", f"/{a.pending[0].id}"),
        ]
        if endpoint == "backend_v1.invoice_action":
            targets = [f"{t}?action={action}" for t in targets for action in ACTIONS]
        for method in methods(ctx, endpoint):
            for target in targets:
                response = call(world, clients, "key_customer_a", method, target, json={})
                if response.status_code != 404 or leaked(response, markers):
                    problems.append((method, target, response.status_code, leaked(response, markers)))
    for query in (
        "",
        f"customer_id={b.customer.id}",
        f"account_id={b.accounts[0].id}",
        "per_page=100",
        f"invoice_number={b.approved[0].invoice_number}",
    ):
        response = call(
            world, clients, "key_customer_a", "GET", url(ctx, world, "backend_v1.invoices_list", a) + "?" + query
        )
        if response.status_code >= 500 or leaked(response, markers):
            problems.append(("list", query, response.status_code, leaked(response, markers)))
    assert not problems, pformat(problems)
    assert snapshot() == before
    # Own records are reachable (the orgs list mints a download link per invoice, so it runs last).
    own = call(
        world,
        clients,
        "key_customer_a",
        "GET",
        url(ctx, world, "orgs_v2.account_invoices_list", a) + "?start_date=2026-01-01&end_date=2026-12-31",
    )
    if own.status_code != 200 or a.approved[0].invoice_number not in own.get_data(as_text=True):
        problems.append(("own orgs list", own.status_code))
    own = call(world, clients, "key_customer_a", "GET", url(ctx, world, "backend_v1.invoice_show", a))
    if own.status_code != 200:
        problems.append(("own invoice", own.status_code))
    assert not problems, pformat(problems)


def test_read_key_cannot_write(ctx, world, clients):
    before = snapshot()
    for endpoint in faces("keys"):
        path = url(ctx, world, endpoint, world.a)
        for method in set(methods(ctx, endpoint)) & set(WRITE_METHODS):
            response = call(world, clients, "key_read", method, path, json={})
            assert response.status_code == 403, (endpoint, method, response.status_code)
    assert snapshot() == before


def test_unknown_ids_of_every_shape_never_error(ctx, world, clients):
    """Random uuids and out-of-range ids answer 404 (or a field error), never a 500."""
    fake = str(uuid.uuid4())
    paths = [f"/portal/invoices/{fake}", f"/portal/invoices/{fake}/cdrs.csv", "/portal/invoices/not-a-uuid"]
    for path in paths:
        assert call(world, clients, "customer_a", "GET", path).status_code == 404, path
    for path in (
        f"/api/rest/customer/v1/invoices/{fake}",
        "/api/rest/customer/v1/invoices/99999999999999999999",
        f"/api/rest/customer/v1/accounts/{fake}",
    ):
        assert call(world, clients, "customer_jwt_a", "GET", path).status_code == 404, path
