"""Operator commands: `flask --app portal <group> <command>` (docs/operations.md "Command line")."""

from __future__ import annotations

from flask import Flask

from portal.cli.api_keys import api_keys_group
from portal.cli.billing import billing_group
from portal.cli.data import cdrs_group, demo_data_command, transactions_group
from portal.cli.documents import documents_group
from portal.cli.users import users_group


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_group)
    app.cli.add_command(documents_group)
    app.cli.add_command(billing_group)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(cdrs_group)
    app.cli.add_command(transactions_group)
    app.cli.add_command(api_keys_group)
