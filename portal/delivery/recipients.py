"""Who an invoice e-mail goes to: the account's invoice contacts, else the customer's address, or addresses given."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from portal.foundations.errors import ErrorCode, FieldError, ValidationFailed
from portal.models import Invoice

_SEPARATORS = re.compile(r"[,;\s]+")
MAX_RECIPIENTS = 50


def default_recipients(invoice: Invoice) -> list[str]:
    """The account's invoice contacts, else the customer's own e-mail address (may be empty)."""
    contacts = [c.email for c in invoice.account.invoice_contacts if c.email]
    if contacts:
        return _unique(contacts)
    return [invoice.customer.email] if invoice.customer and invoice.customer.email else []


def parse_recipients(value) -> list[str]:
    """Addresses from a list and/or comma/semicolon-separated strings, each validated (no DNS lookup).

    Raises ValidationFailed with field `email` naming every invalid address.
    """
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    candidates: list[str] = []
    errors: list[FieldError] = []
    for item in items:
        if not isinstance(item, str):
            errors.append(FieldError("email", f"{item!r} is not an e-mail address", ErrorCode.INVALID_RECIPIENT))
            continue
        candidates.extend(part for part in _SEPARATORS.split(item) if part)
    addresses: list[str] = []
    for candidate in candidates:
        try:
            addresses.append(validate_email(candidate, check_deliverability=False).normalized)
        except EmailNotValidError as exc:
            errors.append(
                FieldError("email", f"{candidate} is not a valid e-mail address ({exc})", ErrorCode.INVALID_RECIPIENT)
            )
    if len(addresses) > MAX_RECIPIENTS:
        errors.append(FieldError("email", f"at most {MAX_RECIPIENTS} recipients", ErrorCode.INVALID_RECIPIENT))
    if errors:
        raise ValidationFailed(errors)
    return _unique(addresses)


def resolve_recipients(invoice: Invoice, recipients) -> list[str]:
    """Given addresses (validated) or, when none are given, the defaults. ValidationFailed when none at all."""
    addresses = parse_recipients(recipients) or default_recipients(invoice)
    if not addresses:
        raise ValidationFailed.single(
            "email",
            "no recipient: the account has no invoice contacts and the customer no e-mail address",
            ErrorCode.INVALID_RECIPIENT,
        )
    return addresses


def _unique(addresses: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result
