"""`flask users …`: create, list and disable admin and customer users."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.cli.transaction import committed
from portal.customers.users import create_admin_user, create_customer_user, disable_user, list_users


@click.group("users", help="Admin and customer users.")
def users_group():
    pass


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--role", type=click.Choice(["admin", "customer"]), required=True)
@click.option("--level", type=click.IntRange(1, 5), default=1, show_default=True, help="Admin expert level.")
@click.option("--customer", "customer_id", type=int, help="Customer id (customer users).")
@click.option("--account", "account_ids", type=int, multiple=True, help="Limit a customer user to these accounts.")
@click.option("--name")
@with_appcontext
def create_user(email, password, role, level, customer_id, account_ids, name):
    """Create a user and print its id."""
    with committed():
        if role == "admin":
            user = create_admin_user(email=email, password=password, level=level, name=name)
        else:
            user = create_customer_user(
                email=email, password=password, customer_id=customer_id, account_ids=list(account_ids), name=name
            )
    click.echo(f"created {role} user {user.id} <{user.email}>")


@users_group.command("list")
@with_appcontext
def list_users_cmd():
    """List every user with role, level or customer, and state."""
    for line in list_users():
        click.echo(line)


@users_group.command("disable")
@click.argument("email")
@with_appcontext
def disable_user_cmd(email):
    """Disable a user (signs it out everywhere)."""
    with committed():
        disable_user(email)
    click.echo(f"disabled {email}")
