"""Reading backend API v1 input: query flags, dates, pagination and JSON bodies (wrong values are ApiErrors)."""
from __future__ import annotations

import datetime as dt
import json
import re

from flask import request

from portal.api.backend_v1.errors import ApiError
from portal.api.backend_v1.serializers import DATE_FIELDS, EDITABLE_API_FIELDS
from portal.billing.dates import BadDate, parse_moment
from portal.billing.invoice_search import InvoiceFilters
from portal.models import Invoice

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000
TRUE = {"", "1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def flag(name: str) -> bool:
    """A flag is on when present (`?unsent`, `?unsent=1|true|yes|on`), off for 0/false/no/off or absent."""
    if name not in request.args:
        return False
    value = request.args[name].strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ApiError(400001, f"{name} - must be a flag (1, true, 0 or false)")


def parse_day(value, name: str, code: int = 400001) -> dt.date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise ApiError(code, f"{name} - must be a date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(code, f"{name} - is not a valid date") from None


def query_day(name: str) -> dt.date | None:
    value = request.args.get(name)
    return None if value is None else parse_day(value, name)


def query_int(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not re.fullmatch(r"\d{1,9}", value.strip()):
        raise ApiError(400001, f"{name} - must be a whole number from {low} to {high}")
    number = int(value)
    if not low <= number <= high:
        raise ApiError(400001, f"{name} - must be a whole number from {low} to {high}")
    return number


def list_filters() -> InvoiceFilters:
    created_since = request.args.get("createdSince")
    if created_since is not None:
        try:
            created_since = parse_moment(created_since, "UTC")
        except BadDate:
            raise ApiError(400001, "createdSince - must be an ISO 8601 date or date-time") from None
    return InvoiceFilters(
        invoice_number=request.args.get("invoiceNumber"),
        unsent=flag("unsent"),
        include_unsent=flag("includeUnsent"),
        undelivered=flag("undelivered"),
        min_date=query_day("minDate"),
        max_date=query_day("maxDate"),
        min_due_date=query_day("minDueDate"),
        max_due_date=query_day("maxDueDate"),
        created_since=created_since,
    )


def pagination() -> tuple[int, int]:
    return (query_int("page", 1, 1, MAX_PAGE), query_int("perPage", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE))


def json_body() -> dict:
    """The JSON object sent, {} when there is no body; anything else is a 400002."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400002, "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400002, "The request body must be a JSON object")
    return body


def editable_changes(body: dict, *, ignore: tuple[str, ...] = ()) -> dict:
    """Invoice column changes from the editable API fields in `body`; other fields are a 400003."""
    changes = {}
    for name, value in body.items():
        if name in ignore:
            continue
        column = EDITABLE_API_FIELDS.get(name)
        if column is None:
            raise ApiError(400003, f"{name} - is not an editable field")
        changes[column] = _field_value(name, column, value)
    return changes


def _field_value(name: str, column: str, value):
    col = Invoice.__table__.c[column]
    if value is None:
        if not col.nullable:
            raise ApiError(400003, f"{name} - can't be blank")
        return None
    if name in DATE_FIELDS:
        return parse_day(value, name, 400003)
    if not isinstance(value, str):
        raise ApiError(400003, f"{name} - must be a string")
    value = value.strip()
    if not value and not col.nullable:
        raise ApiError(400003, f"{name} - can't be blank")
    limit = getattr(col.type, "length", None)
    if limit and len(value) > limit:
        raise ApiError(400003, f"{name} - is too long (at most {limit} characters)")
    return value or None
