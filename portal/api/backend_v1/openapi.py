"""OpenAPI 3.1 description of the backend API v1 (PATHS and COMPONENTS, merged by portal.api.openapi)."""

from __future__ import annotations

from portal.api.backend_v1.actions import ACTIONS
from portal.api.backend_v1.errors import CODES
from portal.api.backend_v1.serializers import AMOUNT_FIELDS, BILL_TYPE_FIELDS, CHARGE_FIELDS, STATUS_FLAGS
from portal.customers.customers import PAYMENT_METHODS
from portal.delivery.links import LINK_EXPIRY_HOURS, LINK_MAX_USES
from portal.foundations.ids import MAX_ROW_ID
from portal.models import TYPES, InvoiceState
from portal.reading.invoice_search import DEFAULT_PER_PAGE, MAX_PER_PAGE, SORTS

P = "/backend/api/v1"
TAG = "Backend API v1"
SECURITY = [{"BackendApiKey": []}]
REF_INVOICE = {"$ref": "#/components/schemas/BackendInvoice"}
STRING_OR_NULL = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
MONEY = {"$ref": "#/components/schemas/BackendMoney"}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BackendError"}}},
    }


def _errors(*statuses: int) -> dict:
    text = {
        400: "Bad request (400001-400707)",
        401: "Missing, unknown or revoked API key (401001, 401002)",
        403: "Missing scope, level too low or customer key (403001-403003)",
        404: "Not found or not visible to this key (404001, 404002, 404003)",
        500: "Server failure (500001, 500601, 500602, 500701)",
    }
    return {str(s): _error(text[s]) for s in statuses}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ID_PARAM = {
    "name": "invoice_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ROW_ID},
    "description": "Invoice id",
}
CUSTOMER_PARAM = {
    "name": "customer_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ROW_ID},
    "description": "Customer id",
}


def _flag(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", "enum": ["", "1", "true", "yes", "on", "0", "false", "no", "off"]},
    }


def _date_param(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": DATE}


LIST_PARAMS = [
    {
        "name": "invoiceNumber",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "Exact invoice number: a list with that invoice, or an empty list",
    },
    _flag("unsent", "Only invoices not raised yet (wins over includeUnsent)"),
    _flag("includeUnsent", "Raised and unsent invoices"),
    _flag("undelivered", "Only invoices not emailed, downloaded, printed or marked delivered"),
    _date_param("minDate", "Invoice date on or after"),
    _date_param("maxDate", "Invoice date on or before"),
    _date_param("minDueDate", "Due date on or after"),
    _date_param("maxDueDate", "Due date on or before"),
    {
        "name": "createdSince",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "date-time"},
        "description": "Created in the platform at or after this ISO 8601 date-time (a date means 00:00 UTC)",
    },
    {
        "name": "customer",
        "in": "query",
        "required": False,
        "schema": {"type": "integer"},
        "description": "Only this customer's invoices",
    },
    {
        "name": "account",
        "in": "query",
        "required": False,
        "schema": {"type": "integer"},
        "description": "Only this account's invoices",
    },
    {
        "name": "state",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": [s.value for s in InvoiceState]},
        "description": "Only invoices in this state (wins over the unsent flags)",
    },
    {"name": "type", "in": "query", "required": False, "schema": {"type": "string", "enum": list(TYPES)}},
    {
        "name": "minAmount",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "Total (running amount before approval) at least",
    },
    {
        "name": "maxAmount",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "Total (running amount before approval) at most",
    },
    {
        "name": "sort",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": [p + k for k in SORTS for p in ("", "-")], "default": "-id"},
        "description": "Sort key; a leading - sorts descending (default -id: newest first)",
    },
    {
        "name": "page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "default": 1},
        "description": "Page, from 1",
    },
    {
        "name": "perPage",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
        "description": f"Invoices per page (at most {MAX_PER_PAGE}; more is a 400001)",
    },
]
PAGE_HEADERS = {
    "X-Total-Count": {"description": "Invoices matching the filters", "schema": {"type": "integer"}},
    "X-Page": {"description": "This page", "schema": {"type": "integer"}},
    "X-Per-Page": {"description": "Page size", "schema": {"type": "integer"}},
    "Link": {"description": "rel=next / rel=prev page URLs", "schema": {"type": "string"}},
}


def _list_operation(operation_id: str, summary: str, params: list) -> dict:
    ok = _json({"type": "array", "items": REF_INVOICE}, "Invoices, newest first unless sorted")
    ok["headers"] = PAGE_HEADERS
    return {
        "get": {
            "tags": [TAG],
            "operationId": operation_id,
            "summary": summary,
            "security": SECURITY,
            "parameters": params + LIST_PARAMS,
            "responses": {"200": ok, **_errors(400, 401, 403, 404)},
        }
    }


# Preset values (params.PRESET_FIELDS): the bill style and profile names are stored data, so they are
# described rather than enumerated; anything outside the list is a 400003.
BILL_STYLE_NAME = "The name of a bill style: Full, Summary or one stored in the admin area (else 400003)"
BILL_TYPE = {**STRING_OR_NULL, "description": BILL_STYLE_NAME}
EDITABLE_PROPERTIES = {
    "customerReference": STRING_OR_NULL,
    "purchaseOrderNumber": STRING_OR_NULL,
    "billStyle": {"type": "string", "description": BILL_STYLE_NAME},
    "invoiceMessage": STRING_OR_NULL,
    "invoiceUsageReportCustomerProfile": {
        **STRING_OR_NULL,
        "description": "The name of a stored usage report profile (else 400003)",
    },
    "paymentMethod": {"type": ["string", "null"], "enum": [*PAYMENT_METHODS, None]},
    "cutoffDate": DATE_OR_NULL,
    "transactionCutoffDate": DATE_OR_NULL,
    "onlineBillType": BILL_TYPE,
    "emailBillType": BILL_TYPE,
    "postBillType": BILL_TYPE,
    "faxBillType": BILL_TYPE,
}

ACTION_BODY = {
    "type": "object",
    "description": "Parameters of the action (all optional except xeroID for linkToXero); each action takes "
    "only its own (actions.PARAMETERS), any other is a 400504",
    "additionalProperties": False,
    "properties": {
        "email": {
            "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}],
            "description": "email, emailCdrs: recipients (array, or comma/semicolon separated)",
        },
        "billStyle": {"type": "string", "description": "email: bill style name"},
        "message": {"type": "string", "description": "email: message template name"},
        "attachments": {"type": "array", "items": {"type": "string"}, "description": "email: attachment names"},
        "invoiceUsageReportCustomerProfileID": {"type": "string", "description": "email: usage report profile"},
        "expiryHours": {
            "type": "integer",
            "enum": list(LINK_EXPIRY_HOURS),
            "default": 168,
            "description": "generateDownloadLink: link lifetime in hours",
        },
        "maxUses": {
            "type": "integer",
            "enum": list(LINK_MAX_USES),
            "default": 1,
            "description": "generateDownloadLink: how many downloads the link allows",
        },
        "xeroID": {"type": "string", "format": "uuid", "description": "linkToXero: the Xero invoice id"},
    },
}

PATHS = {
    f"{P}/invoices": _list_operation("backendListInvoices", "List invoices (raised only by default)", []),
    f"{P}/customers/{{customer_id}}/invoices": {
        **_list_operation("backendListCustomerInvoices", "List a customer's invoices", [CUSTOMER_PARAM]),
        "post": {
            "tags": [TAG],
            "operationId": "backendCreateInvoice",
            "security": SECURITY,
            "summary": "Create an invoice for the customer (filled at once) and return it",
            "description": "Without startDate/endDate the period ends at cutoffDate (default: the first day of "
            "the current month in the account's zone) and starts where the account's last "
            "invoice ended, or on the day of its first call or transaction.",
            "parameters": [CUSTOMER_PARAM],
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "account": {
                                    "type": "integer",
                                    "description": "Required when the customer has several accounts (400503 otherwise)",
                                },
                                "startDate": {"type": "string", "description": "Period start (date or date-time)"},
                                "endDate": {"type": "string", "description": "Period end, exclusive"},
                                "_includeTransactionIDs": {"type": "array", "items": {"type": "integer", "minimum": 1}},
                                **EDITABLE_PROPERTIES,
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    **_json(REF_INVOICE, "The new invoice"),
                    "headers": {"Location": {"schema": {"type": "string"}}},
                },
                **_errors(400, 401, 403, 404),
            },
        },
    },
    f"{P}/invoices/{{invoice_id}}": {
        "get": {
            "tags": [TAG],
            "operationId": "backendShowInvoice",
            "security": SECURITY,
            "summary": "One invoice; with Accept: application/pdf its PDF, with Accept: application/xml its UBL",
            "parameters": [ID_PARAM],
            "responses": {
                "200": {
                    "description": "The invoice (JSON), its PDF, or its Peppol UBL 2.1 XML",
                    "content": {
                        "application/json": {"schema": REF_INVOICE},
                        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                        "application/xml": {"schema": {"type": "string"}},
                    },
                },
                **_errors(401, 403, 404),
            },
        },
        "put": {
            "tags": [TAG],
            "operationId": "backendUpdateInvoice",
            "security": SECURITY,
            "summary": "Change editable fields (after approval only presentation fields; others are 400004)",
            "parameters": [ID_PARAM],
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "properties": EDITABLE_PROPERTIES, "additionalProperties": False}
                    }
                },
            },
            "responses": {"200": _json(REF_INVOICE, "The changed invoice"), **_errors(400, 401, 403, 404)},
        },
        "delete": {
            "tags": [TAG],
            "operationId": "backendDeleteInvoice",
            "security": SECURITY,
            "summary": "Delete an invoice that is not approved (400005 otherwise)",
            "parameters": [ID_PARAM],
            "responses": {"204": {"description": "Deleted"}, **_errors(400, 401, 403, 404)},
        },
        "post": {
            "tags": [TAG],
            "operationId": "backendInvoiceAction",
            "security": SECURITY,
            "summary": "Perform an action on the invoice",
            "description": "email and emailCdrs answer {success, message}; generateDownloadLink the link; "
            "the other actions the updated invoice.",
            "parameters": [
                ID_PARAM,
                {
                    "name": "action",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "enum": list(ACTIONS)},
                },
            ],
            "requestBody": {"required": False, "content": {"application/json": {"schema": ACTION_BODY}}},
            "responses": {
                "200": _json(
                    {
                        "oneOf": [
                            REF_INVOICE,
                            {"$ref": "#/components/schemas/BackendActionSuccess"},
                            {"$ref": "#/components/schemas/BackendDownloadLink"},
                        ]
                    },
                    "The updated invoice, an e-mail confirmation or a download link",
                ),
                **_errors(400, 401, 403, 404, 500),
            },
        },
    },
}

INVOICE_PROPERTIES = {
    "id": {"type": "string", "description": "Invoice id (digits)"},
    "customerID": {"type": "string", "description": "Customer id (digits)"},
    "accountID": {"type": "string", "description": "Account id (digits)"},
    "invoiceNumber": STRING_OR_NULL,
    "billingRun": {"type": ["integer", "null"], "description": "Id of the billing run that generated it"},
    "currency": {"type": "string", "description": "ISO 4217 code"},
    "startDate": DATE,
    "endDate": {**DATE, "description": "Period end, exclusive"},
    "invoiceDate": DATE_OR_NULL,
    "cutoffDate": DATE_OR_NULL,
    "transactionCutoffDate": DATE_OR_NULL,
    "dueDate": DATE_OR_NULL,
    "paidDate": DATE_OR_NULL,
    "paymentMethod": STRING_OR_NULL,
    **{name: MONEY for name in AMOUNT_FIELDS},
    "invoiceCallCount": {"type": "integer"},
    "invoiceCallMinutes": {"type": "integer"},
    **{name: MONEY for name in CHARGE_FIELDS},
    "status": {"type": "array", "items": {"type": "string", "enum": list(STATUS_FLAGS)}},
    "billStyle": {"type": "string"},
    "invoiceMessage": STRING_OR_NULL,
    "invoiceUsageReportCustomerProfile": STRING_OR_NULL,
    "customerReference": STRING_OR_NULL,
    "purchaseOrderNumber": STRING_OR_NULL,
    "onlineBillType": STRING_OR_NULL,
    "emailBillType": STRING_OR_NULL,
    "postBillType": STRING_OR_NULL,
    "faxBillType": STRING_OR_NULL,
    "billTypes": {"type": "array", "items": {"type": "string", "enum": list(BILL_TYPE_FIELDS)}},
}

COMPONENTS = {
    "securitySchemes": {
        "BackendApiKey": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "API key",
            "description": "An API key (`flask --app portal api-keys create`)",
        },
    },
    "schemas": {
        "BackendMoney": {
            "type": "string",
            "pattern": r"^-?\d+(\.\d+)?$",
            "description": "Decimal string in the currency's minor units",
        },
        "BackendInvoice": {"type": "object", "properties": INVOICE_PROPERTIES, "required": list(INVOICE_PROPERTIES)},
        "BackendError": {
            "type": "object",
            "required": ["error", "error_code", "hint"],
            "properties": {
                "error": {"type": "string"},
                "error_code": {"type": "integer", "enum": sorted(CODES)},
                "hint": {"type": "string"},
            },
        },
        "BackendActionSuccess": {
            "type": "object",
            "required": ["success", "message"],
            "properties": {"success": {"const": True}, "message": {"type": "string"}},
        },
        "BackendDownloadLink": {
            "type": "object",
            "required": ["success", "download_url", "token", "expires_at", "max_uses"],
            "properties": {
                "success": {"const": True},
                "download_url": {"type": "string"},
                "token": {"type": "string"},
                "expires_at": {"type": "string", "format": "date-time"},
                "max_uses": {"type": "integer", "enum": list(LINK_MAX_USES)},
            },
        },
    },
}
