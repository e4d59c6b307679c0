"""OpenAPI 3.1 description of the orgs API v2 (PATHS and COMPONENTS, merged by portal.api.openapi)."""

from __future__ import annotations

from portal.api.orgs_v2.routes import STATUSES
from portal.models.account import DELIVERY_MODES

TAG = "Orgs API v2"
SECURITY = [{"OrgsBearer": []}, {"OrgsApiKeyHeader": []}]
MOMENT = {"type": "string", "format": "date-time", "description": "UTC, e.g. 2017-09-15T22:00:00Z"}
MOMENT_OR_NULL = {"type": ["string", "null"], "format": "date-time"}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrgsErrorMessage"}}},
    }


PATHS = {
    "/v2/orgs/{orgId}/accounts/{accountId}/invoices": {
        "get": {
            "tags": [TAG],
            "operationId": "orgsAccountInvoices",
            "security": SECURITY,
            "summary": "Invoices of an account dated inside a window",
            "description": "Raised invoices whose invoice date lies in [start_date, end_date]. Defaults: "
            "end_date today in the account's zone, start_date twelve months earlier; "
            "period_date echoes the window applied. At most five years.",
            "parameters": [
                {
                    "name": "orgId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "Organization slug",
                },
                {
                    "name": "accountId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "format": "int64"},
                    "description": "Account id",
                },
                {
                    "name": "start_date",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "format": "date"},
                    "description": "yyyy-mm-dd, 1900-01-01 to 2999-12-31",
                },
                {
                    "name": "end_date",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "format": "date"},
                    "description": "yyyy-mm-dd, 1900-01-01 to 2999-12-31",
                },
            ],
            "responses": {
                "200": {
                    "description": "successful operation",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrgsInvoiceInfoList"}}},
                },
                "400": _error("Bad or out-of-range date, inverted or too long window"),
                "401": _error("Missing, unknown or revoked API key"),
                "403": _error("The key lacks the read scope"),
                "404": _error("Unknown organization or account, or not visible to this key"),
                "405": _error("Method not allowed"),
            },
        },
    },
    "/v2/orgs/{orgId}/accounts/{accountId}/invoices/{invoiceId}.pdf": {
        "get": {
            "tags": [TAG],
            "operationId": "orgsAccountInvoicePdf",
            "security": SECURITY,
            "summary": "The stored PDF of one invoice of the list (its `path`)",
            "description": "Fetched with the same API key as the list. Nothing is rendered here: an invoice "
            "whose PDF is not stored yet answers 404 (its `path` in the list is null).",
            "parameters": [
                {
                    "name": "orgId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "Organization slug",
                },
                {
                    "name": "accountId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "format": "int64"},
                    "description": "Account id",
                },
                {
                    "name": "invoiceId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "format": "uuid"},
                    "description": "Invoice UUID",
                },
            ],
            "responses": {
                "200": {
                    "description": "the PDF, as an attachment named after the invoice number",
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                },
                "401": _error("Missing, unknown or revoked API key"),
                "403": _error("The key lacks the read scope"),
                "404": _error(
                    "Unknown organization, account or invoice, not visible to this key, or no PDF stored yet"
                ),
                "405": _error("Method not allowed"),
            },
        },
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
