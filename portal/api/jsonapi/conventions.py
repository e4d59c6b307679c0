"""JSON:API conventions shared by the admin and customer APIs: media type, errors, value encoding, headers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation

import orjson
from flask import Response, request

from portal.api.json_body import BadJsonBody, load_json_object

MEDIA_TYPE = "application/vnd.api+json"
CACHE_CONTROL = "max-age=0, private, must-revalidate"
# Media types a form or a simple cross-site request cannot send: the auth endpoints accept these two.
JSON_TYPES = (MEDIA_TYPE, "application/json")


class JsonApiError(Exception):
    """An error answered as a JSON:API `errors` document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        code: str | None = None,
        pointer: str | None = None,
        parameter: str | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail or title)
        self.status = status
        self.errors = [error_object(status, title, detail or title, code=code, pointer=pointer, parameter=parameter)]
        self.headers = headers or {}

    @classmethod
    def many(cls, status: int, errors: list[dict]) -> JsonApiError:
        exc = cls(status, "error")
        exc.errors = errors
        return exc


class EmptyUnauthorized(Exception):
    """A 401 with an empty body (the admin API's answer to any authorization failure)."""


def error_object(
    status: int,
    title: str,
    detail: str,
    *,
    code: str | None = None,
    pointer: str | None = None,
    parameter: str | None = None,
) -> dict:
    error = {"title": title, "detail": detail, "code": str(code or status), "status": str(status)}
    if pointer is not None:
        error["source"] = {"pointer": pointer}
    elif parameter is not None:
        error["source"] = {"parameter": parameter}
    return error


def bad_request(title: str, detail: str, *, parameter: str | None = None, pointer: str | None = None) -> JsonApiError:
    return JsonApiError(400, title, detail, parameter=parameter, pointer=pointer)


# -- values -------------------------------------------------------------------------------------


def decimal_str(value) -> str | None:
    """A decimal as JSON:API clients expect it: exact, normalized, at least one decimal place, no exponent."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number:  # zero (also -0)
        return "0.0"
    text = format(number.normalize(), "f")
    return text if "." in text else text + ".0"


_UTC = dt.timezone.utc


def timestamp_str(value: dt.datetime | dt.date | None) -> str | None:
    """`2026-05-09T00:00:00.000Z`: UTC with real milliseconds, or None."""
    if value is None:
        return None
    # What the database gives (portal.foundations.database.UTCDateTime) needs no conversion.
    if type(value) is dt.datetime and value.tzinfo is _UTC:
        return value.isoformat(timespec="milliseconds")[:-6] + "Z"
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=dt.timezone.utc)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    elif value.utcoffset():
        value = value.astimezone(dt.timezone.utc)
    # isoformat truncates to milliseconds: "2026-05-09T00:00:00.000+00:00" -> "…00.000Z"
    return value.isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_decimal(text: str) -> Decimal:
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise ValueError(text) from None
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise ValueError(text)
    return number


# -- media type rules -------------------------------------------------------------------------


def _params(value: str) -> tuple[str, dict]:
    parts = [p.strip() for p in value.split(";")]
    params = {}
    for part in parts[1:]:
        if "=" in part:
            key, _, val = part.partition("=")
            params[key.strip().lower()] = val.strip()
    return parts[0].lower(), params


def check_content_type(*, accepted=(MEDIA_TYPE,)) -> None:
    """415 for a request body in another media type (or with media type parameters, per JSON:API)."""
    if not request.content_length and not request.data:
        return
    raw = request.headers.get("Content-Type", "")
    mimetype, params = _params(raw)
    if mimetype not in accepted or (mimetype == MEDIA_TYPE and params):
        raise JsonApiError(
            415,
            "Unsupported media type",
            f"All requests that create or update must use the '{MEDIA_TYPE}' Content-Type. "
            f"This request specified '{raw or 'nothing'}'.",
            code="415",
        )


def check_accept() -> None:
    """406 when the Accept header rules out application/vnd.api+json (missing Accept and */* are fine)."""
    header = request.headers.get("Accept")
    if not header or not header.strip():
        return
    for value, quality in request.accept_mimetypes:
        if quality <= 0:
            continue
        mimetype, params = _params(value)
        if mimetype in ("*/*", "application/*") or (mimetype == MEDIA_TYPE and not params):
            return
    raise JsonApiError(
        406,
        "Not acceptable",
        f"All requests must use the '{MEDIA_TYPE}' Accept without media type parameters. "
        f"This request specified '{header}'.",
        code="406",
    )


# -- responses --------------------------------------------------------------------------------


def jsonapi_response(document: dict | None, status: int = 200, *, headers: dict | None = None) -> Response:
    """Serialize a document with the JSON:API headers, a weak ETag and conditional GET (304)."""
    if document is None:
        response = empty_response(status)
    else:
        body = orjson.dumps(document)
        response = Response(body, status=status, content_type=MEDIA_TYPE)
        etag = weak_etag(body)
        response.headers["ETag"] = etag
        if status == 200 and request.method in ("GET", "HEAD") and _etag_matches(etag):
            response = Response(status=304)
            response.headers["ETag"] = etag
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = CACHE_CONTROL
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def weak_etag(body: bytes) -> str:
    """`W/"<first 32 hex digits of SHA-256>"`: the documented responses' ETags are computed this way."""
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _etag_matches(etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    wanted = etag[2:] if etag.startswith("W/") else etag
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        if (candidate[2:] if candidate.startswith("W/") else candidate) == wanted:
            return True
    return False


def empty_response(status: int, headers: dict | None = None) -> Response:
    """A response without a body, and so without a Content-Type."""
    response = Response(status=status, headers=headers)
    response.headers.pop("Content-Type", None)
    return response


def errors_response(status: int, errors: list[dict], headers: dict | None = None) -> Response:
    response = Response(json.dumps({"errors": errors}, separators=(",", ":")), status=status, content_type=MEDIA_TYPE)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def read_json_body() -> dict:
    """The request body as a JSON object (portal.api.json_body, the rules every API shares), or a 400
    JSON:API error saying what is wrong with it. An empty body is not an object here."""
    raw = request.get_data(cache=True)
    if not raw or not raw.strip():
        raise bad_request("Bad request", "The request body is not valid JSON.")
    try:
        return load_json_object(raw)
    except BadJsonBody as exc:
        raise bad_request("Bad request", exc.reason) from None
