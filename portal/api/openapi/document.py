"""Assembling the one OpenAPI 3.1 document from the parts each API describes (PATHS and COMPONENTS)."""

from __future__ import annotations

import copy
from functools import lru_cache

from portal.api.backend_v1 import openapi as backend_v1
from portal.api.jsonapi import openapi as jsonapi
from portal.api.orgs_v2 import openapi as orgs_v2

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

SELF_PATHS = {
    "/api/openapi.json": {
        "get": {
            "tags": ["OpenAPI"],
            "operationId": "openapiDocument",
            "summary": "This OpenAPI 3.1 document",
            "security": [],
            "responses": {
                "200": {"description": "The document", "content": {"application/json": {"schema": {"type": "object"}}}}
            },
        },
    },
}


def parts() -> list:
    """The modules describing each API, in the order they appear in the document."""
    return [jsonapi, backend_v1, orgs_v2]


@lru_cache(maxsize=1)
def _document() -> dict:
    paths: dict = dict(SELF_PATHS)
    components: dict = {}
    for part in parts():
        for path, item in part.PATHS.items():
            if path in paths:
                raise ValueError(f"OpenAPI path {path} is described twice")
            paths[path] = item
        for section, entries in part.COMPONENTS.items():
            merged = components.setdefault(section, {})
            for name, value in entries.items():
                if name in merged and merged[name] != value:
                    raise ValueError(f"OpenAPI component {section}/{name} is described twice")
                merged[name] = value
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Invoice portal APIs",
            "version": "1.0.0",
            "description": "Every JSON route of the portal: the admin and customer JSON:API, the backend "
            "API v1 and the orgs API v2.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": components,
    }


def openapi_document() -> dict:
    """A fresh copy of the whole document (callers may change it)."""
    return copy.deepcopy(_document())


def operations(document: dict | None = None) -> list[dict]:
    """Every operation, flattened for the human docs: path, method, summary, parameters, responses."""
    document = document or _document()
    result = []
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {})
            result.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "tag": (op.get("tags") or ["Other"])[0],
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [_resolve(document, p) for p in shared + op.get("parameters", [])],
                    "body_types": list(body),
                    "body_properties": _body_properties(document, body),
                    "responses": [
                        (
                            status,
                            _resolve(document, r).get("description", ""),
                            list(_resolve(document, r).get("content", {})),
                        )
                        for status, r in op.get("responses", {}).items()
                    ],
                    "secured": bool(op.get("security", document.get("security", []))),
                }
            )
    return result


def _resolve(document: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _body_properties(document: dict, content: dict) -> list[str]:
    for media in content.values():
        schema = _resolve(document, media.get("schema", {}))
        return sorted(schema.get("properties", {}))
    return []
