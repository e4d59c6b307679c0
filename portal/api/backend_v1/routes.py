"""Backend API v1 invoice routes: list, show (JSON or PDF), create, update, delete."""

from __future__ import annotations

import orjson
from flask import Response, g, jsonify, request, url_for

from portal.api.backend_v1 import bp
from portal.api.backend_v1.errors import ApiError
from portal.api.backend_v1.params import editable_changes, json_body, list_args, parse_day
from portal.api.backend_v1.serializers import LIST_ROWS, invoice_json, listed_invoice
from portal.billing.creation import create_and_fill_invoice
from portal.billing.cutoff_invoices import get_customer
from portal.billing.invoices import delete_invoice, get_invoice, update_invoice
from portal.customers.scope import get_customer_invoice
from portal.delivery.invoice_files import ubl_file
from portal.documents.service import get_pdf_document
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import InvalidState, NotFound, ValidationFailed
from portal.foundations.ids import MAX_ROW_ID, row_id
from portal.models import Invoice
from portal.reading.invoice_list import read_invoice_list
from portal.reading.invoice_search import invoice_list_query, parse_invoice_filters

# Path ids are capped at the largest 32-bit id (larger ones are a 404 from routing, never a database error).
CREATE_FIELDS = ("account", "startDate", "endDate", "cutoffDate", "transactionCutoffDate", "_includeTransactionIDs")
MAX_INCLUDED_TRANSACTIONS = 10_000


def caller():
    return g.api_caller


def load_invoice(invoice_id: int) -> Invoice:
    """The invoice if this key may see it: customer keys reach only their customer's raised invoices."""
    if caller().customer_id is not None:
        return get_customer_invoice(caller().customer_id, None, invoice_id=invoice_id)
    return get_invoice(invoice_id)


def _list(customer_id: int | None):
    # The key's last use, when this request wrote it (verify_api_key), is committed before the read;
    # the read writes nothing, so nothing is committed after it (a commit would expire every row it loaded).
    # Without a write the read goes on in the same transaction: a commit would hand the connection
    # back to the pool (a rollback on return) and take it again for the read.
    if db.session.new or db.session.dirty or db.session.deleted:
        db.session.commit()
    if customer_id is not None:
        get_customer(customer_id, actor=caller().actor)
    try:
        filters = parse_invoice_filters(list_args())
    except ValidationFailed as exc:
        raise ApiError(400001, exc.message) from None
    if customer_id is not None:
        filters.customer_id = customer_id
    # The page's ids first, then those invoices' columns with only what the serializer reads of their
    # customer and account, in one statement, as rows (portal.reading.invoice_list).
    page = read_invoice_list(invoice_list_query(filters, actor=caller().actor), rows=LIST_ROWS, make=listed_invoice)
    # Encoded as jsonify would (keys sorted, compact), by orjson: a page of 50 is ~2,500 values.
    now = utcnow()  # one time for the page's payment statuses
    body = orjson.dumps([invoice_json(i, now) for i in page.items], option=orjson.OPT_SORT_KEYS)
    response = Response(body, mimetype="application/json")
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["X-Page"] = str(page.page)
    response.headers["X-Per-Page"] = str(page.per_page)
    links = []
    if page.page * page.per_page < page.total:
        links.append(f'<{_page_url(page.page + 1)}>; rel="next"')
    if page.page > 1:
        links.append(f'<{_page_url(page.page - 1)}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


def _page_url(page: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


@bp.get("/invoices", strict_slashes=False)
def invoices_list():
    return _list(None)


@bp.get(f"/customers/<int(max={MAX_ROW_ID}):customer_id>/invoices", strict_slashes=False)
def customer_invoices_list(customer_id: int):
    return _list(customer_id)


@bp.get(f"/invoices/<int(max={MAX_ROW_ID}):invoice_id>", strict_slashes=False)
def invoice_show(invoice_id: int):
    invoice = load_invoice(invoice_id)
    wanted = request.accept_mimetypes.best_match(["application/json", "application/pdf", "application/xml"])
    if wanted == "application/pdf":
        return _pdf(invoice)
    if wanted == "application/xml":
        return _ubl(invoice)
    db.session.commit()
    return jsonify(invoice_json(invoice))


def _ubl(invoice: Invoice) -> Response:
    """The invoice's (or credit note's) Peppol UBL 2.1 XML."""
    try:
        filename, content_type, data = ubl_file(invoice)
    except InvalidState as exc:
        raise ApiError(404003, exc.message) from None
    response = Response(data, mimetype=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    db.session.commit()
    return response


def _pdf(invoice: Invoice) -> Response:
    try:
        document = get_pdf_document(invoice)
    except NotFound:
        document = None
    if document is None:
        raise ApiError(404002)
    response = Response(document.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    db.session.commit()
    return response


@bp.post(f"/customers/<int(max={MAX_ROW_ID}):customer_id>/invoices", strict_slashes=False)
def customer_invoice_create(customer_id: int):
    body = json_body()
    customer = get_customer(customer_id, actor=caller().actor)
    invoice = create_and_fill_invoice(
        customer=customer,
        account_id=_account_id(body.get("account")),
        start_date=_period_bound(body, "startDate"),
        end_date=_period_bound(body, "endDate"),
        cutoff_date=_optional_day(body, "cutoffDate"),
        transaction_cutoff_date=_optional_day(body, "transactionCutoffDate"),
        include_transaction_ids=_transaction_ids(body.get("_includeTransactionIDs")),
        fields=editable_changes(body, ignore=CREATE_FIELDS),
        actor=caller().actor,
    )
    response = jsonify(invoice_json(invoice))
    response.status_code = 201
    response.headers["Location"] = url_for("backend_v1.invoice_show", invoice_id=invoice.id)
    return response


def _account_id(value):
    if value is None:
        return None
    pk = row_id(value.strip() if isinstance(value, str) else value)
    if pk is None:
        raise ApiError(400003, "account - must be an account id")
    return pk


def _period_bound(body: dict, name: str):
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError(400003, f"{name} - must be a date YYYY-MM-DD or an ISO 8601 date-time")
    return value


def _optional_day(body: dict, name: str):
    value = body.get(name)
    return None if value is None else parse_day(value, name, 400003)


def _transaction_ids(value):
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) > MAX_INCLUDED_TRANSACTIONS
        or any(isinstance(i, bool) or not isinstance(i, int) or i < 1 for i in value)
    ):
        raise ApiError(
            400003, f"_includeTransactionIDs - must be a list of at most {MAX_INCLUDED_TRANSACTIONS} transaction ids"
        )
    return value


@bp.put(f"/invoices/<int(max={MAX_ROW_ID}):invoice_id>", strict_slashes=False)
def invoice_update(invoice_id: int):
    body = json_body()
    invoice = load_invoice(invoice_id)
    update_invoice(invoice, editable_changes(body), actor=caller().actor)
    db.session.commit()
    return jsonify(invoice_json(invoice))


@bp.delete(f"/invoices/<int(max={MAX_ROW_ID}):invoice_id>", strict_slashes=False)
def invoice_delete(invoice_id: int):
    invoice = load_invoice(invoice_id)
    delete_invoice(invoice, actor=caller().actor)
    db.session.commit()
    return Response(status=204)
