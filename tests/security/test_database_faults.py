"""Database errors mid-request: a lost constraint race answers 409, a locked or dropped database 503, a
value the database refuses (DataError: a NUL character in text, a number out of range) 400, and a
duplicate primary key (an id sequence behind its table: a fault, not a race) 500.

Each face answers in its own format (HTML page, JSON:API errors, backend `{"error","error_code","hint"}`),
the request's transaction is rolled back and nothing it wrote remains. The faults are real: a second
connection commits the same row first (unique violation), holds the SQLite write lock, or terminates
the request's PostgreSQL backend (`pg_terminate_backend`) just before the request's INSERT runs.
"""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.exc import DataError, IntegrityError

from portal.error_handlers import PAGE_TITLES, is_primary_key_violation
from portal.extensions import db
from portal.models import AuditEvent, Country, Invoice
from tests.admin.conftest import post
from tests.api.backend_v1.conftest import BASE
from tests.api.jsonapi.conftest import ADMIN, MEDIA, invoice_create_body, jsonapi_headers, login_admin
from tests.api.key_clients import bearer, make_key
from tests.factories import AccountFactory, AdminUserFactory, InvoiceFactory

INSERT_INVOICE = "INSERT INTO invoices"


def _other_connection_url():
    return db.engine.url.render_as_string(hide_password=False)


@contextlib.contextmanager
def before_invoice_insert(action):
    """Run `action(connection, statement, parameters)` once, just before the request inserts an invoice."""
    fired = []

    def _hook(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(INSERT_INVOICE.upper()) and not fired:
            fired.append(statement)
            action(conn, statement, parameters)

    event.listen(db.engine, "before_cursor_execute", _hook)
    try:
        yield fired
    finally:
        event.remove(db.engine, "before_cursor_execute", _hook)


def concurrent_writer_inserts_the_same_row(conn, statement, parameters):
    """Another session commits an identical invoice row (same uuid) first: the request's INSERT must fail."""
    if db.engine.dialect.name == "sqlite":
        # SQLite has one writer at a time and the request already holds the lock: the identical row goes
        # in first on the request's own connection, so the constraint fires exactly as in a race.
        conn.connection.dbapi_connection.execute(statement.split(" RETURNING")[0], parameters)
        return
    engine = create_engine(_other_connection_url())
    try:
        with engine.begin() as other:
            other.exec_driver_sql(statement, parameters)
    finally:
        engine.dispose()


def server_ends_the_connection(conn, statement, parameters):
    """PostgreSQL: another session terminates the request's backend just before its INSERT."""
    pid = conn.connection.dbapi_connection.info.backend_pid
    engine = create_engine(_other_connection_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        engine.dispose()


def database_refuses_a_value(conn, statement, parameters):
    """A value no check stopped reaches the database and is refused: PostgreSQL (psycopg) refuses a NUL
    character in a text parameter; SQLite stores anything, so its driver's DataError stands in. (An error
    raised in this hook is not wrapped by SQLAlchemy, so it is wrapped here as the execution would.)"""
    refusal = sqlite3.DataError("value refused")
    if db.engine.dialect.name == "postgresql":
        try:
            conn.connection.dbapi_connection.execute("SELECT %s::text", ["Ac\x00me"])
        except Exception as exc:  # psycopg.DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
            refusal = exc
    raise DataError(statement, parameters, refusal)


@contextlib.contextmanager
def database_goes_away():
    """PostgreSQL: the request's connection is killed; SQLite: another process holds the write lock."""
    if db.engine.dialect.name == "postgresql":
        with before_invoice_insert(server_ends_the_connection) as fired:
            yield fired
        return
    other = sqlite3.connect(db.engine.url.database, timeout=5, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    def _short_wait(conn, cursor, statement, parameters, context, executemany):
        # Wait only briefly for the lock this test holds (the app waits 15 s in real use).
        conn.connection.dbapi_connection.execute("PRAGMA busy_timeout=50")

    event.listen(db.engine, "before_cursor_execute", _short_wait)
    try:
        yield ["the request's first write meets the lock"]
    finally:
        event.remove(db.engine, "before_cursor_execute", _short_wait)
        other.execute("ROLLBACK")
        other.close()
        # The pooled connections got the short busy timeout; give them back the configured one.
        db.engine.dispose()


def admin_html(app, admin_client, account):
    client = admin_client(2)
    return lambda: post(
        client,
        "/admin/invoices/new",
        {
            "customer": account.customer.name,
            "account": account.id,
            "start_date": "2026-05-01",
            "end_date": "2026-06-01",
        },
    )


def admin_jsonapi(app, admin_client, account):
    user = AdminUserFactory(level=5)
    db.session.commit()
    client = app.test_client()
    token = login_admin(client, user)
    body = invoice_create_body(account.id)
    return lambda: client.post(
        f"{ADMIN}/invoices", data=body, headers=jsonapi_headers(token, **{"Content-Type": MEDIA})
    )


def backend_v1(app, admin_client, account):
    key = make_key()
    client = app.test_client()
    return lambda: client.post(
        f"{BASE}/customers/{account.customer_id}/invoices",
        headers=bearer(key),
        json={"account": account.id, "startDate": "2026-05-01", "endDate": "2026-06-01"},
    )


def assert_format(face, response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if face is admin_html:
        body = response.get_data(as_text=True)
        assert response.mimetype == "text/html" and "Traceback" not in body
        assert {400: "This request cannot be read", 409: "Changed meanwhile", 503: "Temporarily unavailable"}[
            status
        ] in body
    elif face is admin_jsonapi:
        [error] = response.get_json()["errors"]
        assert error["status"] == str(status) and error["detail"]
    else:
        body = response.get_json()
        assert set(body) == {"error", "error_code", "hint"}
        assert body["error_code"] == {400: 400001, 409: 409001, 503: 503001}[status]


def assert_nothing_written_by_the_request(expected_invoices: int):
    db.session.rollback()
    assert db.session.query(Invoice).count() == expected_invoices
    assert db.session.query(AuditEvent).filter_by(action="invoice.created").count() == 0


FACES = [admin_html, admin_jsonapi, backend_v1]


def send_meeting(app, admin_client, face, fault):
    """The face's create-invoice request sent once with `fault` (a context manager that says whether
    it fired) in place: (its response, a function that sends it again)."""
    account = AccountFactory()
    db.session.commit()
    send = face(app, admin_client, account)
    with fault as fired:
        response = send()
    assert fired, "the request never inserted an invoice"
    return response, send


@pytest.mark.parametrize("face", FACES, ids=lambda f: f.__name__)
def test_a_lost_unique_race_answers_409_and_rolls_back(app, admin_client, face):
    response, send = send_meeting(
        app, admin_client, face, before_invoice_insert(concurrent_writer_inserts_the_same_row)
    )
    assert_format(face, response, 409)
    # Only the concurrent writer's row exists: the request's fill, lines and audit event are gone.
    # SQLite's stand-in row was written in the request's own transaction, so it is rolled back too.
    assert_nothing_written_by_the_request(expected_invoices=1 if db.engine.dialect.name == "postgresql" else 0)


@pytest.mark.parametrize("face", FACES, ids=lambda f: f.__name__)
def test_a_lost_or_locked_database_answers_503_and_rolls_back(app, admin_client, face):
    response, send = send_meeting(app, admin_client, face, database_goes_away())
    # A locked SQLite database met while taking the account's invoice lock is the documented 409 "busy".
    expected = 503 if db.engine.dialect.name == "postgresql" or response.status_code != 409 else 409
    assert_format(face, response, expected)
    assert_nothing_written_by_the_request(expected_invoices=0)
    # The app recovers: the next request on a fresh connection succeeds.
    assert send().status_code in (201, 302)


@pytest.mark.parametrize("face", FACES, ids=lambda f: f.__name__)
def test_a_value_the_database_refuses_answers_400_and_rolls_back(app, admin_client, face):
    response, send = send_meeting(app, admin_client, face, before_invoice_insert(database_refuses_a_value))
    assert_format(face, response, 400)
    assert_nothing_written_by_the_request(expected_invoices=0)
    assert send().status_code in (201, 302)


@contextlib.contextmanager
def invoice_sequence_behind():
    """PostgreSQL: the invoices' id sequence hands out an id already in use next (as after rows were
    written with explicit ids and the sequence was not moved past them)."""
    taken = InvoiceFactory()
    db.session.commit()
    db.session.execute(text("SELECT setval(pg_get_serial_sequence('invoices', 'id'), :id, false)"), {"id": taken.id})
    db.session.commit()
    with before_invoice_insert(lambda conn, statement, parameters: None) as fired:
        yield fired


@pytest.mark.parametrize("face", FACES, ids=lambda f: f.__name__)
def test_a_duplicate_primary_key_is_a_fault_that_answers_500_never_a_409_conflict(
    app, admin_client, face, is_postgresql
):
    if not is_postgresql:
        pytest.skip("SQLite hands out max(id) + 1 itself: its ids cannot fall behind")
    response, _ = send_meeting(app, admin_client, face, invoice_sequence_behind())
    assert response.status_code == 500, response.get_data(as_text=True)[:500]
    if face is admin_html:
        assert response.mimetype == "text/html" and PAGE_TITLES[500] in response.get_data(as_text=True)
    elif face is admin_jsonapi:
        [error] = response.get_json()["errors"]
        assert error["status"] == "500"
    else:
        assert response.get_json()["error_code"] == 500001
    assert_nothing_written_by_the_request(expected_invoices=1)


def test_a_primary_key_violation_is_told_from_other_unique_violations(app):
    country = Country(iso2="ZZ", name="Zedland")
    db.session.add(country)
    db.session.commit()
    for row, is_key in (
        ({"id": country.id, "iso2": "ZY", "name": "Other"}, True),
        ({"iso2": "ZZ", "name": "Z"}, False),
    ):
        with pytest.raises(IntegrityError) as raised:
            db.session.execute(insert(Country), [row])
        db.session.rollback()
        assert is_primary_key_violation(raised.value) is is_key
    assert db.session.scalars(select(Country.iso2)).all() == ["ZZ"]
