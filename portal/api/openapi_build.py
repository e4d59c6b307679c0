"""Builders the API descriptions share (JSON:API, backend v1, orgs v2): objects, parameters, responses, operations."""

from __future__ import annotations

JSON = "application/json"
BINARY = {"type": "string", "format": "binary"}
PDF = {"content": {"application/pdf": {"schema": BINARY}}}


def ref(name: str) -> dict:
    """A reference to a schema in the document's components."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict | None = None, required=(), *, closed: bool | None = None) -> dict:
    """An object schema (any object without `properties`); `closed` says whether other properties are
    allowed (left unsaid when None)."""
    schema = {"type": "object"}
    if required:
        schema["required"] = list(required)
    if properties is not None:
        schema["properties"] = properties
    if closed is not None:
        schema["additionalProperties"] = not closed
    return schema


def content(schema: dict, media: str = JSON) -> dict:
    return {"content": {media: {"schema": schema}}}


def response(description: str, schema: dict | None = None, media: str = JSON) -> dict:
    """A response with its description and, when it has a body, the body's schema."""
    return {"description": description, **(content(schema, media) if schema is not None else {})}


def parameter(name: str, where: str, schema: dict, description: str | None = None, **more) -> dict:
    """A parameter `in` path (always required) or query; `more` adds keys such as `required` or `style`."""
    param = {"name": name, "in": where}
    if where == "path":
        param["required"] = True
    param |= more
    param["schema"] = schema
    if description is not None:
        param["description"] = description
    return param


def operation(tag: str, operation_id: str, summary: str, security: list, responses: dict, **more) -> dict:
    """One operation of a path: tagged, secured, with its responses; `more` adds parameters, a body, …"""
    return {
        "tags": [tag],
        "operationId": operation_id,
        "summary": summary,
        "security": security,
        **more,
        "responses": responses,
    }


def bearer(bearer_format: str, description: str | None = None) -> dict:
    """An HTTP bearer security scheme."""
    scheme = {"type": "http", "scheme": "bearer", "bearerFormat": bearer_format}
    if description is not None:
        scheme["description"] = description
    return scheme
