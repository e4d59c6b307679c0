"""Backend API v1 invoice actions: `POST /invoices/{id}?action=…`, each calling one service."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid

from flask import g, jsonify, request

from portal.api.backend_v1 import bp
from portal.api.backend_v1.errors import ApiError
from portal.api.backend_v1.params import json_body
from portal.api.backend_v1.routes import load_invoice
from portal.api.backend_v1.serializers import invoice_json
from portal.billing.fill import reapply_discount_plans, refill_invoice
from portal.billing.invoices import recreate_documents
from portal.billing.xero import link_invoice_to_xero, unlink_invoice_from_xero
from portal.delivery.emailing import email_invoice, email_invoice_cdrs
from portal.delivery.links import (
    DEFAULT_LINK_EXPIRY_HOURS,
    LINK_EXPIRY_HOURS,
    LINK_MAX_USES,
    download_url,
    mint_download_link,
    requested_link_limits,
)
from portal.extensions import db
from portal.foundations.errors import (
    DeliveryFailed,
    ErrorCode,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationFailed,
)
from portal.foundations.ids import MAX_ROW_ID

log = logging.getLogger(__name__)

# Error codes of the e-mail services -> documented code.
EMAIL_CODES = {
    ErrorCode.INVALID_RECIPIENT: 400702,
    ErrorCode.UNKNOWN_BILL_STYLE: 400703,
    ErrorCode.UNKNOWN_MESSAGE_TEMPLATE: 400704,
    ErrorCode.UNKNOWN_ATTACHMENT: 400705,
    ErrorCode.UNKNOWN_USAGE_REPORT_PROFILE: 400706,
}
ACTIONS = (
    "email",
    "emailCdrs",
    "recreate",
    "updateCallTransactions",
    "reapplyDiscountPlans",
    "generateDownloadLink",
    "linkToXero",
    "unlinkFromXero",
)
# The body parameters each action documents (docs/apis.md "APIs: backend v1"); any other is a 400504.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "email": ("email", "billStyle", "message", "attachments", "invoiceUsageReportCustomerProfileID"),
    "emailCdrs": ("email",),
    "recreate": (),
    "updateCallTransactions": (),
    "reapplyDiscountPlans": (),
    "generateDownloadLink": ("expiryHours", "maxUses"),
    "linkToXero": ("xeroID",),
    "unlinkFromXero": (),
}


def _actor():
    return g.api_caller.actor


@bp.post(f"/invoices/<int(max={MAX_ROW_ID}):invoice_id>", strict_slashes=False)
def invoice_action(invoice_id: int):
    action = request.args.get("action")
    handler = _HANDLERS.get(action or "")
    if handler is None:
        raise ApiError(
            400501,
            f"Unknown action {action!r}; one of: {', '.join(ACTIONS)}"
            if action
            else f"Give ?action=, one of: {', '.join(ACTIONS)}",
        )
    body = json_body()
    unknown = sorted(set(body) - set(PARAMETERS[action]))
    if unknown:
        # A misspelt `email` must not send the invoice to the default recipients instead.
        accepted = ", ".join(PARAMETERS[action]) or "none"
        raise ApiError(400504, f"{unknown[0]} - is not a parameter of the {action} action (accepted: {accepted})")
    invoice = load_invoice(invoice_id)
    try:
        response = handler(invoice, body)
    except (PermissionDenied, NotFound, ApiError):
        raise
    except ServiceError as exc:
        code = _FAILURE_CODES[action](exc)
        if code is None:
            raise
        if isinstance(exc, DeliveryFailed):
            db.session.commit()  # keep the record of the failed attempt
        else:
            db.session.rollback()
        raise ApiError(code, exc.message) from None
    db.session.commit()
    return response


def _strings(value, name: str, code: int, *, split: bool = False) -> list[str] | None:
    """A list of strings from a JSON array (or, with `split`, a comma/semicolon separated string)."""
    if value is None:
        return None
    if isinstance(value, str) and split:
        return [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(code, f"{name} - must be a list of strings")
    return [v.strip() for v in value if v.strip()]


def _string(value, name: str, code: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(code, f"{name} - must be a string")
    return value.strip() or None


def _email(invoice, body):
    recipients = _strings(body.get("email"), "email", 400702, split=True)
    delivery = email_invoice(
        invoice,
        actor=_actor(),
        recipients=recipients or None,
        bill_style=_string(body.get("billStyle"), "billStyle", 400703),
        message=_string(body.get("message"), "message", 400704),
        attachments=tuple(_strings(body.get("attachments"), "attachments", 400705) or ()),
        usage_report_profile=_string(
            body.get("invoiceUsageReportCustomerProfileID"), "invoiceUsageReportCustomerProfileID", 400706
        ),
    )
    sent_to = getattr(delivery, "recipients", None) or ", ".join(recipients or [])
    return jsonify(success=True, message=f"Invoice {invoice.invoice_number or invoice.id} emailed to {sent_to}")


def _email_cdrs(invoice, body):
    recipients = _strings(body.get("email"), "email", 400702, split=True)
    delivery = email_invoice_cdrs(invoice, actor=_actor(), recipients=recipients or None)
    sent_to = getattr(delivery, "recipients", None) or ", ".join(recipients or [])
    return jsonify(success=True, message=f"CDRs of invoice {invoice.invoice_number or invoice.id} emailed to {sent_to}")


def _recreate(invoice, body):
    if recreate_documents(invoice, actor=_actor()) is None:
        # The failure is recorded on the invoice (pdf_error) and in the audit log: keep that record.
        reason = invoice.pdf_error or "rendering failed"
        db.session.commit()
        raise ApiError(400701, f"The invoice documents could not be recreated: {reason}")
    return jsonify(invoice_json(invoice))


def _update_call_transactions(invoice, body):
    refill_invoice(invoice, actor=_actor())
    return jsonify(invoice_json(invoice))


def _reapply_discount_plans(invoice, body):
    reapply_discount_plans(invoice, actor=_actor())
    return jsonify(invoice_json(invoice))


def _number(body: dict, name: str, default: int):
    """A number: a JSON integer in the body, or digits in the query string (where every value is text).
    Anything else, a JSON string of digits included, is a 400504; the value itself is checked by the service."""
    if body.get(name) is not None:
        value = body[name]
    else:
        text = request.args.get(name)
        if text is None:
            return default
        value = int(text.strip()) if text.strip().isascii() and text.strip().isdigit() else text
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(
            400504,
            f"{name} - must be one of {_LINK_CHOICES[name]}"
            + (" (a JSON number)" if isinstance(value, str) and name in body else ""),
        )
    return value


# The documented parameter -> the field of the link service's errors, and the choices it offers.
_LINK_FIELDS = {"expiry-hours": "expiryHours", "max-uses": "maxUses"}
_LINK_CHOICES = {
    "expiryHours": ", ".join(map(str, LINK_EXPIRY_HOURS)),
    "maxUses": ", ".join(map(str, LINK_MAX_USES)),
}


def _generate_download_link(invoice, body):
    hours = _number(body, "expiryHours", DEFAULT_LINK_EXPIRY_HOURS)
    max_uses = _number(body, "maxUses", 1)
    try:
        expires_in, max_uses = requested_link_limits(hours, max_uses)
    except ValidationFailed as exc:
        name = next(_LINK_FIELDS[e.field] for e in exc.errors if e.code == ErrorCode.NOT_A_CHOICE)
        raise ApiError(400504, f"{name} - must be one of {_LINK_CHOICES[name]}") from None
    try:
        link, token = mint_download_link(
            invoice, actor=_actor(), expires_in=expires_in, max_uses=max_uses, purpose="api"
        )
        db.session.flush()
    except ServiceError:
        raise
    except Exception:
        db.session.rollback()
        log.exception("download link generation failed for invoice %s", invoice.id)
        raise ApiError(500701) from None
    expires_at = link.expires_at.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    return jsonify(
        success=True, download_url=download_url(token), token=token, expires_at=expires_at, max_uses=link.max_uses
    )


def _link_to_xero(invoice, body):
    value = body.get("xeroID")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApiError(400503, "xeroID - is required")
    try:
        xero_id = uuid.UUID(value.strip()) if isinstance(value, str) else None
    except ValueError:
        xero_id = None
    if xero_id is None:
        raise ApiError(400504, "xeroID - must be a UUID such as 00000000-0000-0000-0000-000000000000")
    link_invoice_to_xero(invoice, xero_id, actor=_actor())
    return jsonify(invoice_json(invoice))


def _unlink_from_xero(invoice, body):
    unlink_invoice_from_xero(invoice, actor=_actor())
    return jsonify(invoice_json(invoice))


def _email_failure(exc: ServiceError) -> int | None:
    if isinstance(exc, ValidationFailed):
        for error in exc.errors:
            if error.code in EMAIL_CODES:
                return EMAIL_CODES[error.code]
        return 400502
    if isinstance(exc, DeliveryFailed):
        return 500601
    return 400502


def _email_cdrs_failure(exc: ServiceError) -> int | None:
    if exc.code == ErrorCode.NO_CDRS:
        return 400707
    if isinstance(exc, ValidationFailed) and any(e.code == ErrorCode.INVALID_RECIPIENT for e in exc.errors):
        return 400702
    if isinstance(exc, DeliveryFailed):
        return 500602
    return 400502


_HANDLERS = {
    "email": _email,
    "emailCdrs": _email_cdrs,
    "recreate": _recreate,
    "updateCallTransactions": _update_call_transactions,
    "reapplyDiscountPlans": _reapply_discount_plans,
    "generateDownloadLink": _generate_download_link,
    "linkToXero": _link_to_xero,
    "unlinkFromXero": _unlink_from_xero,
}
_FAILURE_CODES = {
    "email": _email_failure,
    "emailCdrs": _email_cdrs_failure,
    "recreate": lambda exc: 400701,
    "updateCallTransactions": lambda exc: 400502,
    "reapplyDiscountPlans": lambda exc: 400502,
    "generateDownloadLink": lambda exc: 400502,
    "linkToXero": lambda exc: 400502,
    "unlinkFromXero": lambda exc: 400502,
}
