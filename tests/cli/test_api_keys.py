"""`flask api-keys create|list|revoke`: the key is printed once, works, and stops working when revoked."""

from __future__ import annotations

from portal.auth.api_keys import verify_api_key
from portal.extensions import db
from portal.models import ApiKey
from tests.factories import CustomerFactory


def test_create_prints_a_working_key_once_and_stores_only_its_hash(runner, app):
    customer = CustomerFactory()
    db.session.commit()
    result = runner.invoke(
        args=[
            "api-keys",
            "create",
            "--name",
            "ERP",
            "--scope",
            "read,write",
            "--level",
            "3",
            "--customer",
            str(customer.id),
        ]
    )
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("tlp_")
    row = db.session.query(ApiKey).one()
    assert (row.name, row.scopes, row.level, row.customer_id) == ("ERP", "read,write", 3, customer.id)
    assert key not in row.key_hash and verify_api_key(key).id == row.id
    listing = runner.invoke(args=["api-keys", "list"])
    assert "ERP" in listing.output and "level=3" in listing.output and key not in listing.output


def test_create_refuses_bad_scope_level_and_customer(runner, app):
    for args in (
        ["--scope", "admin", "--level", "1"],
        ["--scope", "read", "--level", "6"],
        ["--scope", "read", "--level", "1", "--customer", "999"],
        ["--scope", "", "--level", "1"],
    ):
        result = runner.invoke(args=["api-keys", "create", "--name", "X", *args])
        assert result.exit_code != 0
    assert db.session.query(ApiKey).count() == 0


def test_revoke_stops_the_key(runner, client, app):
    key = (
        runner.invoke(args=["api-keys", "create", "--name", "Old", "--scope", "read", "--level", "1"])
        .output.strip()
        .splitlines()[-1]
    )
    row_id = db.session.query(ApiKey).one().id
    assert client.get("/backend/api/v1/invoices", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    result = runner.invoke(args=["api-keys", "revoke", str(row_id)])
    assert result.exit_code == 0 and "revoked" in result.output
    assert client.get("/backend/api/v1/invoices", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert "revoked" in runner.invoke(args=["api-keys", "list"]).output
    assert runner.invoke(args=["api-keys", "revoke", "4242"]).exit_code != 0
