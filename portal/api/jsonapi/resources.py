"""How a JSON:API resource is declared: attributes, relationships with bulk loaders, filters and sorts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from portal.api.jsonapi.conventions import decimal_str, timestamp_str
from portal.extensions import db

# Filter operators by kind of value (issue 5 "Conventions").
OPS = {
    "number": ("eq", "not_eq", "gt", "gteq", "lt", "lteq", "in", "not_in"),
    "time": ("eq", "not_eq", "gt", "gteq", "lt", "lteq", "in", "not_in"),
    "string": ("eq", "not_eq", "cont", "start", "end", "in", "not_in", "cont_any"),
    "enum": ("eq", "not_eq", "in", "not_in"),
    "fk": ("eq", "not_eq", "in", "not_in"),
    "uuid": ("eq", "not_eq", "in", "not_in"),
    "boolean": ("eq", "not_eq"),
}

# attribute kind -> (filter kind, OpenAPI schema)
KINDS = {
    "string": ("string", {"type": "string"}),
    "nullable_string": ("string", {"type": ["string", "null"]}),
    "money": ("number", {"type": "string", "pattern": r"^-?\d+\.\d+$"}),
    "nullable_money": ("number", {"type": ["string", "null"], "pattern": r"^-?\d+\.\d+$"}),
    "integer": ("number", {"type": "integer"}),
    "nullable_integer": ("number", {"type": ["integer", "null"]}),
    "timestamp": ("time", {"type": "string", "format": "date-time"}),
    "nullable_timestamp": ("time", {"type": ["string", "null"], "format": "date-time"}),
    "boolean": ("boolean", {"type": "boolean"}),
    "enum": ("enum", {"type": "string"}),
    "uuid": ("uuid", {"type": "string", "format": "uuid"}),
}


def _uuid_str(value):
    return None if value is None else str(value)


def _int_or_none(value):
    return None if value is None else int(value)


def encoder(kind: str) -> Callable | None:
    """The function turning a model value of this kind into its JSON value (None: as it is)."""
    if kind.endswith("money"):
        return decimal_str
    if kind.endswith("timestamp"):
        return timestamp_str
    if kind == "uuid":
        return _uuid_str
    if kind.endswith("integer"):
        return _int_or_none
    return None


@dataclass
class Attr:
    """One attribute: its dasherized name, kind, model column, and how to read it."""

    name: str
    kind: str
    column: Any = None  # SQL expression for filters and sorting; None: neither
    getter: Callable | None = None  # (obj, ctx) -> raw value; default: the column's attribute
    values: tuple = ()  # enum values
    filterable: bool = True
    sortable: bool = True
    schema: dict | None = None  # OpenAPI schema when the kind's default does not fit
    field: str | None = None  # model attribute when it is not the underscored name

    def __post_init__(self):
        # Chosen once here, not per value: serializing a page of 50 invoices reads ~2,500 values.
        self._encode = encoder(self.kind)
        self.attribute = self.field or self.name.replace("-", "_")  # the model attribute it reads

    def value(self, obj, ctx):
        raw = self.getter(obj, ctx) if self.getter is not None else getattr(obj, self.attribute)
        return raw if self._encode is None else self._encode(raw)

    def openapi(self) -> dict:
        if self.schema is not None:
            return dict(self.schema)
        schema = dict(KINDS[self.kind][1])
        if self.values:
            schema["enum"] = list(self.values)
        return schema


@dataclass
class Filter:
    kind: str  # a key of OPS
    column: Any
    values: tuple = ()
    parse: Callable | None = None  # custom value parser (text -> value), raising ValueError


@dataclass
class Rel:
    """A relationship: the target resource, how to load it in bulk, and when linkage data is shown."""

    name: str
    target: str  # registry key of the target resource
    to_many: bool = False
    always_linkage: bool = False
    fk: str | None = None  # to-one: attribute on the parent holding the target id
    child_fk: Any = None  # to-many: column of the target pointing at the parent
    where: tuple = ()  # to-many: extra conditions (e.g. direction)
    loader: Callable | None = None  # custom (parents, ctx) -> {parent.id: obj|list|None}


@dataclass
class Resource:
    """A resource type as one API exposes it."""

    key: str  # registry key, e.g. "admin:invoices"
    type: str
    path: str
    model: Any
    attrs: list[Attr]
    rels: dict[str, Rel] = field(default_factory=dict)
    extra_filters: dict[str, Filter] = field(default_factory=dict)
    default_sort: tuple = ("id",)  # names, "-" for descending
    id_attr: str = "id"
    base_query: Callable | None = None  # ctx -> Select restricted to what the caller may see
    prepare: Callable | None = None  # (objs, ctx) -> None: bulk-load what attributes need
    options: tuple = ()  # loader options for the primary query
    # (obj, ctx) -> dict | None: the resource object's `meta` (outside the documented attribute set), and its schema
    meta: Callable | None = None
    meta_schema: dict | None = None
    # The columns a list page of this resource can be read as, instead of ORM objects: every name its
    # attributes, getters and relationships read (portal.reading.listed_invoice); () reads objects.
    row_columns: tuple = ()

    def id_of(self, obj) -> str:
        return str(getattr(obj, self.id_attr))

    def id_column(self):
        return getattr(self.model, self.id_attr)

    def query(self, ctx, *, loader_options: bool = True):
        stmt = self.base_query(ctx) if self.base_query else select(self.model)
        return stmt.options(*self.options) if self.options and loader_options else stmt

    def filters(self) -> dict[str, Filter]:
        result = {}
        for attr in self.attrs:
            if attr.column is not None and attr.filterable:
                result[attr.name.replace("-", "_")] = Filter(KINDS[attr.kind][0], attr.column, attr.values)
        result.update(self.extra_filters)
        return result

    def sorts(self) -> dict:
        """Sortable names (`sort=` spelling with `_`) → columns; built once per resource."""
        result = self.__dict__.get("_sorts")
        if result is None:
            result = {"id": self.model.id}
            for attr in self.attrs:
                if attr.column is not None and attr.sortable:
                    result[attr.name.replace("-", "_")] = attr.column
            self.__dict__["_sorts"] = result
        return result


REGISTRY: dict[str, Resource] = {}


def register(resource: Resource) -> Resource:
    REGISTRY[resource.key] = resource
    return resource


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def load_relationship(rel: Rel, parents: list, ctx) -> dict:
    """{parent.id: related} for every parent, in one query per 500 parents (never one per row)."""
    if rel.loader is not None:
        return rel.loader(parents, ctx)
    target = REGISTRY[rel.target]
    if not rel.to_many:
        wanted = sorted({getattr(p, rel.fk) for p in parents if getattr(p, rel.fk) is not None})
        found = {}
        for chunk in _chunks(wanted):
            for row in db.session.scalars(target.query(ctx).where(target.model.id.in_(chunk))):
                found[row.id] = row
        return {p.id: found.get(getattr(p, rel.fk)) for p in parents}
    grouped: dict[int, list] = {p.id: [] for p in parents}
    ids = sorted(grouped)
    for chunk in _chunks(ids):
        stmt = target.query(ctx).where(rel.child_fk.in_(chunk), *rel.where).order_by(target.model.id)
        for row in db.session.scalars(stmt):
            grouped[getattr(row, rel.child_fk.key)].append(row)
    return grouped
