"""OpenAPI 3.1 description of the JSON:API routes (`PATHS`, `COMPONENTS`), built from the resource declarations."""

from __future__ import annotations

from portal.api.jsonapi import serializers  # noqa: F401 - registers the resources
from portal.api.jsonapi.admin import READ_ONLY
from portal.api.jsonapi.conventions import MEDIA_TYPE
from portal.api.jsonapi.openapi_parameters import collection_parameters, include_parameters, key_parameter
from portal.api.jsonapi.openapi_schemas import (
    LINKAGE,
    REL_LINKS,
    document_schema,
    jsonapi_content,
    resource_document,
    schema_name,
    schema_ref,
    schemas,
)
from portal.api.jsonapi.resources import REGISTRY, Resource
from portal.api.openapi_build import JSON, PDF, bearer, obj, operation, response

ADMIN = "/api/rest/admin"
CUSTOMER = "/api/rest/customer/v1"
ADMIN_TAG = "admin JSON:API"
CUSTOMER_TAG = "customer JSON:API v1"
ADMIN_SECURITY = [{"JsonApiAdminToken": []}]
CUSTOMER_SECURITY = [{"JsonApiCustomerToken": []}, {"JsonApiCustomerCookie": []}]


def _errors(*codes: int, empty_401: bool) -> dict:
    responses = {}
    for code in codes:
        if code == 401 and empty_401:
            responses["401"] = {"description": "Missing, invalid or expired token (empty body)"}
        else:
            responses[str(code)] = {"description": "Error", **jsonapi_content(schema_ref("Errors"))}
    return responses


def _read_responses(schema: dict, *, empty_401: bool, not_found: bool) -> dict:
    responses = {
        "200": {"description": "OK", **jsonapi_content(schema)},
        "304": {"description": "Not modified (If-None-Match matched the ETag)"},
    }
    responses.update(_errors(400, 401, 406, *((404,) if not_found else ()), empty_401=empty_401))
    return responses


class _Face:
    """One face of the JSON:API (admin or customer): its root, tag, security and 401 style."""

    def __init__(self, root: str, tag: str, security: list, *, empty_401: bool):
        self.root, self.tag, self.security, self.empty_401 = root, tag, security, empty_401

    def get(self, operation_id: str, summary: str, parameters: list, body: dict, *, not_found: bool = True) -> dict:
        """A read route answering `body` (a document schema) or the read errors."""
        responses = _read_responses(body, empty_401=self.empty_401, not_found=not_found)
        return {"get": self.operation(operation_id, summary, responses, parameters=parameters)}

    def operation(self, operation_id: str, summary: str, responses: dict, **more) -> dict:
        return operation(self.tag, operation_id, summary, self.security, responses, **more)

    def pdf(self, operation_id: str, summary: str, resource: Resource) -> dict:
        responses = {"200": {"description": "PDF", **PDF}, **_errors(401, 404, empty_401=self.empty_401)}
        return {"get": self.operation(operation_id, summary, responses, parameters=[key_parameter(resource)])}

    def resource_paths(self, resource: Resource, *, relationships: bool = True) -> dict:
        name = schema_name(resource)
        base = f"{self.root}/{resource.path}"
        key = key_parameter(resource)
        paths = {
            base: self.get(
                f"jsonapi_{name}_index",
                f"List {resource.type}",
                collection_parameters(resource),
                resource_document(name, many=True),
                not_found=False,
            ),
            f"{base}/{{key}}": self.get(
                f"jsonapi_{name}_show",
                f"Show one of {resource.type}",
                [key, *include_parameters(resource)],
                resource_document(name, many=False),
            ),
        }
        if not relationships:
            return paths
        for rel_name, rel in resource.rels.items():
            target = REGISTRY[rel.target]
            one = {"oneOf": [LINKAGE, {"type": "null"}]}
            linkage = obj(
                {"links": REL_LINKS, "data": {"type": "array", "items": LINKAGE} if rel.to_many else one},
                ["links", "data"],
            )
            suffix = rel_name.replace("-", "_")
            paths[f"{base}/{{key}}/relationships/{rel_name}"] = self.get(
                f"jsonapi_{name}_relationship_{suffix}", f"Linkage of {rel_name}", [key], linkage
            )
            if rel.to_many:
                related = resource_document(schema_name(target), many=True)
                parameters = [key, *collection_parameters(target)]
            else:
                related = document_schema({"oneOf": [schema_ref(schema_name(target)), {"type": "null"}]})
                parameters = [key, *include_parameters(target)]
            paths[f"{base}/{{key}}/{rel_name}"] = self.get(
                f"jsonapi_{name}_related_{suffix}", f"The related {rel_name}", parameters, related
            )
        return paths

    def auth_path(self, request_schema: str, operation_id: str, *, logout: bool = False) -> dict:
        token = response("Token issued", schema_ref("Token"))
        if logout:
            token["description"] = (
                "Token issued (or, with cookie_auth, an HttpOnly session cookie is set and the body is empty)"
            )
        body = {JSON: {"schema": schema_ref(request_schema)}, MEDIA_TYPE: {"schema": schema_ref(request_schema)}}
        item = {
            "post": operation(
                self.tag,
                operation_id,
                "Log in and get a JWT",
                [],
                {"201": token, **_errors(400, 401, 415, 429, empty_401=False)},
                requestBody={"required": True, "content": body},
            )
        }
        if logout:
            item["delete"] = operation(
                self.tag,
                operation_id + "_logout",
                "Log out (clears the session cookie and ends the session on the server)",
                [],
                {"204": {"description": "Logged out"}},
            )
        return item


def _admin_paths() -> dict:
    face = _Face(ADMIN, ADMIN_TAG, ADMIN_SECURITY, empty_401=True)
    invoices = REGISTRY["admin:invoices"]
    paths = {f"{ADMIN}/auth": face.auth_path("AdminAuthRequest", "jsonapi_admin_auth")}
    paths.update(face.resource_paths(invoices))
    paths[f"{ADMIN}/invoices"]["post"] = face.operation(
        "jsonapi_admin_invoices_create",
        "Create a Manual invoice (filled inline, or queued for a worker)",
        {
            "201": {
                "description": "Created (see the Location header)",
                **jsonapi_content(resource_document("AdminInvoices", many=False)),
            },
            **_errors(400, 401, 403, 406, 409, 415, 422, empty_401=True),
        },
        parameters=include_parameters(invoices),
        requestBody={"required": True, **jsonapi_content(schema_ref("AdminInvoiceCreate"))},
    )
    paths[f"{ADMIN}/invoices/{{key}}"]["delete"] = face.operation(
        "jsonapi_admin_invoices_delete",
        "Delete an invoice that is not approved",
        {"204": {"description": "Deleted"}, **_errors(401, 403, 404, 406, 422, empty_401=True)},
        parameters=[key_parameter(invoices)],
    )
    paths[f"{ADMIN}/invoices/{{key}}/pdf"] = face.pdf(
        "jsonapi_admin_invoices_pdf", "The invoice PDF (attachment invoice-{id}.pdf)", invoices
    )
    for path in READ_ONLY:
        paths.update(face.resource_paths(REGISTRY[f"admin:{path}"]))
    return paths


def _customer_paths() -> dict:
    face = _Face(CUSTOMER, CUSTOMER_TAG, CUSTOMER_SECURITY, empty_401=False)
    invoices = REGISTRY["customer:invoices"]
    paths = {f"{CUSTOMER}/auth": face.auth_path("CustomerAuthRequest", "jsonapi_customer_auth", logout=True)}
    paths.update(face.resource_paths(invoices))
    paths[f"{CUSTOMER}/invoices/{{key}}/download"] = face.pdf(
        "jsonapi_customer_invoices_download", "The invoice PDF (attachment <reference>_<start>_<end>.pdf)", invoices
    )
    paths.update(face.resource_paths(REGISTRY["customer:accounts"], relationships=False))
    return paths


def _build() -> tuple[dict, dict]:
    components = {
        "schemas": schemas(),
        "securitySchemes": {
            "JsonApiAdminToken": bearer("JWT", "POST /api/rest/admin/auth; audience admin"),
            "JsonApiCustomerToken": bearer("JWT", "POST /api/rest/customer/v1/auth; audience customer-v1"),
            "JsonApiCustomerCookie": {"type": "apiKey", "in": "cookie", "name": "customer_v1_session"},
        },
    }
    return {**_admin_paths(), **_customer_paths()}, components


PATHS, COMPONENTS = _build()
