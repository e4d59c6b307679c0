"""Keeping download tokens out of logs: `/d/<token>` is written as `/d/[token]` by every log line we control."""

from __future__ import annotations

import logging
import re

from flask import has_request_context, request

_TOKEN_IN_PATH = re.compile(r"(/d/)[^/\s?#\"']+")
REDACTED = r"\1[token]"
# Loggers that write request lines (the dev server and gunicorn) and the app's own.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "portal")


def redact(text: str) -> str:
    """`text` with every `/d/<token>` written `/d/[token]`, and, while a `/d/` request is being served,
    its token replaced wherever it stands (an error message may quote it without the path)."""
    text = _TOKEN_IN_PATH.sub(REDACTED, text)
    token = _token_of_this_request()
    return text.replace(token, "[token]") if token else text


def _token_of_this_request() -> str | None:
    if not has_request_context() or not request.path.startswith("/d/"):
        return None
    token = (request.view_args or {}).get("token")
    return token if isinstance(token, str) and len(token) >= 8 else None


class RedactDownloadTokens(logging.Filter):
    """A logging filter that rewrites the formatted message, and the traceback of an exception logged
    with it, with tokens replaced (it never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = None
        if message is not None:
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        _redact_exception(record)
        return True


def _redact_exception(record: logging.LogRecord) -> None:
    """An exception's message can quote the URL (`/d/<token>`): the traceback is formatted here, once,
    redacted, and stored as `exc_text`, which formatters print instead of formatting `exc_info` again.
    When a token was found, `exc_info` is dropped too, so no handler can format the original."""
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = _FORMATTER.formatException(record.exc_info)
    if record.exc_text:
        cleaned = redact(record.exc_text)
        if cleaned != record.exc_text:
            record.exc_text, record.exc_info = cleaned, None
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


_FORMATTER = logging.Formatter()


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
