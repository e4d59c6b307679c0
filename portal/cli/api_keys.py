"""`flask api-keys …`: create (prints the key once), list and revoke backend API keys."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.auth.api_keys import create_api_key, list_api_keys, revoke_api_key
from portal.cli.transaction import committed
from portal.extensions import db
from portal.models import ApiKey


@click.group("api-keys", help="Backend API keys (Authorization: Bearer <key>).")
def api_keys_group():
    pass


@api_keys_group.command("create")
@click.option("--name", required=True, help="What the key is for (shown in lists and audit events).")
@click.option("--scope", "scopes", required=True, help="read, write or read,write.")
@click.option("--level", type=click.IntRange(1, 5), required=True, help="Expert level 1-5 of the key.")
@click.option("--customer", "customer_id", type=int, help="Limit the key to this customer's data.")
@with_appcontext
def create_key(name, scopes, level, customer_id):
    """Create a key and print it. It is stored hashed and cannot be shown again."""
    with committed():
        row, key = create_api_key(name=name, scopes=scopes, level=level, customer_id=customer_id)
    click.echo(
        f"created API key {row.id} ({row.name}, scope {row.scopes}, level {row.level}"
        + (f", customer {row.customer_id}" if row.customer_id else "")
        + ")"
    )
    click.echo("Store this key now; it will not be shown again:")
    click.echo(key)


@api_keys_group.command("list")
@with_appcontext
def list_keys():
    """List every key: id, name, scope, level, customer, state and last use."""
    rows = list_api_keys()
    if not rows:
        click.echo("no API keys")
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        customer = row.customer_id if row.customer_id else "all"
        click.echo(
            f"{row.id}\t{row.name}\t{row.prefix}\tscope={row.scopes}\tlevel={row.level}"
            f"\tcustomer={customer}\t{state}\tlast used {used}"
        )


@api_keys_group.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def revoke_key(key_id):
    """Revoke a key at once."""
    row = db.session.get(ApiKey, key_id)
    if row is None:
        raise click.ClickException(f"no API key with id {key_id}")
    with committed():
        revoke_api_key(row)
    click.echo(f"revoked API key {row.id} ({row.name})")
