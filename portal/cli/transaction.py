"""One transaction per command: committed when the services succeed, rolled back with the service's
message as the command's error when they refuse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from portal.extensions import db
from portal.foundations.errors import ServiceError


@contextmanager
def committed() -> Iterator[None]:
    """Run the block's service calls and commit; a ServiceError rolls back and ends the command with its message."""
    try:
        yield
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
