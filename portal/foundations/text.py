"""Single-line text: the one rule for values that must fit on one line (names, subjects), shared by every face."""

from __future__ import annotations

import re

SINGLE_LINE_MESSAGE = "must be a single line (no line breaks or control characters)"
# Line breaks of every kind (CR, LF, VT, FF, the separators str.splitlines knows: FS, GS, RS, NEL,
# U+2028, U+2029) and the other C0 controls and DEL; a tab is ordinary white space.
_NOT_ON_ONE_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]+")


def is_single_line(text: str) -> bool:
    """Whether `text` has no line break and no control character (tabs are fine)."""
    return _NOT_ON_ONE_LINE.search(text) is None


def one_line(text: str) -> str:
    """`text` with every run of line breaks and control characters replaced by one space.

    For values that are already stored and must go somewhere a line break would change the meaning
    (an e-mail header): input is refused with SINGLE_LINE_MESSAGE instead.
    """
    return _NOT_ON_ONE_LINE.sub(" ", text)
