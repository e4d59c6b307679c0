"""The production app plus one benchmark-only route, `/bench/minimal`, for bench/http_server.py (never part of
the product).

`/bench/minimal` is the yardstick: the same app, hooks and server, but the route only reads one
invoice row through SQLAlchemy and answers a small JSON object.
"""

from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import Invoice

app = create_app()


@app.get("/bench/minimal")
def bench_minimal():
    row = db.session.execute(
        select(Invoice.id, Invoice.invoice_number, Invoice.total_amount).where(Invoice.id == 1)
    ).one()
    return {"id": row.id, "number": row.invoice_number, "total": str(row.total_amount)}
