"""Query parameters `filter[<attribute>_<op>]` (ransack-style) turned into SQL conditions."""

from __future__ import annotations

import re
import uuid as uuid_mod

from sqlalchemy import or_

from portal.api.jsonapi.conventions import bad_request, parse_decimal
from portal.api.jsonapi.resources import OPS, Filter, Resource
from portal.foundations.dates import BadDate, parse_moment
from portal.foundations.ids import ROW_ID_PATTERN, row_id

LIST_OPS = ("in", "not_in", "cont_any")
# Longest first, so that `not_eq` is not read as `eq` and `not_in` not as `in`.
ALL_OPS = sorted({op for ops in OPS.values() for op in ops}, key=len, reverse=True)
_FILTER_PARAM = re.compile(r"^filter\[([A-Za-z0-9_]+)\]$")
# The text forms each kind of filter value takes: the parser below matches them and the OpenAPI
# document (portal.api.jsonapi.openapi) declares them, so what is documented is what is accepted.
_YEAR = "(?!0000)[0-9]{4}"
_LEAP_YEAR = "(?!0000)(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_TIME = "T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,6})?)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?"
VALUE_PATTERNS = {
    "number": "-?[0-9]{1,15}(?:\\.[0-9]{1,6})?",
    # A calendar date (29 February in leap years only), optionally a time of day and an offset.
    "time": f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)(?:{_TIME})?",
    "fk": ROW_ID_PATTERN,
    "uuid": "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
}
NUMBER, MOMENT, UUID = (re.compile(f"^(?:{VALUE_PATTERNS[kind]})$") for kind in ("number", "time", "uuid"))
MAX_TEXT = 500
MAX_VALUES = 1000


def filter_params(args) -> list[tuple[str, list[str]]]:
    """(name, raw values) for every `filter[...]` query parameter; other malformed filter keys are a 400."""
    found = []
    for key in args:
        if not key.startswith("filter"):
            continue
        match = _FILTER_PARAM.match(key)
        if not match:
            raise bad_request("Filter not allowed", f"{key} is not allowed.", parameter=key)
        found.append((match.group(1), args.getlist(key)))
    return found


def split_filter_name(name: str, filters: dict[str, Filter]) -> tuple[str, str, Filter]:
    if name == "id" and "id" in filters:
        return "id", "in", filters["id"]
    for op in ALL_OPS:
        suffix = "_" + op
        if name.endswith(suffix):
            field = name[: -len(suffix)]
            spec = filters.get(field)
            if spec is not None and op in OPS[spec.kind]:
                return field, op, spec
    raise bad_request("Filter not allowed", f"{name} is not allowed.", parameter=f"filter[{name}]")


def _parse_value(spec: Filter, text: str):
    if "\x00" in text:
        raise ValueError(text)
    if spec.parse is not None:
        return spec.parse(text)
    if spec.kind == "number":
        if not NUMBER.match(text):
            raise ValueError(text)
        return parse_decimal(text)
    if spec.kind == "fk":
        # Ids are 32-bit integers: PostgreSQL casts parameters to the column type, so larger values are refused here.
        pk = row_id(text)
        if pk is None:
            raise ValueError(text)
        return pk
    if spec.kind == "time":
        if not MOMENT.match(text):
            raise ValueError(text)
        try:  # refuses only an instant before year 1 or after 9999 in UTC (an offset at the calendar's ends)
            return parse_moment(text, "UTC")
        except BadDate:
            raise ValueError(text) from None
    if spec.kind == "enum":
        if text not in spec.values:
            raise ValueError(text)
        return text
    if spec.kind == "boolean":
        if text not in ("true", "false"):
            raise ValueError(text)
        return text == "true"
    if spec.kind == "uuid":
        if not UUID.match(text):
            raise ValueError(text)
        return uuid_mod.UUID(text)
    if len(text) > MAX_TEXT:
        raise ValueError(text)
    return text


def _condition(column, op: str, values: list):
    value = values[0]
    if op == "eq":
        return column == value
    if op == "not_eq":
        return column != value
    if op == "gt":
        return column > value
    if op == "gteq":
        return column >= value
    if op == "lt":
        return column < value
    if op == "lteq":
        return column <= value
    if op == "in":
        return column.in_(values)
    if op == "not_in":
        return column.not_in(values)
    if op == "cont":
        return column.icontains(value, autoescape=True)
    if op == "start":
        return column.istartswith(value, autoescape=True)
    if op == "end":
        return column.iendswith(value, autoescape=True)
    if op == "cont_any":
        return or_(*(column.icontains(v, autoescape=True) for v in values))
    raise AssertionError(op)


def filter_conditions(resource: Resource, args) -> list:
    """SQL conditions for the request's filters, or a 400 (`Filter not allowed`, `Invalid filter value`)."""
    filters = resource.filters()
    filters.setdefault("id", Filter("uuid" if resource.id_attr == "uuid" else "fk", resource.id_column()))
    conditions = []
    for name, raw_values in filter_params(args):
        field, op, spec = split_filter_name(name, filters)
        param = f"filter[{name}]"
        if len(raw_values) != 1:
            raise bad_request("Invalid filter value", f"{name} takes one value.", parameter=param)
        raw = raw_values[0]
        texts = raw.split(",") if op in LIST_OPS or field == "id" else [raw]
        if op not in LIST_OPS and field != "id" and spec.kind != "string" and "," in raw:
            raise bad_request("Invalid filter value", f"{raw} is not a valid value for {name}.", parameter=param)
        if not raw.strip() or len(texts) > MAX_VALUES or "\x00" in raw:
            raise bad_request("Invalid filter value", f"{raw} is not a valid value for {name}.", parameter=param)
        try:
            values = [_parse_value(spec, text) for text in texts]
        except (ValueError, TypeError):
            raise bad_request(
                "Invalid filter value", f"{raw} is not a valid value for {name}.", parameter=param
            ) from None
        conditions.append(_condition(spec.column, op, values))
    return conditions
