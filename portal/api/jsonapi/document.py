"""Building JSON:API documents: resource objects, relationship linkage and compound `included` (bulk-loaded)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import attrgetter

from portal.api.jsonapi.conventions import bad_request
from portal.api.jsonapi.resources import REGISTRY, Rel, Resource, load_relationship

MAX_INCLUDE_DEPTH = 2  # the OpenAPI part lists every path up to this depth
_FIELDS_PARAM = re.compile(r"^fields\[([a-z-]+)\]$")


@dataclass
class Context:
    """Per-request facts serializers need: the API's root URL, the caller's scope, bulk-loaded extras."""

    root: str
    api: str  # "admin" | "customer"
    customer_id: int | None = None
    account_ids: list[int] | None = None  # a limited customer user's accounts (None: every account)
    extras: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)  # sparse fieldsets: type -> names to show


def api_resources(api: str) -> dict[str, Resource]:
    """The resources one API serves, by JSON:API type."""
    return {r.type: r for r in REGISTRY.values() if r.key.startswith(api + ":")}


def parse_fields(api: str, args) -> dict[str, set]:
    """Sparse fieldsets `fields[<type>]=a,b`: every type and name must exist in this API."""
    resources = api_resources(api)
    result = {}
    for key in args:
        if not key.startswith("fields"):
            continue
        match = _FIELDS_PARAM.match(key)
        resource = resources.get(match.group(1)) if match else None
        if resource is None:
            raise bad_request("Invalid field", f"{key} does not name a resource type.", parameter=key)
        names = {a.name for a in resource.attrs} | set(resource.rels)
        wanted = args.get(key).split(",")
        unknown = [n for n in wanted if n not in names]
        if unknown:
            raise bad_request("Invalid field", f"{unknown[0]} is not a valid field for {resource.type}.", parameter=key)
        result[resource.type] = set(wanted)
    return result


def parse_include(resource: Resource, raw: str | None) -> dict:
    """`a.b,c` → {"a": {"b": {}}, "c": {}}, every step a relationship of the resource it starts from."""
    tree: dict = {}
    if raw is None:
        return tree
    for path in raw.split(","):
        node, current = tree, resource
        steps = path.split(".")
        if len(steps) > MAX_INCLUDE_DEPTH:
            raise bad_request(
                "Invalid include", f"{path} is nested deeper than {MAX_INCLUDE_DEPTH} levels.", parameter="include"
            )
        for step in steps:
            rel = current.rels.get(step) if step else None
            if rel is None:
                raise bad_request(
                    "Invalid include",
                    f"{path} is not a valid includable relationship of {resource.type}",
                    parameter="include",
                )
            node = node.setdefault(step, {})
            current = REGISTRY[rel.target]
    return tree


def self_url(resource: Resource, obj, ctx: Context) -> str:
    return f"{ctx.root}/{resource.path}/{resource.id_of(obj)}"


def linkage(rel: Rel, value) -> dict | list | None:
    target = REGISTRY[rel.target]
    if rel.to_many:
        return [{"type": target.type, "id": target.id_of(v)} for v in value or []]
    return None if value is None else {"type": target.type, "id": target.id_of(value)}


class AttributeReader:
    """Reads the attributes of one resource type (optionally a sparse fieldset) from model objects.

    Built once per (resource, fieldset): the plain column attributes are read in one `attrgetter`
    call and encoded by position; only attributes with their own getter run per value.
    """

    def __init__(self, attrs: list):
        self.names = tuple(a.name for a in attrs)
        plain = [(i, a) for i, a in enumerate(attrs) if a.getter is None]
        self.plain_positions = tuple(i for i, _ in plain)
        self.plain_encoders = tuple(a._encode for _, a in plain)
        fields = [a.attribute for _, a in plain]
        read = attrgetter(*fields) if fields else (lambda obj: ())
        self.read = read if len(fields) != 1 else (lambda obj: (read(obj),))
        self.computed = tuple((i, a) for i, a in enumerate(attrs) if a.getter is not None)

    def __call__(self, obj, ctx) -> dict:
        values = [None] * len(self.names)
        for position, encode, raw in zip(self.plain_positions, self.plain_encoders, self.read(obj)):
            values[position] = raw if encode is None or raw is None else encode(raw)
        for position, attr in self.computed:
            values[position] = attr.value(obj, ctx)
        return dict(zip(self.names, values))


# Readers and relationship plans are kept per (resource, sparse fieldset). Clients choose the fieldsets, and
# the subsets of a resource's ~40 fields are countless: past KEPT_PLANS of them a cache starts again.
KEPT_PLANS = 512
_READERS: dict[tuple, AttributeReader] = {}


def _kept_plan(plans: dict, key: tuple, build):
    plan = plans.get(key)
    if plan is None:
        if len(plans) >= KEPT_PLANS:
            plans.clear()
        plan = plans[key] = build()
    return plan


def attribute_reader(resource: Resource, wanted: set | None) -> AttributeReader:
    key = (resource.key, frozenset(wanted) if wanted is not None else None)
    return _kept_plan(
        _READERS, key, lambda: AttributeReader([a for a in resource.attrs if wanted is None or a.name in wanted])
    )


_RELATIONSHIPS: dict[tuple, tuple] = {}


def relationship_plan(resource: Resource, wanted: set | None) -> tuple:
    """(name, rel, the linkage's fk attribute or None, target type) of each relationship a resource
    object shows, in declaration order; built once per (resource, fieldset), not per object."""
    shown = None if wanted is None else frozenset(name for name in resource.rels if name in wanted)
    return _kept_plan(
        _RELATIONSHIPS,
        (resource.key, shown),
        lambda: tuple(
            (name, rel, rel.fk if rel.always_linkage else None, REGISTRY[rel.target].type)
            for name, rel in resource.rels.items()
            if shown is None or name in shown
        ),
    )


def resource_object(resource: Resource, obj, ctx: Context, loaded: dict | None = None) -> dict:
    """One resource object; `loaded` maps relationship names to related objects (linkage shown for them)."""
    url = self_url(resource, obj, ctx)
    wanted = ctx.fields.get(resource.type)
    item = {
        "id": resource.id_of(obj),
        "type": resource.type,
        "links": {"self": url},
        "attributes": attribute_reader(resource, wanted)(obj, ctx),
    }
    if resource.meta is not None and (meta := resource.meta(obj, ctx)):
        item["meta"] = meta
    if resource.rels:
        relationships = {}
        for name, rel, fk, target_type in relationship_plan(resource, wanted):
            entry = {"links": {"self": f"{url}/relationships/{name}", "related": f"{url}/{name}"}}
            if loaded is not None and name in loaded:
                entry["data"] = linkage(rel, loaded[name])
            elif fk is not None:
                value = getattr(obj, fk)
                entry["data"] = None if value is None else {"type": target_type, "id": str(value)}
            relationships[name] = entry
        item["relationships"] = relationships
    return item


def prepare(resource: Resource, objs: list, ctx: Context) -> None:
    if resource.prepare is not None and objs:
        resource.prepare(objs, ctx)


def compound(resource: Resource, primaries: list, tree: dict, ctx: Context) -> tuple[list, list]:
    """(primary resource objects, included resource objects without duplicates) for an include tree."""
    if not tree:  # nothing included: no linkage to load, no duplicates to keep out
        prepare(resource, primaries, ctx)
        return [resource_object(resource, o, ctx) for o in primaries], []
    loaded: dict[tuple, dict] = {}  # (type, id) -> {rel name: related}
    included: dict[tuple, tuple] = {}  # (type, id) -> (resource, obj)
    primary_keys = {(resource.type, resource.id_of(o)) for o in primaries}

    def walk(current: Resource, objs: list, subtree: dict) -> None:
        for name, children_tree in subtree.items():
            rel = current.rels[name]
            target = REGISTRY[rel.target]
            mapping = load_relationship(rel, objs, ctx)
            children: dict[str, object] = {}
            for obj in objs:
                value = mapping.get(obj.id)
                loaded.setdefault((current.type, current.id_of(obj)), {})[name] = value
                for child in (value or []) if rel.to_many else ([value] if value is not None else []):
                    children.setdefault(target.id_of(child), child)
            fresh = []
            for child_id, child in children.items():
                key = (target.type, child_id)
                if key not in primary_keys and key not in included:
                    included[key] = (target, child)
                    fresh.append(child)
            prepare(target, fresh, ctx)
            walk(target, list(children.values()), children_tree)

    prepare(resource, primaries, ctx)
    walk(resource, primaries, tree)
    data = [resource_object(resource, o, ctx, loaded.get((resource.type, resource.id_of(o)))) for o in primaries]
    extra = [resource_object(res, o, ctx, loaded.get(key)) for key, (res, o) in included.items()]
    return data, extra
