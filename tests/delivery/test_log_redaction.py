"""Download tokens never reach the logs: request lines and app messages show `/d/[token]`."""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request

from flask import request
from werkzeug.serving import make_server

from portal.delivery.log_filter import RedactDownloadTokens, redact
from portal.downloads import views as download_views


def test_redact_replaces_the_token_segment_only():
    assert redact('"GET /d/eyJsIjo.abc-DEF_1 HTTP/1.1" 200') == '"GET /d/[token] HTTP/1.1" 200'
    assert redact("POST /d/abc?x=1") == "POST /d/[token]?x=1"
    assert redact("GET /invoices/d/ok") == "GET /invoices/d/[token]"  # over-redacting is harmless
    assert redact("GET /download/abc") == "GET /download/abc"


def test_filter_rewrites_messages_with_arguments(caplog):
    logger = logging.getLogger("test.redaction")
    logger.addFilter(RedactDownloadTokens())
    with caplog.at_level(logging.INFO, logger="test.redaction"):
        logger.info("%s - %s", "127.0.0.1", "GET /d/secret.token.value HTTP/1.1")
    assert caplog.records[0].getMessage() == "127.0.0.1 - GET /d/[token] HTTP/1.1"
    assert "secret.token.value" not in caplog.text


def test_real_server_request_lines_hide_the_token(app, invoice, mint, caplog):
    _, token = mint(invoice)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with caplog.at_level(logging.INFO):
            with urllib.request.urlopen(f"{base}/d/{token}") as page:
                assert page.status == 200
            request = urllib.request.Request(f"{base}/d/{token}", method="POST", data=b"")
            with urllib.request.urlopen(request) as download:
                assert download.read(4) == b"%PDF"
            try:
                urllib.request.urlopen(request)
            except urllib.error.HTTPError as exc:
                assert exc.code == 410
    finally:
        server.shutdown()
        thread.join(timeout=5)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert sum("/d/[token]" in line for line in lines) >= 3, lines
    assert token not in caplog.text
    assert token.split(".")[0] not in caplog.text


def test_an_unhandled_error_under_d_logs_no_token(app, client, invoice, mint, caplog, monkeypatch):
    _, token = mint(invoice)

    def broken(*args, **kwargs):
        # An exception whose message quotes the URL, as many library errors do.
        raise RuntimeError(f"lookup failed for {request.url} ({args[0]})")

    monkeypatch.setattr(download_views, "read_link", broken)
    monkeypatch.setattr(download_views, "consume_download", broken)
    with caplog.at_level(logging.INFO):
        assert client.get(f"/d/{token}").status_code == 500
        assert client.post(f"/d/{token}").status_code == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2
    assert all(r.getMessage().endswith("/d/[token]") for r in errors), [r.getMessage() for r in errors]
    assert "RuntimeError: lookup failed for http://localhost/d/[token]" in caplog.text
    assert token not in caplog.text and token.split(".")[0] not in caplog.text
    for record in errors:
        assert record.exc_info is None and token not in (record.exc_text or "")


def test_filter_redacts_the_traceback_of_any_logged_exception(caplog):
    logger = logging.getLogger("test.redaction.traceback")
    logger.addFilter(RedactDownloadTokens())
    with caplog.at_level(logging.ERROR, logger="test.redaction.traceback"):
        try:
            raise ValueError("GET /d/secret.token.value failed")
        except ValueError:
            logger.exception("while serving a download")
        logger.error("no exception here", stack_info=True)
    assert "ValueError: GET /d/[token] failed" in caplog.text
    assert "secret.token.value" not in caplog.text
