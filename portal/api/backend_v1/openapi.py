"""OpenAPI 3.1 description of the backend API v1 (PATHS and COMPONENTS, merged by portal.api.openapi)."""

from __future__ import annotations

from portal.api.backend_v1.actions import ACTIONS
from portal.api.backend_v1.errors import CODES
from portal.api.backend_v1.serializers import AMOUNT_FIELDS, BILL_TYPE_FIELDS, CHARGE_FIELDS, STATUS_FLAGS
from portal.api.openapi_build import BINARY, bearer, content, obj, operation, parameter, ref, response
from portal.customers.customers import PAYMENT_METHODS
from portal.delivery.links import LINK_EXPIRY_HOURS, LINK_MAX_USES
from portal.foundations.ids import MAX_ROW_ID
from portal.models import TYPES, InvoiceState
from portal.reading.invoice_search import DEFAULT_PER_PAGE, MAX_PER_PAGE, SORTS

P = "/backend/api/v1"
TAG = "Backend API v1"
SECURITY = [{"BackendApiKey": []}]
REF_INVOICE = ref("BackendInvoice")
STRING_OR_NULL = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
MONEY = ref("BackendMoney")
ERROR_TEXTS = {
    400: "Bad request (400001-400707)",
    401: "Missing, unknown or revoked API key (401001, 401002)",
    403: "Missing scope, level too low or customer key (403001-403003)",
    404: "Not found or not visible to this key (404001, 404002, 404003)",
    500: "Server failure (500001, 500601, 500602, 500701)",
}


def _errors(*statuses: int) -> dict:
    return {str(s): response(ERROR_TEXTS[s], ref("BackendError")) for s in statuses}


def _operation(operation_id: str, summary: str, responses: dict, **more) -> dict:
    return operation(TAG, operation_id, summary, SECURITY, responses, **more)


def _query(name: str, schema: dict, description: str | None = None) -> dict:
    return parameter(name, "query", schema, description, required=False)


def _id_param(name: str, description: str) -> dict:
    return parameter(name, "path", {"type": "integer", "minimum": 0, "maximum": MAX_ROW_ID}, description)


def _body(schema: dict) -> dict:
    return {"required": False, **content(schema)}


ID_PARAM = _id_param("invoice_id", "Invoice id")
CUSTOMER_PARAM = _id_param("customer_id", "Customer id")
FLAG = {"type": "string", "enum": ["", "1", "true", "yes", "on", "0", "false", "no", "off"]}
TOTAL = "Total (running amount before approval)"

LIST_PARAMS = [
    _query("invoiceNumber", {"type": "string"}, "Exact invoice number: a list with that invoice, or an empty list"),
    _query("unsent", FLAG, "Only invoices not raised yet (wins over includeUnsent)"),
    _query("includeUnsent", FLAG, "Raised and unsent invoices"),
    _query("undelivered", FLAG, "Only invoices not emailed, downloaded, printed or marked delivered"),
    _query("minDate", DATE, "Invoice date on or after"),
    _query("maxDate", DATE, "Invoice date on or before"),
    _query("minDueDate", DATE, "Due date on or after"),
    _query("maxDueDate", DATE, "Due date on or before"),
    _query(
        "createdSince",
        {"type": "string", "format": "date-time"},
        "Created in the platform at or after this ISO 8601 date-time (a date means 00:00 UTC)",
    ),
    _query("customer", {"type": "integer"}, "Only this customer's invoices"),
    _query("account", {"type": "integer"}, "Only this account's invoices"),
    _query(
        "state",
        {"type": "string", "enum": [s.value for s in InvoiceState]},
        "Only invoices in this state (wins over the unsent flags)",
    ),
    _query("type", {"type": "string", "enum": list(TYPES)}),
    _query("minAmount", {"type": "string"}, f"{TOTAL} at least"),
    _query("maxAmount", {"type": "string"}, f"{TOTAL} at most"),
    _query(
        "sort",
        {"type": "string", "enum": [p + k for k in SORTS for p in ("", "-")], "default": "-id"},
        "Sort key; a leading - sorts descending (default -id: newest first)",
    ),
    _query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page, from 1"),
    _query(
        "perPage",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
        f"Invoices per page (at most {MAX_PER_PAGE}; more is a 400001)",
    ),
]
PAGE_HEADERS = {
    "X-Total-Count": {"description": "Invoices matching the filters", "schema": {"type": "integer"}},
    "X-Page": {"description": "This page", "schema": {"type": "integer"}},
    "X-Per-Page": {"description": "Page size", "schema": {"type": "integer"}},
    "Link": {"description": "rel=next / rel=prev page URLs", "schema": {"type": "string"}},
}


def _list_operation(operation_id: str, summary: str, params: list) -> dict:
    ok = response("Invoices, newest first unless sorted", {"type": "array", "items": REF_INVOICE})
    ok["headers"] = PAGE_HEADERS
    responses = {"200": ok, **_errors(400, 401, 403, 404)}
    return {"get": _operation(operation_id, summary, responses, parameters=params + LIST_PARAMS)}


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

STRING = {"type": "string"}
ACTION_BODY = {
    **obj(
        {
            "email": {
                "oneOf": [{"type": "array", "items": STRING}, STRING],
                "description": "email, emailCdrs: recipients (array, or comma/semicolon separated)",
            },
            "billStyle": {**STRING, "description": "email: bill style name"},
            "message": {**STRING, "description": "email: message template name"},
            "attachments": {"type": "array", "items": STRING, "description": "email: attachment names"},
            "invoiceUsageReportCustomerProfileID": {**STRING, "description": "email: usage report profile"},
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
            "xeroID": {**STRING, "format": "uuid", "description": "linkToXero: the Xero invoice id"},
        },
        closed=True,
    ),
    "description": "Parameters of the action (all optional except xeroID for linkToXero); each action takes "
    "only its own (actions.PARAMETERS), any other is a 400504",
}
CREATE_BODY = obj(
    {
        "account": {
            "type": "integer",
            "description": "Required when the customer has several accounts (400503 otherwise)",
        },
        "startDate": {**STRING, "description": "Period start (date or date-time)"},
        "endDate": {**STRING, "description": "Period end, exclusive"},
        "_includeTransactionIDs": {"type": "array", "items": {"type": "integer", "minimum": 1}},
        **EDITABLE_PROPERTIES,
    }
)
SHOW_CONTENT = {
    "application/json": {"schema": REF_INVOICE},
    "application/pdf": {"schema": BINARY},
    "application/xml": {"schema": STRING},
}
ACTION_ANSWER = {"oneOf": [REF_INVOICE, ref("BackendActionSuccess"), ref("BackendDownloadLink")]}

PATHS = {
    f"{P}/invoices": _list_operation("backendListInvoices", "List invoices (raised only by default)", []),
    f"{P}/customers/{{customer_id}}/invoices": {
        **_list_operation("backendListCustomerInvoices", "List a customer's invoices", [CUSTOMER_PARAM]),
        "post": _operation(
            "backendCreateInvoice",
            "Create an invoice for the customer (filled at once) and return it",
            {
                "201": {**response("The new invoice", REF_INVOICE), "headers": {"Location": {"schema": STRING}}},
                **_errors(400, 401, 403, 404),
            },
            description="Without startDate/endDate the period ends at cutoffDate (default: the first day of "
            "the current month in the account's zone) and starts where the account's last "
            "invoice ended, or on the day of its first call or transaction.",
            parameters=[CUSTOMER_PARAM],
            requestBody=_body(CREATE_BODY),
        ),
    },
    f"{P}/invoices/{{invoice_id}}": {
        "get": _operation(
            "backendShowInvoice",
            "One invoice; with Accept: application/pdf its PDF, with Accept: application/xml its UBL",
            {
                "200": {
                    "description": "The invoice (JSON), its PDF, or its Peppol UBL 2.1 XML",
                    "content": SHOW_CONTENT,
                },
                **_errors(401, 403, 404),
            },
            parameters=[ID_PARAM],
        ),
        "put": _operation(
            "backendUpdateInvoice",
            "Change editable fields (after approval only presentation fields; others are 400004)",
            {"200": response("The changed invoice", REF_INVOICE), **_errors(400, 401, 403, 404)},
            parameters=[ID_PARAM],
            requestBody=_body(obj(EDITABLE_PROPERTIES, closed=True)),
        ),
        "delete": _operation(
            "backendDeleteInvoice",
            "Delete an invoice that is not approved (400005 otherwise)",
            {"204": {"description": "Deleted"}, **_errors(400, 401, 403, 404)},
            parameters=[ID_PARAM],
        ),
        "post": _operation(
            "backendInvoiceAction",
            "Perform an action on the invoice",
            {
                "200": response("The updated invoice, an e-mail confirmation or a download link", ACTION_ANSWER),
                **_errors(400, 401, 403, 404, 500),
            },
            description="email and emailCdrs answer {success, message}; generateDownloadLink the link; "
            "the other actions the updated invoice.",
            parameters=[ID_PARAM, parameter("action", "query", {**STRING, "enum": list(ACTIONS)}, required=True)],
            requestBody=_body(ACTION_BODY),
        ),
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
    "securitySchemes": {"BackendApiKey": bearer("API key", "An API key (`flask --app portal api-keys create`)")},
    "schemas": {
        "BackendMoney": {
            "type": "string",
            "pattern": r"^-?\d+(\.\d+)?$",
            "description": "Decimal string in the currency's minor units",
        },
        "BackendInvoice": obj(INVOICE_PROPERTIES, list(INVOICE_PROPERTIES)),
        "BackendError": obj(
            {"error": STRING, "error_code": {"type": "integer", "enum": sorted(CODES)}, "hint": STRING},
            ["error", "error_code", "hint"],
        ),
        "BackendActionSuccess": obj({"success": {"const": True}, "message": STRING}, ["success", "message"]),
        "BackendDownloadLink": obj(
            {
                "success": {"const": True},
                "download_url": STRING,
                "token": STRING,
                "expires_at": {"type": "string", "format": "date-time"},
                "max_uses": {"type": "integer", "enum": list(LINK_MAX_USES)},
            },
            ["success", "download_url", "token", "expires_at", "max_uses"],
        ),
    },
}
