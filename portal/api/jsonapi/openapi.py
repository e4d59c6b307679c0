"""OpenAPI 3.1 description of the JSON:API routes (`PATHS`, `COMPONENTS`), built from the resource declarations."""

from __future__ import annotations

import re

from portal.api.jsonapi import serializers  # noqa: F401 - registers the resources
from portal.api.jsonapi.admin import READ_ONLY
from portal.api.jsonapi.conventions import MEDIA_TYPE
from portal.api.jsonapi.document import MAX_INCLUDE_DEPTH, api_resources
from portal.api.jsonapi.filters import VALUE_PATTERNS
from portal.api.jsonapi.resources import OPS, REGISTRY, Resource
from portal.foundations.ids import ROW_ID_PATTERN

ADMIN = "/api/rest/admin"
CUSTOMER = "/api/rest/customer/v1"
PREFIX = "JsonApi"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{PREFIX}{name}"}


def _schema_name(resource: Resource) -> str:
    api, _, path = resource.key.partition(":")
    return api.title() + "".join(part.title() for part in path.split("-"))


def _jsonapi(schema: dict) -> dict:
    return {"content": {MEDIA_TYPE: {"schema": schema}}}


ERROR_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["title", "detail", "code", "status"],
                "properties": {
                    "title": {"type": "string"},
                    "detail": {"type": "string"},
                    "code": {"type": "string"},
                    "status": {"type": "string", "pattern": r"^\d{3}$"},
                    "source": {
                        "type": "object",
                        "properties": {"pointer": {"type": "string"}, "parameter": {"type": "string"}},
                    },
                },
            },
        }
    },
}
LINKAGE = {
    "type": "object",
    "required": ["type", "id"],
    "properties": {"type": {"type": "string"}, "id": {"type": "string"}},
    "additionalProperties": False,
}
REL_LINKS = {
    "type": "object",
    "required": ["self", "related"],
    "properties": {"self": {"type": "string", "format": "uri"}, "related": {"type": "string", "format": "uri"}},
}
ANY_RESOURCE = {
    "type": "object",
    "required": ["id", "type", "links", "attributes"],
    "properties": {
        "id": {"type": "string"},
        "type": {"type": "string"},
        "links": {"type": "object"},
        "attributes": {"type": "object"},
        "relationships": {"type": "object"},
    },
}
PAGE_LINKS = {
    "type": "object",
    "required": ["first", "last"],
    "properties": {k: {"type": "string", "format": "uri"} for k in ("first", "prev", "next", "last")},
    "additionalProperties": False,
}


def resource_schema(resource: Resource) -> dict:
    relationships = {}
    for name, rel in resource.rels.items():
        target = REGISTRY[rel.target]
        one = {**LINKAGE, "properties": {"type": {"const": target.type}, "id": {"type": "string"}}}
        data = {"type": "array", "items": one} if rel.to_many else {"oneOf": [one, {"type": "null"}]}
        relationships[name] = {
            "type": "object",
            "required": ["links"],
            "additionalProperties": False,
            "properties": {"links": REL_LINKS, "data": data},
        }
    id_schema = (
        {"type": "string", "format": "uuid"} if resource.id_attr == "uuid" else {"type": "string", "pattern": r"^\d+$"}
    )
    schema = {
        "type": "object",
        "required": ["id", "type", "links", "attributes"],
        "additionalProperties": False,
        "properties": {
            "id": id_schema,
            "type": {"const": resource.type},
            "links": {
                "type": "object",
                "required": ["self"],
                "properties": {"self": {"type": "string", "format": "uri"}},
            },
            # Every attribute is present unless a sparse fieldset (`fields[type]=…`) leaves it out.
            "attributes": {
                "type": "object",
                "additionalProperties": False,
                "properties": {a.name: a.openapi() for a in resource.attrs},
            },
        },
    }
    if resource.meta_schema:
        schema["properties"]["meta"] = resource.meta_schema
    if relationships:
        schema["properties"]["relationships"] = {
            "type": "object",
            "additionalProperties": False,
            "properties": relationships,
        }
    return schema


# Text filters take any text without NUL that is not blank (at most 500 characters per value).
_TEXT = {"type": "string", "pattern": "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"}
_LIST_OPS = ("in", "not_in", "cont_any")


def _filter_value_schema(kind: str, op: str, values: tuple) -> dict:
    if kind == "boolean":
        return {"type": "string", "enum": ["true", "false"]}
    if kind == "string":
        return dict(_TEXT) if op in _LIST_OPS else {**_TEXT, "maxLength": 500}
    # The parser's own patterns (portal.api.jsonapi.filters): what is documented is what is accepted.
    one = "|".join(re.escape(v) for v in values) if kind == "enum" else VALUE_PATTERNS[kind]
    pattern = f"^({one})(,({one}))*$" if op in _LIST_OPS else f"^({one})$"
    return {"type": "string", "pattern": pattern}


def _filter_parameter(resource: Resource) -> dict:
    properties = {}
    for name, spec in resource.filters().items():
        for op in OPS[spec.kind]:
            properties[f"{name}_{op}"] = _filter_value_schema(spec.kind, op, spec.values)
    id_kind = "uuid" if resource.id_attr == "uuid" else "fk"
    properties["id"] = _filter_value_schema(id_kind, "in", ())
    return {
        "name": "filter",
        "in": "query",
        "style": "deepObject",
        "explode": True,
        "description": "`filter[<attribute>_<op>]=<value>`; in, not_in and cont_any take comma-separated "
        "lists; `filter[id]` takes a list of ids. Unknown filter: 400 `Filter not allowed`; "
        "bad value: 400 `Invalid filter value`.",
        "schema": {"type": "object", "properties": properties, "additionalProperties": False},
    }


def _alternatives(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def _sort_parameter(resource: Resource) -> dict:
    names = set()
    for name in resource.sorts():
        names |= {name, name.replace("_", "-")}
    one = f"-?({_alternatives(names)})"
    return {
        "name": "sort",
        "in": "query",
        "description": "Comma-separated fields, `-` for descending.",
        "schema": {"type": "string", "pattern": f"^{one}(,{one})*$"},
    }


def include_paths(resource: Resource, depth: int = MAX_INCLUDE_DEPTH) -> list[str]:
    paths = []
    for name, rel in resource.rels.items():
        paths.append(name)
        if depth > 1:
            paths += [f"{name}.{sub}" for sub in include_paths(REGISTRY[rel.target], depth - 1)]
    return paths


def _collection_parameters(resource: Resource) -> list[dict]:
    return [
        _filter_parameter(resource),
        _sort_parameter(resource),
        {"name": "page[number]", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 999999999}},
        {
            "name": "page[size]",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50},
        },
        *_include_parameters(resource),
    ]


def _fields_parameter(resource: Resource) -> dict:
    properties = {}
    for type_, target in api_resources(resource.key.partition(":")[0]).items():
        one = f"({_alternatives([a.name for a in target.attrs] + list(target.rels))})"
        properties[type_] = {"type": "string", "pattern": f"^{one}(,{one})*$"}
    return {
        "name": "fields",
        "in": "query",
        "style": "deepObject",
        "explode": True,
        "description": "Sparse fieldsets: `fields[<type>]=a,b` shows only these attributes and relationships.",
        "schema": {"type": "object", "properties": properties, "additionalProperties": False},
    }


def _include_parameters(resource: Resource) -> list[dict]:
    """`include` (when the resource has relationships) and `fields`: the parameters of any document route."""
    paths = include_paths(resource)
    if not paths:
        return [_fields_parameter(resource)]
    one = f"({_alternatives(paths)})"
    return [
        {
            "name": "include",
            "in": "query",
            "schema": {"type": "string", "pattern": f"^{one}(,{one})*$"},
            "description": "Comma-separated relationship paths (dotted for nested).",
        },
        _fields_parameter(resource),
    ]


def _errors(*codes: int, empty_401: bool) -> dict:
    responses = {}
    for code in codes:
        if code == 401 and empty_401:
            responses["401"] = {"description": "Missing, invalid or expired token (empty body)"}
        else:
            responses[str(code)] = {"description": "Error", **_jsonapi(_ref("Errors"))}
    return responses


def _read_responses(schema: dict, *, empty_401: bool, not_found: bool) -> dict:
    responses = {
        "200": {"description": "OK", **_jsonapi(schema)},
        "304": {"description": "Not modified (If-None-Match matched the ETag)"},
    }
    responses.update(_errors(400, 401, 406, *((404,) if not_found else ()), empty_401=empty_401))
    return responses


def _key_parameter(resource: Resource) -> dict:
    schema = (
        {"type": "string", "format": "uuid"}
        if resource.id_attr == "uuid"
        else {"type": "string", "pattern": f"^{ROW_ID_PATTERN}$"}
    )
    return {"name": "key", "in": "path", "required": True, "schema": schema}


def _document(name: str, *, many: bool) -> dict:
    data = {"type": "array", "items": _ref(name)} if many else _ref(name)
    schema = {
        "type": "object",
        "required": ["data"],
        "properties": {"data": data, "included": {"type": "array", "items": ANY_RESOURCE}},
    }
    if many:
        schema["required"] += ["meta", "links"]
        schema["properties"]["meta"] = {
            "type": "object",
            "required": ["total-count"],
            "properties": {"total-count": {"type": "integer", "minimum": 0}},
        }
        schema["properties"]["links"] = PAGE_LINKS
    return schema


def _resource_paths(
    root: str, resource: Resource, security: list, *, empty_401: bool, tag: str, relationships: bool = True
) -> dict:
    name = _schema_name(resource)
    base = f"{root}/{resource.path}"
    key = _key_parameter(resource)
    paths = {
        base: {
            "get": {
                "summary": f"List {resource.type}",
                "tags": [tag],
                "security": security,
                "operationId": f"jsonapi_{name}_index",
                "parameters": _collection_parameters(resource),
                "responses": _read_responses(_document(name, many=True), empty_401=empty_401, not_found=False),
            }
        },
        f"{base}/{{key}}": {
            "get": {
                "summary": f"Show one of {resource.type}",
                "tags": [tag],
                "security": security,
                "operationId": f"jsonapi_{name}_show",
                "parameters": [key, *_include_parameters(resource)],
                "responses": _read_responses(_document(name, many=False), empty_401=empty_401, not_found=True),
            }
        },
    }
    if not relationships:
        return paths
    for rel_name, rel in resource.rels.items():
        target = REGISTRY[rel.target]
        target_name = _schema_name(target)
        one = {"oneOf": [LINKAGE, {"type": "null"}]}
        linkage = {
            "type": "object",
            "required": ["links", "data"],
            "properties": {"links": REL_LINKS, "data": {"type": "array", "items": LINKAGE} if rel.to_many else one},
        }
        paths[f"{base}/{{key}}/relationships/{rel_name}"] = {
            "get": {
                "summary": f"Linkage of {rel_name}",
                "tags": [tag],
                "security": security,
                "parameters": [key],
                "operationId": f"jsonapi_{name}_relationship_{rel_name.replace('-', '_')}",
                "responses": _read_responses(linkage, empty_401=empty_401, not_found=True),
            }
        }
        if rel.to_many:
            related = _document(target_name, many=True)
            parameters = [key, *_collection_parameters(target)]
        else:
            related = {
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {"oneOf": [_ref(target_name), {"type": "null"}]},
                    "included": {"type": "array", "items": ANY_RESOURCE},
                },
            }
            parameters = [key, *_include_parameters(target)]
        paths[f"{base}/{{key}}/{rel_name}"] = {
            "get": {
                "summary": f"The related {rel_name}",
                "tags": [tag],
                "security": security,
                "parameters": parameters,
                "operationId": f"jsonapi_{name}_related_{rel_name.replace('-', '_')}",
                "responses": _read_responses(related, empty_401=empty_401, not_found=True),
            }
        }
    return paths


def _auth_path(tag: str, request_schema: str, operation: str, *, logout: bool = False) -> dict:
    token = {"description": "Token issued", "content": {"application/json": {"schema": _ref("Token")}}}
    post = {
        "summary": "Log in and get a JWT",
        "tags": [tag],
        "security": [],
        "operationId": operation,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _ref(request_schema)},
                MEDIA_TYPE: {"schema": _ref(request_schema)},
            },
        },
        "responses": {
            "201": token
            if not logout
            else {
                "description": "Token issued (or, with cookie_auth, an HttpOnly session cookie is set "
                "and the body is empty)",
                "content": {"application/json": {"schema": _ref("Token")}},
            },
            **_errors(400, 401, 415, 429, empty_401=False),
        },
    }
    item = {"post": post}
    if logout:
        item["delete"] = {
            "summary": "Log out (clears the session cookie and ends the session on the server)",
            "tags": [tag],
            "security": [],
            "operationId": operation + "_logout",
            "responses": {"204": {"description": "Logged out"}},
        }
    return item


PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}


def _build() -> tuple[dict, dict]:
    admin_security = [{"JsonApiAdminToken": []}]
    customer_security = [{"JsonApiCustomerToken": []}, {"JsonApiCustomerCookie": []}]
    paths: dict = {f"{ADMIN}/auth": _auth_path("admin JSON:API", "AdminAuthRequest", "jsonapi_admin_auth")}
    invoices = REGISTRY["admin:invoices"]
    paths.update(_resource_paths(ADMIN, invoices, admin_security, empty_401=True, tag="admin JSON:API"))
    paths[f"{ADMIN}/invoices"]["post"] = {
        "summary": "Create a Manual invoice (filled inline, or queued for a worker)",
        "tags": ["admin JSON:API"],
        "security": admin_security,
        "operationId": "jsonapi_admin_invoices_create",
        "parameters": _include_parameters(invoices),
        "requestBody": {"required": True, **_jsonapi(_ref("AdminInvoiceCreate"))},
        "responses": {
            "201": {
                "description": "Created (see the Location header)",
                **_jsonapi(_document("AdminInvoices", many=False)),
            },
            **_errors(400, 401, 403, 406, 409, 415, 422, empty_401=True),
        },
    }
    paths[f"{ADMIN}/invoices/{{key}}"]["delete"] = {
        "summary": "Delete an invoice that is not approved",
        "tags": ["admin JSON:API"],
        "security": admin_security,
        "operationId": "jsonapi_admin_invoices_delete",
        "parameters": [_key_parameter(invoices)],
        "responses": {"204": {"description": "Deleted"}, **_errors(401, 403, 404, 406, 422, empty_401=True)},
    }
    paths[f"{ADMIN}/invoices/{{key}}/pdf"] = {
        "get": {
            "summary": "The invoice PDF (attachment invoice-{id}.pdf)",
            "tags": ["admin JSON:API"],
            "security": admin_security,
            "operationId": "jsonapi_admin_invoices_pdf",
            "parameters": [_key_parameter(invoices)],
            "responses": {"200": {"description": "PDF", **PDF}, **_errors(401, 404, empty_401=True)},
        }
    }
    for path in READ_ONLY:
        paths.update(
            _resource_paths(ADMIN, REGISTRY[f"admin:{path}"], admin_security, empty_401=True, tag="admin JSON:API")
        )

    paths[f"{CUSTOMER}/auth"] = _auth_path(
        "customer JSON:API v1", "CustomerAuthRequest", "jsonapi_customer_auth", logout=True
    )
    customer_invoices = REGISTRY["customer:invoices"]
    paths.update(
        _resource_paths(CUSTOMER, customer_invoices, customer_security, empty_401=False, tag="customer JSON:API v1")
    )
    paths[f"{CUSTOMER}/invoices/{{key}}/download"] = {
        "get": {
            "summary": "The invoice PDF (attachment <reference>_<start>_<end>.pdf)",
            "tags": ["customer JSON:API v1"],
            "security": customer_security,
            "operationId": "jsonapi_customer_invoices_download",
            "parameters": [_key_parameter(customer_invoices)],
            "responses": {"200": {"description": "PDF", **PDF}, **_errors(401, 404, empty_401=False)},
        }
    }
    paths.update(
        _resource_paths(
            CUSTOMER,
            REGISTRY["customer:accounts"],
            customer_security,
            empty_401=False,
            tag="customer JSON:API v1",
            relationships=False,
        )
    )

    schemas = {f"{PREFIX}{_schema_name(r)}": resource_schema(r) for r in REGISTRY.values()}
    schemas[f"{PREFIX}Errors"] = ERROR_SCHEMA
    schemas[f"{PREFIX}Token"] = {"type": "object", "required": ["jwt"], "properties": {"jwt": {"type": "string"}}}
    schemas[f"{PREFIX}AdminAuthRequest"] = {
        "type": "object",
        "required": ["auth"],
        "properties": {
            "auth": {
                "type": "object",
                "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
            }
        },
    }
    schemas[f"{PREFIX}CustomerAuthRequest"] = {
        "type": "object",
        "required": ["auth"],
        "properties": {
            "auth": {
                "type": "object",
                "required": ["login", "password"],
                "properties": {
                    "login": {"type": "string"},
                    "password": {"type": "string"},
                    "cookie_auth": {"type": "boolean"},
                },
            }
        },
    }
    schemas[f"{PREFIX}AdminInvoiceCreate"] = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "object",
                "required": ["type", "attributes", "relationships"],
                "properties": {
                    "type": {"const": "invoices"},
                    "attributes": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "start-date": {"type": "string", "format": "date"},
                            "end-date": {"type": "string", "format": "date"},
                        },
                    },
                    "relationships": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "account": {
                                "type": "object",
                                "required": ["data"],
                                "properties": {
                                    "data": {
                                        **LINKAGE,
                                        "properties": {
                                            "type": {"const": "accounts"},
                                            "id": {"type": "string", "pattern": f"^{ROW_ID_PATTERN}$"},
                                        },
                                    }
                                },
                            }
                        },
                    },
                },
            }
        },
    }
    components = {
        "schemas": schemas,
        "securitySchemes": {
            "JsonApiAdminToken": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "POST /api/rest/admin/auth; audience admin",
            },
            "JsonApiCustomerToken": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "POST /api/rest/customer/v1/auth; audience customer-v1",
            },
            "JsonApiCustomerCookie": {"type": "apiKey", "in": "cookie", "name": "customer_v1_session"},
        },
    }
    return paths, components


PATHS, COMPONENTS = _build()
