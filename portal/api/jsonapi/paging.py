"""Sorting (`sort=a,-b`) and page-number pagination (`page[number]`, `page[size]`) with links and total count."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request

from portal.api.jsonapi.conventions import bad_request
from portal.api.jsonapi.resources import Resource
from portal.extensions import db
from portal.reading.exact_count import page_total

PAGE_VALUE = re.compile(r"^[1-9][0-9]{0,8}$")
DEFAULT_SIZE = 50
MAX_SIZE = 1000


def sort_keys(resource: Resource, args) -> list[tuple[str, Any, bool]]:
    """(name, column, descending) for each key of `sort`, the resource's default otherwise; a 400 for
    a name the resource does not sort by."""
    raw = args.get("sort")
    names = raw.split(",") if raw is not None else list(resource.default_sort)
    sorts = resource.sorts()
    keys = []
    for name in names:
        key = name.lstrip("-").replace("-", "_")
        column = sorts.get(key)
        if column is None or not key:
            raise bad_request(
                "Invalid sort criteria", f"{name} is not a valid sort criteria for {resource.type}", parameter="sort"
            )
        keys.append((key, column, name.startswith("-")))
    return keys


def order_by(resource: Resource, args) -> list:
    """ORDER BY clauses for `sort`, the resource's default otherwise; id breaks ties (unless sorted by already)."""
    keys = sort_keys(resource, args)
    clauses = [column.desc() if descending else column.asc() for _, column, descending in keys]
    if not any(key == "id" for key, _, _ in keys):  # the order is total once it reaches the id
        clauses.append(resource.model.id.asc())
    return clauses


def page_params(args) -> tuple[int, int]:
    def read(key: str, default: int, maximum: int | None) -> int:
        raw = args.get(f"page[{key}]")
        if raw is None:
            return default
        if not PAGE_VALUE.match(raw) or (maximum and int(raw) > maximum):
            limit = f" between 1 and {maximum}" if maximum else " a positive integer"
            raise bad_request(
                "Invalid page value",
                f"{raw} is not a valid value for page[{key}]: it must be{limit}.",
                parameter=f"page[{key}]",
            )
        return int(raw)

    for key in args:
        if key.startswith("page[") and key not in ("page[number]", "page[size]"):
            raise bad_request("Invalid page value", f"{key} is not a supported paging parameter.", parameter=key)
    return read("number", 1, None), read("size", DEFAULT_SIZE, MAX_SIZE)


@dataclass(frozen=True)
class PageQuery:
    """What one page of a list reads: its statement (limited and offset) and the statement to count
    when the total is needed."""

    number: int
    size: int
    rows: Any
    counted: Any


def page_query(stmt, args, *, counted=None) -> PageQuery:
    """The page `args` ask for (`page[number]`, `page[size]`) of a filtered, ordered statement.
    `counted`: the statement to count instead, when a simpler one has the same rows (default: `stmt`)."""
    number, size = page_params(args)
    return PageQuery(
        number,
        size,
        stmt.limit(size).offset((number - 1) * size),
        stmt if counted is None else counted,
    )


def paged(query: PageQuery, args, *, objects: bool = True) -> tuple[list, dict, dict]:
    """(rows of the page, top-level links, meta): the rows are ORM objects, or with `objects=False`
    tuples of the columns the statement selects.

    The total is exact (the seed system's contract). A page that ends short of its size tells it
    without counting; otherwise the count is taken, or reused while the tables it reads are unchanged
    (portal/reading/exact_count.py)."""
    number, size = query.number, query.size
    offset = (number - 1) * size
    if objects:
        rows = list(db.session.scalars(query.rows).unique())
    else:  # the statement's columns, without the ORM layer (it sees what the session has flushed)
        rows = [tuple(row) for row in db.session.connection().execute(query.rows)]
    total = page_total(query.counted, offset=offset, shown=len(rows), last=len(rows) < size)
    links, meta = page_links(args, number, size, total)
    return rows, links, meta


def page_links(args, number: int, size: int, total: int) -> tuple[dict, dict]:
    """(top-level links, meta) of page `number` of a list of `total` rows."""
    last = max(1, math.ceil(total / size))
    base = _page_base(args)
    links = {"first": _page_url(base, 1, size)}
    if number > 1:
        links["prev"] = _page_url(base, min(number - 1, last), size)
    if number < last:
        links["next"] = _page_url(base, number + 1, size)
    links["last"] = _page_url(base, last, size)
    return links, {"total-count": total}


def _page_base(args) -> str:
    """The request's URL with its query string minus the paging parameters (which each link appends)."""
    params = [(k, v) for k, v in args.items(multi=True) if not k.startswith("page[")]
    return request.base_url + "?" + urlencode(params) + ("&" if params else "")


def _page_url(base: str, number: int, size: int) -> str:
    return f"{base}page%5Bnumber%5D={number}&page%5Bsize%5D={size}"
