"""Backend API v1 errors: `{"error", "error_code", "hint"}` bodies and the table of error codes."""

from __future__ import annotations

from flask import jsonify

from portal.foundations.errors import ErrorCode, ServiceError

# code: (HTTP status, error title, hint). docs/apis.md "APIs: backend v1" lists the same table.
CODES: dict[int, tuple[int, str, str]] = {
    400001: (400, "Invalid Parameter", "A query parameter has a wrong value; see the hint for which one"),
    400002: (400, "Invalid Body", "The request body must be a JSON object"),
    400003: (400, "Validation Failed", "A field of the request has a wrong value; see the hint for which one"),
    400004: (400, "Field Frozen", "The invoice is approved; this field can no longer be changed"),
    400005: (400, "Invalid State", "The invoice is not in a state that allows this"),
    400501: (400, "Invalid Action", "The action was not recognised"),
    400502: (400, "Action Failed", "The action was not performed"),
    400503: (400, "Missing Parameters", "A required parameter is missing"),
    400504: (400, "Invalid Parameter", "An action parameter has a value outside the accepted ones"),
    400701: (400, "Recreate Failed", "The invoice documents could not be recreated"),
    400702: (400, "Invalid Email", "An e-mail address is invalid"),
    400703: (400, "Unknown Bill Style", "No bill style has this name"),
    400704: (400, "Unknown Message Template", "No message template has this name"),
    400705: (400, "Unknown Attachment", "No attachment has this name"),
    400706: (400, "Unknown Usage Report Profile", "No usage report profile has this name"),
    400707: (400, "No CDRs", "No CDRs available for this invoice"),
    401001: (401, "Unauthorized", "Send the API key as 'Authorization: Bearer <key>'"),
    401002: (401, "Unauthorized", "The API key is unknown, malformed or revoked"),
    403001: (403, "Permission Denied", "The API key lacks the scope this request needs"),
    403002: (403, "Permission Denied", "The API key's level is too low for this operation"),
    403003: (403, "Permission Denied", "A customer API key may not perform this operation"),
    404001: (404, "Not Found", "No such resource, or not visible to this API key"),
    404002: (404, "Not Found", "No PDF is stored for this invoice"),
    404003: (404, "Not Found", "No e-invoice (UBL XML) can be made of this invoice; see the hint for why"),
    405001: (405, "Method Not Allowed", "This path does not accept this method"),
    409001: (409, "Conflict", "A concurrent change won; retry the request"),
    410001: (410, "Gone", "The resource can no longer be used"),
    415001: (415, "Unsupported Media Type", "Send the body as JSON"),
    500001: (500, "Internal Server Error", "Something went wrong on our side; it has been logged"),
    500601: (500, "Email Failed", "Email sending failed; the attempt was recorded and can be retried"),
    500602: (500, "Email Failed", "CDR email sending failed; the attempt was recorded and can be retried"),
    500701: (500, "Download Link Failed", "Download link generation failed"),
    503001: (503, "Service Unavailable", "The database is busy or unreachable; retry the request"),
}


class ApiError(Exception):
    """An error answered with one of the documented codes; `detail` replaces the default hint."""

    def __init__(self, code: int, detail: str | None = None):
        super().__init__(detail or CODES[code][2])
        self.code = code
        self.detail = detail


def error_response(code: int, detail: str | None = None):
    status, title, hint = CODES[code]
    response = jsonify(error=title, error_code=code, hint=detail or hint)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="backend-api-v1"'
    return response


def status_error_response(status: int, title: str, detail: str):
    """App-level errors (unknown path, method, 500) under /backend/api/v1 in this API's format."""
    code = {404: 404001, 405: 405001, 409: 409001, 415: 415001}.get(status)
    if code is not None:
        return error_response(code, detail or None)
    if status >= 500:
        return error_response(500001)
    response = jsonify(error=title, error_code=status * 1000 + 1, hint=detail or title)
    response.status_code = status
    return response


# Domain error code -> documented code, for every error outside the actions' own codes.
SERVICE_CODES: dict[ErrorCode, int] = {
    ErrorCode.MISSING_PARAMETER: 400503,
    ErrorCode.FROZEN: 400004,
    ErrorCode.INVALID_STATE: 400005,
    ErrorCode.NO_CDRS: 400005,
    ErrorCode.NOT_FOUND: 404001,
    ErrorCode.CONFLICT: 409001,
    ErrorCode.GONE: 410001,
    ErrorCode.DELIVERY_FAILED: 500601,
}


def service_error_code(exc: ServiceError, actor_kind: str) -> int:
    """The documented code of a domain error, from its code (never its message)."""
    if exc.code == ErrorCode.PERMISSION_DENIED:
        return 403003 if actor_kind == "customer" else 403002
    return SERVICE_CODES.get(exc.code, 400003)
