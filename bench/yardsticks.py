"""The yardstick routes (benchmark-only, never part of the product): a request's intrinsic work and nothing else,
run in the same app, hooks and server as the routes they are compared with.

- `/bench/one/<id>`: one invoice row read by primary key (every column of the table, through SQLAlchemy
  Core) and encoded with orjson;
- `/bench/fifty/<start>`: the fifty invoice rows from id `start` on, read and encoded the same way.
"""

import orjson
from flask import Response, abort
from sqlalchemy import select

from portal.extensions import db
from portal.models import Invoice

INVOICES = Invoice.__table__


def _encoded(rows) -> Response:
    return Response(orjson.dumps([dict(row._mapping) for row in rows], default=str), mimetype="application/json")


def bench_one(invoice_id: int):
    rows = db.session.execute(select(INVOICES).where(INVOICES.c.id == invoice_id)).all()
    if not rows:
        abort(404)
    return _encoded(rows)


def bench_fifty(start: int):
    return _encoded(
        db.session.execute(select(INVOICES).where(INVOICES.c.id >= start).order_by(INVOICES.c.id).limit(50)).all()
    )


def add_yardsticks(app) -> None:
    """The yardstick routes on `app` (also the load test's app, bench/load_wsgi.py)."""
    app.add_url_rule("/bench/one/<int:invoice_id>", view_func=bench_one)
    app.add_url_rule("/bench/fifty/<int:start>", view_func=bench_fifty)
