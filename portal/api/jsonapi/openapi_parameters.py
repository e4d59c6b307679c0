"""OpenAPI query and path parameters of the JSON:API routes, built from the resource declarations and the
parser's own patterns (what is documented is what is accepted)."""

from __future__ import annotations

import re

from portal.api.jsonapi.document import MAX_INCLUDE_DEPTH, api_resources
from portal.api.jsonapi.filters import VALUE_PATTERNS
from portal.api.jsonapi.resources import OPS, REGISTRY, Resource
from portal.api.openapi_build import obj, parameter
from portal.foundations.ids import ROW_ID_PATTERN

# Text filters take any text without NUL that is not blank (at most 500 characters per value).
_TEXT = {"type": "string", "pattern": "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"}
_LIST_OPS = ("in", "not_in", "cont_any")


def _list_of(one: str) -> dict:
    """A string schema: a comma-separated list of what the pattern `one` matches."""
    return {"type": "string", "pattern": f"^{one}(,{one})*$"}


def _alternatives(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def _deep_object(name: str, description: str, properties: dict) -> dict:
    return parameter(
        name,
        "query",
        obj(properties, closed=True),
        description,
        style="deepObject",
        explode=True,
    )


def _filter_value_schema(kind: str, op: str, values: tuple) -> dict:
    if kind == "boolean":
        return {"type": "string", "enum": ["true", "false"]}
    if kind == "string":
        return dict(_TEXT) if op in _LIST_OPS else {**_TEXT, "maxLength": 500}
    # The parser's own patterns (portal.api.jsonapi.filters): what is documented is what is accepted.
    one = "|".join(re.escape(v) for v in values) if kind == "enum" else VALUE_PATTERNS[kind]
    return _list_of(f"({one})") if op in _LIST_OPS else {"type": "string", "pattern": f"^({one})$"}


def _filter_parameter(resource: Resource) -> dict:
    properties = {}
    for name, spec in resource.filters().items():
        for op in OPS[spec.kind]:
            properties[f"{name}_{op}"] = _filter_value_schema(spec.kind, op, spec.values)
    id_kind = "uuid" if resource.id_attr == "uuid" else "fk"
    properties["id"] = _filter_value_schema(id_kind, "in", ())
    return _deep_object(
        "filter",
        "`filter[<attribute>_<op>]=<value>`; in, not_in and cont_any take comma-separated "
        "lists; `filter[id]` takes a list of ids. Unknown filter: 400 `Filter not allowed`; "
        "bad value: 400 `Invalid filter value`.",
        properties,
    )


def _sort_parameter(resource: Resource) -> dict:
    names = set()
    for name in resource.sorts():
        names |= {name, name.replace("_", "-")}
    return parameter(
        "sort", "query", _list_of(f"-?({_alternatives(names)})"), "Comma-separated fields, `-` for descending."
    )


def include_paths(resource: Resource, depth: int = MAX_INCLUDE_DEPTH) -> list[str]:
    paths = []
    for name, rel in resource.rels.items():
        paths.append(name)
        if depth > 1:
            paths += [f"{name}.{sub}" for sub in include_paths(REGISTRY[rel.target], depth - 1)]
    return paths


def collection_parameters(resource: Resource) -> list[dict]:
    """The parameters of a list route: filter, sort, page and those of any document route."""
    return [
        _filter_parameter(resource),
        _sort_parameter(resource),
        parameter("page[number]", "query", {"type": "integer", "minimum": 1, "maximum": 999999999}),
        parameter("page[size]", "query", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}),
        *include_parameters(resource),
    ]


def _fields_parameter(resource: Resource) -> dict:
    properties = {}
    for type_, target in api_resources(resource.key.partition(":")[0]).items():
        properties[type_] = _list_of(f"({_alternatives([a.name for a in target.attrs] + list(target.rels))})")
    return _deep_object(
        "fields",
        "Sparse fieldsets: `fields[<type>]=a,b` shows only these attributes and relationships.",
        properties,
    )


def include_parameters(resource: Resource) -> list[dict]:
    """`include` (when the resource has relationships) and `fields`: the parameters of any document route."""
    paths = include_paths(resource)
    if not paths:
        return [_fields_parameter(resource)]
    include = parameter(
        "include",
        "query",
        _list_of(f"({_alternatives(paths)})"),
        "Comma-separated relationship paths (dotted for nested).",
    )
    return [include, _fields_parameter(resource)]


def key_parameter(resource: Resource) -> dict:
    schema = (
        {"type": "string", "format": "uuid"}
        if resource.id_attr == "uuid"
        else {"type": "string", "pattern": f"^{ROW_ID_PATTERN}$"}
    )
    return parameter("key", "path", schema)
