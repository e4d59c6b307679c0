"""Reading backend API v1 input: list flags, dates and JSON bodies (wrong values are ApiErrors)."""

from __future__ import annotations

import datetime as dt
import re

from flask import request

from portal.api.backend_v1.errors import ApiError
from portal.api.backend_v1.serializers import DATE_FIELDS, EDITABLE_API_FIELDS
from portal.api.json_body import BadJsonBody, load_json_object
from portal.customers.accounts import bill_style_names
from portal.customers.customers import PAYMENT_METHODS
from portal.delivery.templates_service import usage_report_profile_names
from portal.foundations.dates import DAY_RANGE_MESSAGE, in_day_range
from portal.models import Invoice

# Fields the API documents as "Preset Value": names from a list the services keep, the same lists the
# admin forms offer (bill styles: built-in and stored; payment methods: the customer's; usage report
# profiles: stored). `invoiceMessage` stays free text: no list of invoice messages exists to pick from.
PRESET_FIELDS = {
    "billStyle": bill_style_names,
    "onlineBillType": bill_style_names,
    "emailBillType": bill_style_names,
    "postBillType": bill_style_names,
    "faxBillType": bill_style_names,
    "paymentMethod": lambda: list(PAYMENT_METHODS),
    "invoiceUsageReportCustomerProfile": usage_report_profile_names,
}
# The documented flags: present without a value (`?unsent`) means on.
FLAGS = ("unsent", "includeUnsent", "undelivered")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def list_args() -> dict:
    """The list query as the shared invoice search reads it (portal.reading.invoice_search)."""
    args = {name: request.args.get(name) for name in request.args}
    for name in FLAGS:
        if name in args and not args[name].strip():
            args[name] = "true"
    return args


def parse_day(value, name: str, code: int = 400001) -> dt.date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise ApiError(code, f"{name} - must be a date YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(code, f"{name} - is not a valid date") from None
    if not in_day_range(day):
        raise ApiError(code, f"{name} - {DAY_RANGE_MESSAGE}")
    return day


def json_body() -> dict:
    """The JSON object sent, {} when there is no body (portal.api.json_body, the rules every API
    shares); anything else is a 400002 saying what is wrong."""
    try:
        return load_json_object(request.get_data(cache=True))
    except BadJsonBody as exc:
        raise ApiError(400002, exc.reason) from None


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
    if value and name in PRESET_FIELDS:
        accepted = PRESET_FIELDS[name]()
        if value not in accepted:
            raise ApiError(
                400003,
                f"{name} - {value!r} is not one of the accepted values: "
                + (", ".join(accepted) or "none are defined yet"),
            )
    return value or None
