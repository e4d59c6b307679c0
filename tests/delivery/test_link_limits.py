"""One rule for the expiry and uses a person or API client may choose for a download link."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.delivery.links import LINK_EXPIRY_HOURS, LINK_MAX_USES, requested_link_limits
from portal.foundations.errors import ErrorCode, ValidationFailed


@pytest.mark.parametrize("hours", LINK_EXPIRY_HOURS)
@pytest.mark.parametrize("uses", LINK_MAX_USES)
def test_every_offered_choice_is_accepted(hours, uses):
    assert requested_link_limits(hours, uses) == (dt.timedelta(hours=hours), uses)


@pytest.mark.parametrize(
    "hours, uses, fields",
    [
        (2, 1, ["expiry-hours"]),
        (168, 3, ["max-uses"]),
        (0, 0, ["expiry-hours", "max-uses"]),
        ("168", 1, ["expiry-hours"]),
        (168, True, ["max-uses"]),
        (None, None, ["expiry-hours", "max-uses"]),
        (2160, 1000, ["expiry-hours", "max-uses"]),  # within what the service could mint, not offered
    ],
)
def test_anything_else_is_refused_with_its_code_not_clamped(hours, uses, fields):
    with pytest.raises(ValidationFailed) as refused:
        requested_link_limits(hours, uses)
    assert [e.field for e in refused.value.errors] == fields
    assert refused.value.code == ErrorCode.NOT_A_CHOICE
