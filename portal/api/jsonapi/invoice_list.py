"""The JSON:API invoice lists (admin and customer, and an account's invoices) read through the one
invoice list query (portal.reading.invoice_list): this face parses `filter[…]`, `sort` and
`page[…]` its own way; filters, sorts, paging, the exact count and the caller's scope are the spec's."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from portal.api.jsonapi.filters import filter_conditions
from portal.api.jsonapi.paging import page_links, page_params, sort_keys
from portal.api.jsonapi.resources import Resource
from portal.extensions import db
from portal.models import Invoice
from portal.reading.invoice_list import InvoiceListQuery, read_invoice_list
from portal.reading.listed_invoice import ListedInvoice


def invoice_list_query(resource: Resource, ctx, args, where: tuple = ()) -> InvoiceListQuery:
    """The list query of a JSON:API invoice collection request: the resource's scope (its base
    query's conditions: a customer's approved invoices of its allowed accounts), `where` (the
    parent of a related collection) and the filters; the sort keys, ties broken by ascending id as
    the seed system does; page number and size; an exact count (`meta.total-count`)."""
    base = resource.query(ctx, loader_options=False)
    conditions = [*where, *filter_conditions(resource, args)]  # a bad filter is told before a bad sort or page
    (key, column, descending), *rest = sort_keys(resource, args)
    number, size = page_params(args)
    return InvoiceListQuery(
        conditions=conditions,
        scope=[] if base.whereclause is None else [base.whereclause],
        sort_key=key,
        sort_column=column,
        descending=descending,
        then_by=tuple((c, down) for _, c, down in rest),
        id_ascending=True,
        page=number,
        per_page=size,
        keyset=False,
    )


def invoice_page(resource: Resource, ctx, args, where: tuple = ()) -> tuple[list, dict, dict]:
    """(the page's invoices with the resource's loader options, top-level links, meta)."""
    q = invoice_list_query(resource, ctx, args, where)
    if reads_rows(resource):
        page = read_invoice_list(q, rows=select(*resource.row_columns), make=ListedInvoice)
    else:
        page = read_invoice_list(q, rows=resource.query(ctx))
    links, meta = page_links(args, page.page, page.per_page, page.total)
    return page.items, links, meta


def reads_rows(resource: Resource) -> bool:
    """The resource's invoices are read as rows of its row columns, not as ORM objects (no scope to apply)."""
    return bool(resource.row_columns) and resource.base_query is None


_ROW_BY_ID: dict[str, object] = {}


def _row_by_id(resource: Resource):
    """The SELECT of one invoice's row columns by id, built once per resource: a statement kept and
    run again with new parameters has its cache key computed once, not per request (~35 columns)."""
    stmt = _ROW_BY_ID.get(resource.key)
    if stmt is None:
        stmt = _ROW_BY_ID[resource.key] = select(*resource.row_columns).where(Invoice.id == bindparam("pk"))
    return stmt


def invoice_row(resource: Resource, pk) -> ListedInvoice | None:
    """The invoice with this id as a row of the resource's row columns, as its list pages read it
    (portal.reading.listed_invoice): on the session's connection, without the ORM's execution layer
    and without building an invoice object with every column; None when there is none."""
    db.session.flush()  # what is pending is seen, as the ORM's autoflush would have it
    result = db.session.connection().execute(_row_by_id(resource), {"pk": pk})
    row = result.first()
    return None if row is None else ListedInvoice(dict(zip(result.keys(), row)))


def is_invoice_list(resource: Resource) -> bool:
    return resource.model is Invoice
