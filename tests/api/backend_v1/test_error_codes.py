"""The backend API's numeric codes follow the domain error's code, never the wording of its message."""

from __future__ import annotations

import pytest

from portal.api.backend_v1.actions import _email_cdrs_failure, _email_failure
from portal.api.backend_v1.errors import service_error_code
from portal.billing.cutoff_invoices import MissingParameter
from portal.foundations.errors import (
    ErrorCode,
    FieldError,
    InvalidState,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationFailed,
)

REWORDED = "a message reworded for people"


@pytest.mark.parametrize(
    "error, code",
    [
        (ValidationFailed([FieldError("bill-style", REWORDED, ErrorCode.FROZEN)]), 400004),
        (
            ValidationFailed(
                [FieldError("bill-style", REWORDED, ErrorCode.FROZEN), FieldError("cutoff-date", REWORDED)]
            ),
            400003,
        ),
        (ValidationFailed.single("account", REWORDED), 400003),
        (MissingParameter([FieldError("account", REWORDED)]), 400503),
        (InvalidState(REWORDED), 400005),
        (NotFound(REWORDED), 404001),
        (ServiceError(REWORDED, code=ErrorCode.CONFLICT), 409001),
        (PermissionDenied(REWORDED, "invoice.create", 3), 403002),
    ],
)
def test_service_errors_map_by_their_code_whatever_the_message_says(error, code):
    assert service_error_code(error, "api") == code


def test_a_message_that_reads_like_another_error_does_not_borrow_its_code():
    # The old wordings, on errors that do not carry their codes.
    frozen_words = ValidationFailed.single("bill-style", "can't be changed on an approved invoice")
    assert service_error_code(frozen_words, "api") == 400003
    no_cdrs_words = InvalidState("No CDRs available for this invoice")
    assert _email_cdrs_failure(no_cdrs_words) == 400502


@pytest.mark.parametrize(
    "code, expected",
    [
        (ErrorCode.INVALID_RECIPIENT, 400702),
        (ErrorCode.UNKNOWN_BILL_STYLE, 400703),
        (ErrorCode.UNKNOWN_MESSAGE_TEMPLATE, 400704),
        (ErrorCode.UNKNOWN_ATTACHMENT, 400705),
        (ErrorCode.UNKNOWN_USAGE_REPORT_PROFILE, 400706),
    ],
)
def test_email_action_codes_follow_the_error_code(code, expected):
    assert _email_failure(ValidationFailed([FieldError("anything", REWORDED, code)])) == expected


def test_emailing_cdrs_without_cdrs_is_400707_by_its_code():
    assert _email_cdrs_failure(InvalidState(REWORDED, code=ErrorCode.NO_CDRS)) == 400707
