"""The yardstick routes (benchmark-only, never part of the product): a request's intrinsic work and nothing else,
run in the same app, hooks and server as the routes they are compared with.

- `/bench/one/<id>`: one invoice row read by primary key (every column of the table, through SQLAlchemy
  Core) and encoded with orjson;
- `/bench/fifty/<start>`: the fifty invoice rows from id `start` on, read and encoded the same way;
- `/bench/template/list/<id>` and `/bench/template/detail/<id>`: one invoice row read as `/bench/one` reads
  it, then the customer invoice list's (or an invoice's) page rendered from a context the real view code
  built once in this process (its first request, which must come with a customer's session: the
  user is kept too, so no later request loads it). What these cost beyond the one-row yardstick is the
  template's time under the same load, on the same server, in the same run: the customer pages' target
  is p95 <= 1.5 x the one-row p95 plus that.
"""

import orjson
from flask import Response, abort, g, render_template
from flask_login import current_user
from sqlalchemy import select

from portal.customer.views import invoice_detail_page, invoice_list_context
from portal.customers.scope import CustomerScope
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.models import Invoice
from portal.reading.customer_detail import invoice_detail_for_customer
from portal.reading.customer_views import CustomerInvoiceFilters, list_customer_invoices

INVOICES = Invoice.__table__
PAGES = ("list", "detail")
# page -> (the signed-in user, the template, its context), built on the page's first request in this process.
_KEPT: dict[str, tuple] = {}


def _encoded(rows) -> Response:
    return Response(orjson.dumps([dict(row._mapping) for row in rows], default=str), mimetype="application/json")


def _one_row(invoice_id: int) -> list:
    rows = db.session.execute(select(INVOICES).where(INVOICES.c.id == invoice_id)).all()
    if not rows:
        abort(404)
    return rows


def bench_one(invoice_id: int):
    return _encoded(_one_row(invoice_id))


def bench_fifty(start: int):
    return _encoded(
        db.session.execute(select(INVOICES).where(INVOICES.c.id >= start).order_by(INVOICES.c.id).limit(50)).all()
    )


def _page(page: str) -> tuple[str, dict]:
    """The template and context of the signed-in customer's first list page, or of the first invoice on it."""
    if page == "list":
        context = invoice_list_context()
        context.pop("push_url")  # the htmx header's, not the template's
        return "customer/invoices/list.html", {**context, "fragment": False}
    today = utcnow().date()
    scope = CustomerScope.for_user(current_user)
    first = list_customer_invoices(scope, CustomerInvoiceFilters(), today=today).items[0]
    return invoice_detail_page(invoice_detail_for_customer(scope, first.uuid, today))


def bench_template(page: str, invoice_id: int):
    kept = _KEPT.get(page)
    if kept is None:
        if page not in PAGES or getattr(current_user, "kind", None) != "customer":
            abort(404)
        template, context = _page(page)
        render_template(template, **context)  # loads what the template reads while the objects are attached
        user = current_user._get_current_object()
        db.session.expunge_all()  # kept as loaded: no later commit or rollback expires them
        kept = _KEPT[page] = (user, template, context)
    else:
        g._login_user = kept[0]  # Flask-Login's current user for this request, without the user query
    _user, template, context = kept
    _one_row(invoice_id)
    return render_template(template, **context)


def add_yardsticks(app) -> None:
    """The yardstick routes on `app` (also the load test's app, bench/load_wsgi.py)."""
    app.add_url_rule("/bench/one/<int:invoice_id>", view_func=bench_one)
    app.add_url_rule("/bench/fifty/<int:start>", view_func=bench_fifty)
    app.add_url_rule("/bench/template/<page>/<int:invoice_id>", view_func=bench_template)
