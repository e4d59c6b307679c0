"""Keeping download tokens out of logs: `/d/<token>` is written as `/d/[token]` by every log line we control."""
from __future__ import annotations

import logging
import re

_TOKEN_IN_PATH = re.compile(r"(/d/)[^/\s?#\"']+")
REDACTED = r"\1[token]"
# Loggers that write request lines (the dev server and gunicorn) and the app's own.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "portal")


def redact(text: str) -> str:
    return _TOKEN_IN_PATH.sub(REDACTED, text)


class RedactDownloadTokens(logging.Filter):
    """A logging filter that rewrites the formatted message with tokens replaced (it never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_FILTER = RedactDownloadTokens()


def install_token_redaction(app_logger: logging.Logger | None = None) -> None:
    """Attach the filter to the request loggers, the app logger and the root handlers (once each).

    Filters on a logger only see records logged to that logger, so the handlers of the root
    logger get it too: records propagated from any module pass through them.
    """
    targets = [logging.getLogger(name) for name in REQUEST_LOGGERS] + list(logging.getLogger().handlers)
    if app_logger is not None:
        targets.append(app_logger)
    for target in targets:
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)
