"""Domain errors raised by the service layer; each face turns them into its own error format."""

from __future__ import annotations

from dataclasses import dataclass


class ServiceError(Exception):
    """Base of every error a service raises on purpose. `message` is safe to show to users."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldError:
    """One validation failure. `field` is the dasherized input name, or None for the whole request."""

    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.field} - {self.message}" if self.field else self.message


class ValidationFailed(ServiceError):
    status = 422

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    @classmethod
    def single(cls, field: str | None, message: str) -> ValidationFailed:
        return cls([FieldError(field, message)])


class InvalidState(ServiceError):
    """The invoice (or run) is not in a state that allows the operation."""

    status = 422


class NotFound(ServiceError):
    status = 404


class PermissionDenied(ServiceError):
    status = 403

    def __init__(self, message: str, action: str, required_level: int):
        super().__init__(message)
        self.action = action
        self.required_level = required_level


class Conflict(ServiceError):
    """A concurrent change won; the caller may retry."""

    status = 409


class DeliveryFailed(ServiceError):
    """Sending mail failed; the attempt is recorded and can be retried."""

    status = 502


class Gone(ServiceError):
    """The thing existed but can no longer be used (an expired, used-up or revoked link)."""

    status = 410
