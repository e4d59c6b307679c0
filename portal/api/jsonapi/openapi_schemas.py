"""OpenAPI schemas of the JSON:API: resource objects built from their declarations, documents, errors, bodies."""

from __future__ import annotations

from portal.api.jsonapi.conventions import MEDIA_TYPE
from portal.api.jsonapi.resources import REGISTRY, Resource
from portal.api.openapi_build import content, obj, ref
from portal.foundations.ids import ROW_ID_PATTERN

PREFIX = "JsonApi"
URI = {"type": "string", "format": "uri"}
STRING = {"type": "string"}


def schema_ref(name: str) -> dict:
    return ref(f"{PREFIX}{name}")


def schema_name(resource: Resource) -> str:
    api, _, path = resource.key.partition(":")
    return api.title() + "".join(part.title() for part in path.split("-"))


def jsonapi_content(schema: dict) -> dict:
    return content(schema, MEDIA_TYPE)


ERROR = obj(
    {
        "title": STRING,
        "detail": STRING,
        "code": STRING,
        "status": {"type": "string", "pattern": r"^\d{3}$"},
        "source": obj({"pointer": STRING, "parameter": STRING}),
    },
    ["title", "detail", "code", "status"],
)
ERROR_SCHEMA = obj({"errors": {"type": "array", "minItems": 1, "items": ERROR}}, ["errors"])
LINKAGE = obj({"type": STRING, "id": STRING}, ["type", "id"], closed=True)
REL_LINKS = obj({"self": URI, "related": URI}, ["self", "related"])
RESOURCE_REQUIRED = ["id", "type", "links", "attributes"]
ANY_RESOURCE = obj(
    {"id": STRING, "type": STRING, "links": obj(), "attributes": obj(), "relationships": obj()}, RESOURCE_REQUIRED
)
PAGE_LINKS = obj({k: URI for k in ("first", "prev", "next", "last")}, ["first", "last"], closed=True)


def _linkage(type_: str, id_schema: dict) -> dict:
    return {**LINKAGE, "properties": {"type": {"const": type_}, "id": id_schema}}


def resource_schema(resource: Resource) -> dict:
    relationships = {}
    for name, rel in resource.rels.items():
        one = _linkage(REGISTRY[rel.target].type, STRING)
        data = {"type": "array", "items": one} if rel.to_many else {"oneOf": [one, {"type": "null"}]}
        relationships[name] = obj({"links": REL_LINKS, "data": data}, ["links"], closed=True)
    id_schema = (
        {"type": "string", "format": "uuid"} if resource.id_attr == "uuid" else {"type": "string", "pattern": r"^\d+$"}
    )
    properties = {
        "id": id_schema,
        "type": {"const": resource.type},
        "links": obj({"self": URI}, ["self"]),
        # Every attribute is present unless a sparse fieldset (`fields[type]=…`) leaves it out.
        "attributes": obj({a.name: a.openapi() for a in resource.attrs}, closed=True),
    }
    if resource.meta_schema:
        properties["meta"] = resource.meta_schema
    if relationships:
        properties["relationships"] = obj(relationships, closed=True)
    return obj(properties, RESOURCE_REQUIRED, closed=True)


def document_schema(data: dict, *, many: bool = False) -> dict:
    """A top-level document with `data` (one resource or, with `many`, a page of them) and `included`."""
    properties = {"data": data, "included": {"type": "array", "items": ANY_RESOURCE}}
    if not many:
        return obj(properties, ["data"])
    properties["meta"] = obj({"total-count": {"type": "integer", "minimum": 0}}, ["total-count"])
    properties["links"] = PAGE_LINKS
    return obj(properties, ["data", "meta", "links"])


def resource_document(name: str, *, many: bool) -> dict:
    item = schema_ref(name)
    return document_schema({"type": "array", "items": item} if many else item, many=many)


def _auth_request(*fields: str, **optional: dict) -> dict:
    credentials = obj({**{f: STRING for f in fields}, **optional}, fields)
    return obj({"auth": credentials}, ["auth"])


_ACCOUNT_ID = {"type": "string", "pattern": f"^{ROW_ID_PATTERN}$"}
ADMIN_INVOICE_CREATE = obj(
    {
        "data": obj(
            {
                "type": {"const": "invoices"},
                "attributes": obj(
                    {
                        "start-date": {"type": "string", "format": "date"},
                        "end-date": {"type": "string", "format": "date"},
                    },
                    closed=True,
                ),
                "relationships": obj(
                    {"account": obj({"data": _linkage("accounts", _ACCOUNT_ID)}, ["data"])},
                    closed=True,
                ),
            },
            ["type", "attributes", "relationships"],
        )
    },
    ["data"],
)


def schemas() -> dict:
    """Every schema of the JSON:API components, each name prefixed."""
    named = {schema_name(r): resource_schema(r) for r in REGISTRY.values()}
    named |= {
        "Errors": ERROR_SCHEMA,
        "Token": obj({"jwt": STRING}, ["jwt"]),
        "AdminAuthRequest": _auth_request("username", "password"),
        "CustomerAuthRequest": _auth_request("login", "password", cookie_auth={"type": "boolean"}),
        "AdminInvoiceCreate": ADMIN_INVOICE_CREATE,
    }
    return {f"{PREFIX}{name}": schema for name, schema in named.items()}
