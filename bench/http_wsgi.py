"""The production app plus the yardstick routes of bench/http_server.py (benchmark-only, never part of the
product).

The yardsticks run in the same app, hooks and server as the routes they are compared with, and do only a
request's intrinsic work:

- `/bench/one/<id>`: one invoice row read by primary key (every column of the table, through SQLAlchemy
  Core) and encoded with orjson;
- `/bench/fifty/<start>`: the fifty invoice rows from id `start` on, read and encoded the same way.
"""

import orjson
from flask import Response, abort
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import Invoice

app = create_app()
INVOICES = Invoice.__table__


def _encoded(rows) -> Response:
    return Response(orjson.dumps([dict(row._mapping) for row in rows], default=str), mimetype="application/json")


@app.get("/bench/one/<int:invoice_id>")
def bench_one(invoice_id: int):
    rows = db.session.execute(select(INVOICES).where(INVOICES.c.id == invoice_id)).all()
    if not rows:
        abort(404)
    return _encoded(rows)


@app.get("/bench/fifty/<int:start>")
def bench_fifty(start: int):
    return _encoded(
        db.session.execute(select(INVOICES).where(INVOICES.c.id >= start).order_by(INVOICES.c.id).limit(50)).all()
    )
