"""Admin invoice writes and the PDF: create (the seed's request), delete, download."""

from __future__ import annotations

from flask import Response, g

from portal.api.jsonapi.admin import bp, context
from portal.api.jsonapi.conventions import JsonApiError, error_object, jsonapi_response, read_json_body
from portal.api.jsonapi.handlers import check_params, single
from portal.api.jsonapi.resources import REGISTRY
from portal.billing.creation import create_and_fill_invoice
from portal.billing.invoices import delete_invoice, get_invoice
from portal.documents.service import stored_pdf_bytes
from portal.extensions import db
from portal.foundations.ids import row_id
from portal.foundations.permissions import admin_actor

CREATABLE_ATTRIBUTES = ("start-date", "end-date")
CREATABLE_RELATIONSHIPS = ("account",)


def _object(value, pointer: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise JsonApiError(400, "Invalid field value", f"{pointer} must be an object.", pointer=pointer)
    return value


def parse_create_request(body: dict) -> tuple:
    """(account id, start, end) from `{"data": {"type": "invoices", "attributes": …, "relationships": …}}`."""
    data = body.get("data")
    if not isinstance(data, dict):
        raise JsonApiError(400, "Invalid request", "data must be a resource object.", pointer="/data")
    if data.get("type") != "invoices":
        if data.get("type") is None:
            raise JsonApiError(400, "Missing type", "data.type is required.", pointer="/data/type")
        raise JsonApiError(
            409, "Invalid resource", f"{data.get('type')} is not a valid resource here.", pointer="/data/type"
        )
    if "id" in data:
        raise JsonApiError(403, "Param not allowed", "Client-generated ids are not supported.", pointer="/data/id")
    attributes = _object(data.get("attributes"), "/data/attributes")
    relationships = _object(data.get("relationships"), "/data/relationships")
    refused = [
        error_object(400, "Param not allowed", f"{name} is not allowed.", pointer=f"/data/attributes/{name}")
        for name in attributes
        if name not in CREATABLE_ATTRIBUTES
    ]
    refused += [
        error_object(400, "Param not allowed", f"{name} is not allowed.", pointer=f"/data/relationships/{name}")
        for name in relationships
        if name not in CREATABLE_RELATIONSHIPS
    ]
    if refused:
        raise JsonApiError.many(400, refused)
    return _account_id(relationships.get("account")), attributes.get("start-date"), attributes.get("end-date")


def _account_id(relationship):
    pointer = "/data/relationships/account"
    if relationship is None:
        return None
    if not isinstance(relationship, dict) or "data" not in relationship:
        raise JsonApiError(400, "Invalid field value", 'account must be {"data": {"type", "id"}}.', pointer=pointer)
    linkage = relationship["data"]
    if linkage is None:
        return None
    if (
        not isinstance(linkage, dict)
        or linkage.get("type") != "accounts"
        or not isinstance(linkage.get("id"), (str, int))
        or isinstance(linkage.get("id"), bool)
    ):
        raise JsonApiError(
            400, "Invalid field value", "account must link to a resource of type accounts.", pointer=pointer
        )
    # An id no account can have is an unknown account (the service answers "can't be blank").
    return row_id(str(linkage["id"]))


@bp.post("/invoices", endpoint="invoices_create")
def invoices_create():
    """201 with the invoice as created (New, all totals zero); the fill runs after the response or on a worker."""
    account_id, start, end = parse_create_request(read_json_body())
    invoice = create_and_fill_invoice(
        account_id=account_id,
        start_date=start,
        end_date=end,
        actor=admin_actor(g.jsonapi_admin),
        fill_after_response=True,
    )
    ctx = context()
    return single(
        REGISTRY["admin:invoices"], ctx, invoice, status=201, headers={"Location": f"{ctx.root}/invoices/{invoice.id}"}
    )


@bp.delete("/invoices/<key>", endpoint="invoices_delete")
def invoices_delete(key: str):
    """204; an approved invoice is final (422)."""
    check_params(None, document=False)
    delete_invoice(get_invoice(key), actor=admin_actor(g.jsonapi_admin))
    db.session.commit()
    return jsonapi_response(None, 204)


def pdf_response(data: bytes, filename: str) -> Response:
    response = Response(data, status=200, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Transfer-Encoding"] = "binary"
    response.headers["Cache-Control"] = "max-age=0, private, must-revalidate"
    return response


@bp.get("/invoices/<key>/pdf", endpoint="invoices_pdf")
def invoices_pdf(key: str):
    """The stored PDF as an attachment `invoice-{id}.pdf`; 404 without one."""
    check_params(None, document=False)
    pk = row_id(key)
    data = stored_pdf_bytes(pk) if pk is not None else None
    if data is None:
        invoice = get_invoice(key)  # NotFound for an unknown invoice; only a miss pays for loading it
        raise JsonApiError(404, "Record not found", f"Invoice {invoice.id} has no PDF document.")
    return pdf_response(data, f"invoice-{pk}.pdf")
