"""The generic read actions every resource shares: index, show, relationship linkage and related resources."""

from __future__ import annotations

import uuid as uuid_mod

from flask import request

from portal.api.jsonapi.conventions import JsonApiError, jsonapi_response
from portal.api.jsonapi.document import Context, compound, linkage, parse_fields, parse_include, self_url
from portal.api.jsonapi.filters import filter_conditions
from portal.api.jsonapi.invoice_list import invoice_page, invoice_row, is_invoice_list, reads_rows
from portal.api.jsonapi.paging import order_by, page_query, paged
from portal.api.jsonapi.resources import REGISTRY, Resource, load_relationship
from portal.extensions import db
from portal.foundations.ids import row_id


def not_found(key) -> JsonApiError:
    return JsonApiError(404, "Record not found", f"The record identified by {key} could not be found.")


COLLECTION_PARAMS = ("sort", "include")


def check_params(ctx: Context | None, *, collection: bool = False, document: bool = True) -> None:
    """400 `Param not allowed` for query parameters the route does not know; reads sparse fieldsets."""
    for key in request.args:
        if document and (key == "include" or key.startswith("fields")):
            continue
        if collection and (key in COLLECTION_PARAMS or key.startswith(("filter", "page"))):
            continue
        raise JsonApiError(400, "Param not allowed", f"{key} is not allowed.", parameter=key)
    if document and ctx is not None:
        ctx.fields = parse_fields(ctx.api, request.args)


def _id_value(resource: Resource, key: str):
    """The id (uuid for uuid-addressed resources) a URL names, or 404."""
    if resource.id_attr == "uuid":
        try:
            return uuid_mod.UUID(key)
        except ValueError:
            raise not_found(key) from None
    pk = row_id(key)
    if pk is None:
        raise not_found(key)
    return pk


def find(resource: Resource, ctx: Context, key: str):
    """The resource's row with this id (uuid for uuid-addressed resources) inside the caller's scope, or 404."""
    obj = db.session.scalars(resource.query(ctx).where(resource.id_column() == _id_value(resource, key))).first()
    if obj is None:
        raise not_found(key)
    return obj


def collection(resource: Resource, ctx: Context, *, where: tuple = ()):
    """A filtered, sorted, paged collection with its includes."""
    args = request.args
    check_params(ctx, collection=True)
    tree = parse_include(resource, args.get("include"))
    rows, links, meta = _page_objects(resource, ctx, args, where)
    data, included = compound(resource, rows, tree, ctx)
    document = {"data": data}
    if tree:
        document["included"] = included
    document["meta"] = meta
    document["links"] = links
    return jsonapi_response(document)


def _page_objects(resource: Resource, ctx: Context, args, where: tuple) -> tuple[list, dict, dict]:
    """The ORM objects of the page `args` ask for, with its links and meta. The page is read as ids first
    (the rows OFFSET skips cost an index entry each, not a loaded row with its loader options: at 100,000
    invoices a random page is 2.3 x as fast, bench/README.md "Caches"), then its objects by id, in order.
    Invoices are read through the one invoice list query (portal.api.jsonapi.invoice_list), which
    reads them the same way in one statement."""
    if is_invoice_list(resource):
        return invoice_page(resource, ctx, args, where)
    model = resource.model
    stmt = (
        resource.query(ctx, loader_options=False)
        .where(*where, *filter_conditions(resource, args))
        .order_by(*order_by(resource, args))
        .with_only_columns(model.id)
    )
    ids, links, meta = paged(page_query(stmt, args), args, objects=False)
    ids = [row[0] for row in ids]
    if not ids:
        return [], links, meta
    found = {obj.id: obj for obj in db.session.scalars(resource.query(ctx).where(model.id.in_(ids))).unique()}
    return [found[i] for i in ids if i in found], links, meta  # a row deleted in between is left out


def single(resource: Resource, ctx: Context, obj, *, status: int = 200, headers: dict | None = None):
    check_params(ctx)
    tree = parse_include(resource, request.args.get("include"))
    data, included = compound(resource, [obj], tree, ctx)
    document = {"data": data[0]}
    if tree:
        document["included"] = included
    return jsonapi_response(document, status, headers=headers)


def show(resource: Resource, ctx: Context, key: str):
    check_params(ctx)
    if reads_rows(resource):  # the admin invoice: the row its list pages read
        obj = invoice_row(resource, _id_value(resource, key))
        if obj is None:
            raise not_found(key)
        return single(resource, ctx, obj)
    return single(resource, ctx, find(resource, ctx, key))


def _relationship(resource: Resource, name: str):
    rel = resource.rels.get(name)
    if rel is None:
        raise JsonApiError(404, "Record not found", f"{name} is not a relationship of {resource.type}.")
    return rel


def relationship(resource: Resource, ctx: Context, key: str, name: str):
    """`/…/{id}/relationships/{name}`: linkage data with self and related links."""
    rel = _relationship(resource, name)
    check_params(ctx, document=False)
    obj = find(resource, ctx, key)
    value = load_relationship(rel, [obj], ctx)[obj.id]
    url = self_url(resource, obj, ctx)
    return jsonapi_response(
        {
            "links": {"self": f"{url}/relationships/{name}", "related": f"{url}/{name}"},
            "data": linkage(rel, value),
        }
    )


def related(resource: Resource, ctx: Context, key: str, name: str):
    """`/…/{id}/{name}`: the related resource, or a collection (filters, sort, paging, include) for to-many."""
    rel = _relationship(resource, name)
    obj = find(resource, ctx, key)
    target = REGISTRY[rel.target]
    if rel.to_many:
        return collection(target, ctx, where=(rel.child_fk == obj.id, *rel.where))
    check_params(ctx)
    parse_include(target, request.args.get("include"))  # a bad include is a 400 even when there is nothing
    value = load_relationship(rel, [obj], ctx)[obj.id]
    if value is None:
        return jsonapi_response({"data": None})
    return single(target, ctx, value)


def add_read_routes(bp, resource: Resource, make_context, *, relationships: bool = True) -> None:
    """Index, show and (optionally) relationship/related routes of a resource, named `<path>_<action>`."""
    name = resource.path.replace("-", "_")
    base = f"/{resource.path}"
    bp.add_url_rule(base, f"{name}_index", lambda: collection(resource, make_context()), methods=["GET"])
    bp.add_url_rule(f"{base}/<key>", f"{name}_show", lambda key: show(resource, make_context(), key), methods=["GET"])
    if relationships and resource.rels:
        bp.add_url_rule(
            f"{base}/<key>/relationships/<rel>",
            f"{name}_relationship",
            lambda key, rel: relationship(resource, make_context(), key, rel),
            methods=["GET"],
        )
        bp.add_url_rule(
            f"{base}/<key>/<rel>",
            f"{name}_related",
            lambda key, rel: related(resource, make_context(), key, rel),
            methods=["GET"],
        )
