"""Attachment uploads in the admin templates page: request size limit (413 page), per-file size limit,
wrong types and empty or nameless uploads give clear errors beside the field and store nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.delivery.templates_service import MAX_ATTACHMENT_BYTES
from portal.models import Attachment
from tests.admin.test_customer_views import field_error

PDF_HEAD = b"%PDF-1.4\n"
URL = "/admin/templates/attachments"


def upload(admin, name, content: bytes, filename="terms.pdf"):
    return admin.post_form(
        URL, {"name": name, "file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


def stored(session) -> int:
    return session.scalar(select(func.count(Attachment.id)))


def test_a_request_over_max_content_length_gets_the_413_page(app, admin, session):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # the production default is 20 MB (PORTAL_MAX_UPLOAD_MB)
    try:
        response = upload(admin, "Big", PDF_HEAD + b"0" * (128 * 1024))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "Too large" in response.get_data(as_text=True)
    assert stored(session) == 0


def test_a_file_over_the_attachment_limit_is_an_error_beside_the_file(admin, session):
    response = upload(admin, "Big", PDF_HEAD + b"0" * MAX_ATTACHMENT_BYTES)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "attachment-file"), "no error beside the file field"
    assert stored(session) == 0


@pytest.mark.parametrize(
    "content, filename",
    [
        (b"", "empty.pdf"),
        (b"MZ\x90\x00 an executable", "terms.pdf"),
        (b"<html><script>alert(1)</script></html>", "terms.pdf"),
        (b"name,amount\n1,2\n", "terms.csv"),
        (b"\x00" * 1000, "terms.pdf"),
    ],
)
def test_files_that_are_not_pdfs_are_refused_beside_the_file(admin, session, content, filename):
    response = upload(admin, "Terms", content, filename)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "attachment-file")
    assert stored(session) == 0


@pytest.mark.parametrize("name", ["", " ", "n" * 10_000])
def test_bad_names_are_refused_beside_the_name(admin, session, name):
    response = upload(admin, name, PDF_HEAD + b"%%EOF\n")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "attachment-name")
    assert stored(session) == 0


def test_a_missing_file_part_is_an_error_not_a_500(admin, session):
    response = admin.post_form(URL, {"name": "Terms"}, content_type="multipart/form-data")
    assert response.status_code == 422 and field_error(response.get_data(as_text=True), "attachment-file")
    assert stored(session) == 0
