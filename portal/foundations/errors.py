"""Domain errors raised by the service layer; each face turns them into its own error format.

Every error carries a code (`ErrorCode`) saying what went wrong; faces map codes to their own
(the backend API's numeric codes, HTTP statuses) and never read the message, which is text for
people and may be reworded freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """What went wrong, in words no rewording of a message changes."""

    INVALID = "invalid"  # a value is wrong (the default of a validation failure)
    MISSING_PARAMETER = "missing_parameter"  # a value this request needs was not given
    FROZEN = "frozen"  # a field of an approved invoice, which is final
    INVALID_STATE = "invalid_state"  # the invoice (or run) is not in a state that allows this
    NO_CDRS = "no_cdrs"  # the invoice has no CDRs to send
    INVALID_RECIPIENT = "invalid_recipient"  # an e-mail recipient is invalid, or there is none
    UNKNOWN_BILL_STYLE = "unknown_bill_style"
    UNKNOWN_MESSAGE_TEMPLATE = "unknown_message_template"
    UNKNOWN_ATTACHMENT = "unknown_attachment"
    UNKNOWN_USAGE_REPORT_PROFILE = "unknown_usage_report_profile"
    NOT_A_CHOICE = "not_a_choice"  # a value outside the ones offered (e.g. a download link's expiry)
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    DELIVERY_FAILED = "delivery_failed"
    GONE = "gone"


class ServiceError(Exception):
    """Base of every error a service raises on purpose. `message` is safe to show to users.

    `code` is the class's own unless a more precise one is given.
    """

    status = 400
    code = ErrorCode.INVALID

    def __init_subclass__(cls, *, status: int | None = None, code: ErrorCode | None = None, **kwargs):
        """`class NotFound(ServiceError, status=404, code=ErrorCode.NOT_FOUND)`: a kind's HTTP status and code."""
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

    def __init__(self, message: str, *, code: ErrorCode | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


@dataclass(frozen=True)
class FieldError:
    """One validation failure. `field` is the dasherized input name, or None for the whole request."""

    field: str | None
    message: str
    code: ErrorCode = ErrorCode.INVALID

    def __str__(self) -> str:
        return f"{self.field} - {self.message}" if self.field else self.message


class ValidationFailed(ServiceError, status=422):
    """One or more field errors. `code` is theirs when they all share one, else the class's."""

    def __init__(self, errors: list[FieldError], *, code: ErrorCode | None = None):
        self.errors = list(errors)
        shared = {e.code for e in self.errors} - {ErrorCode.INVALID}
        if code is None and len(shared) == 1 and all(e.code in shared for e in self.errors):
            code = shared.pop()
        super().__init__("; ".join(str(e) for e in self.errors), code=code)

    @classmethod
    def single(cls, field: str | None, message: str, code: ErrorCode = ErrorCode.INVALID) -> ValidationFailed:
        return cls([FieldError(field, message, code)])


class InvalidState(ServiceError, status=422, code=ErrorCode.INVALID_STATE):
    """The invoice (or run) is not in a state that allows the operation."""


class NotFound(ServiceError, status=404, code=ErrorCode.NOT_FOUND):
    """No such thing, or not one the caller may see."""


class PermissionDenied(ServiceError, status=403, code=ErrorCode.PERMISSION_DENIED):
    """The actor's level is below what the action requires."""

    def __init__(self, message: str, action: str, required_level: int):
        super().__init__(message)
        self.action = action
        self.required_level = required_level


class Conflict(ServiceError, status=409, code=ErrorCode.CONFLICT):
    """A concurrent change won; the caller may retry."""


class DeliveryFailed(ServiceError, status=502, code=ErrorCode.DELIVERY_FAILED):
    """Sending mail failed; the attempt is recorded and can be retried."""


class Gone(ServiceError, status=410, code=ErrorCode.GONE):
    """The thing existed but can no longer be used (an expired, used-up or revoked link)."""
