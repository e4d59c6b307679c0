"""Recording the SQL statements a block of code sends (query-count and query-shape tests)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from portal.extensions import db


@contextmanager
def recorded_statements():
    """Yields a list that fills with the SQL text of every statement the engine runs in the block."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@contextmanager
def loaded_objects(model):
    """Yields a list that fills with every `model` object the ORM builds from a row in the block."""
    seen: list = []

    def record(target, context):
        seen.append(target)

    event.listen(model, "load", record)
    try:
        yield seen
    finally:
        event.remove(model, "load", record)
