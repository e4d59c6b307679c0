"""OpenAPI 3.1 description of the orgs API v2 (PATHS and COMPONENTS, merged by portal.api.openapi)."""

from __future__ import annotations

from portal.api.openapi_build import PDF, operation, parameter, ref, response
from portal.api.orgs_v2.routes import STATUSES
from portal.models.account import DELIVERY_MODES

TAG = "Orgs API v2"
SECURITY = [{"OrgsBearer": []}, {"OrgsApiKeyHeader": []}]
MOMENT = {"type": "string", "format": "date-time", "description": "UTC, e.g. 2017-09-15T22:00:00Z"}
MOMENT_OR_NULL = {"type": ["string", "null"], "format": "date-time"}


ERROR = ref("OrgsErrorMessage")
ORG_PARAM = parameter("orgId", "path", {"type": "string"}, "Organization slug")
ACCOUNT_PARAM = parameter("accountId", "path", {"type": "integer", "format": "int64"}, "Account id")
DENIED = {
    "401": response("Missing, unknown or revoked API key", ERROR),
    "403": response("The key lacks the read scope", ERROR),
}
NOT_ALLOWED = {"405": response("Method not allowed", ERROR)}


def _date_param(name: str) -> dict:
    return parameter(
        name, "query", {"type": "string", "format": "date"}, "yyyy-mm-dd, 1900-01-01 to 2999-12-31", required=False
    )


PATHS = {
    "/v2/orgs/{orgId}/accounts/{accountId}/invoices": {
        "get": operation(
            TAG,
            "orgsAccountInvoices",
            "Invoices of an account dated inside a window",
            SECURITY,
            {
                "200": response("successful operation", ref("OrgsInvoiceInfoList")),
                "400": response("Bad or out-of-range date, inverted or too long window", ERROR),
                **DENIED,
                "404": response("Unknown organization or account, or not visible to this key", ERROR),
                **NOT_ALLOWED,
            },
            description="Raised invoices whose invoice date lies in [start_date, end_date]. Defaults: "
            "end_date today in the account's zone, start_date twelve months earlier; "
            "period_date echoes the window applied. At most five years.",
            parameters=[ORG_PARAM, ACCOUNT_PARAM, _date_param("start_date"), _date_param("end_date")],
        ),
    },
    "/v2/orgs/{orgId}/accounts/{accountId}/invoices/{invoiceId}.pdf": {
        "get": operation(
            TAG,
            "orgsAccountInvoicePdf",
            "The stored PDF of one invoice of the list (its `path`)",
            SECURITY,
            {
                "200": {"description": "the PDF, as an attachment named after the invoice number", **PDF},
                **DENIED,
                "404": response(
                    "Unknown organization, account or invoice, not visible to this key, or no PDF stored yet", ERROR
                ),
                **NOT_ALLOWED,
            },
            description="Fetched with the same API key as the list. Nothing is rendered here: an invoice "
            "whose PDF is not stored yet answers 404 (its `path` in the list is null).",
            parameters=[
                ORG_PARAM,
                ACCOUNT_PARAM,
                parameter("invoiceId", "path", {"type": "string", "format": "uuid"}, "Invoice UUID"),
            ],
        ),
    },
}

COMPONENTS = {
    "securitySchemes": {
        "OrgsBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "API key"},
        "OrgsApiKeyHeader": {"type": "apiKey", "in": "header", "name": "x-api-key"},
    },
    "schemas": {
        "OrgsErrorMessage": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "integer", "description": "HTTP status"}, "message": {"type": "string"}},
        },
        "OrgsPeriodDate": {
            "type": "object",
            "required": ["start_date", "end_date"],
            "properties": {
                "start_date": {"type": "string", "format": "date"},
                "end_date": {"type": "string", "format": "date"},
            },
        },
        "OrgsInvoiceInfoList": {
            "type": "object",
            "required": ["account_id", "period_date", "invoices"],
            "properties": {
                "account_id": {"type": "integer", "format": "int64"},
                "period_date": {"$ref": "#/components/schemas/OrgsPeriodDate"},
                "invoices": {"type": "array", "items": {"$ref": "#/components/schemas/OrgsInvoiceInfoDetail"}},
            },
        },
        "OrgsInvoiceInfoDetail": {
            "type": "object",
            "required": ["value", "delivery_mode", "date", "pay_date", "number", "path", "status", "cycle"],
            "properties": {
                "value": {"type": "number", "description": "Total including VAT"},
                "delivery_mode": {"type": "string", "enum": list(DELIVERY_MODES)},
                "date": {**MOMENT, "description": "Invoice date (start of that day in the account's zone)"},
                "pay_date": {**MOMENT_OR_NULL, "description": "Due date (start of that day in the account's zone)"},
                "number": {"type": "string"},
                "path": {
                    "type": ["string", "null"],
                    "description": "Path of the invoice's PDF (`/v2/orgs/{orgId}/accounts/{accountId}/"
                    "invoices/{invoiceId}.pdf`), fetched with the same API key; the same "
                    "on every call; null while no PDF is stored yet",
                },
                "status": {
                    "type": "object",
                    "required": ["id", "value"],
                    "properties": {
                        "id": {"type": "integer", "enum": sorted({i for i, _ in STATUSES.values()})},
                        "value": {"type": "string", "enum": sorted({v for _, v in STATUSES.values()})},
                    },
                },
                "cycle": {
                    "type": "object",
                    "required": ["start_date", "end_date"],
                    "properties": {"start_date": MOMENT, "end_date": {**MOMENT, "description": "Exclusive"}},
                },
            },
        },
    },
}
