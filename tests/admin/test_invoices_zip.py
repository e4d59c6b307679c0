"""The ZIP of the selected invoices' PDFs is streamed member by member, complete for any selection, and ends cleanly."""

from __future__ import annotations

import io
import zipfile

import pytest

from portal.billing.bulk import MAX_SELECTION
from portal.delivery import zip_export
from portal.delivery.zip_export import invoices_pdf_zip
from portal.extensions import db
from portal.foundations.errors import ValidationFailed
from portal.foundations.permissions import Actor
from tests.admin.conftest import post
from tests.bulk import approved_invoices, pdf_bytes, stored_pdfs
from tests.factories import PASSWORD, AccountFactory, AdminUserFactory
from tests.live import csrf_token, signed_in_session

CLERK = Actor("clerk@telco.example", kind="admin", level=1)


def test_the_zip_of_600_invoices_has_every_pdf_and_names_the_missing(app):
    invoices = approved_invoices(AccountFactory(), 603)
    with_pdf, without = invoices[:600], invoices[600:]
    stored_pdfs(with_pdf)
    db.session.commit()
    unknown = max(i.id for i in invoices) + 1
    ids = [i.id for i in reversed(invoices)] + [unknown]
    before = db.engine.pool.checkedout()
    filename, chunks = invoices_pdf_zip(ids, actor=CLERK)
    data = b"".join(chunks)
    assert filename == "invoices.zip" and db.engine.pool.checkedout() == before
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None  # every member's CRC checks
    names = archive.namelist()
    assert len(names) == 601 and names[-1] == "MISSING.txt"
    assert names[:600] == [f"{i.invoice_number}.pdf" for i in with_pdf]  # invoice id order
    assert archive.read(names[0]) == pdf_bytes(with_pdf[0].id)
    assert archive.read(names[599]) == pdf_bytes(with_pdf[-1].id)
    missing = archive.read("MISSING.txt").decode()
    assert missing == "No stored PDF for invoice ids: " + ", ".join(str(i.id) for i in without) + f", {unknown}\n"


def test_the_zip_is_read_a_batch_at_a_time(app):
    invoices = approved_invoices(AccountFactory(), zip_export.BATCH * 2 + 1)
    stored_pdfs(invoices)
    db.session.commit()
    _filename, chunks = invoices_pdf_zip([i.id for i in invoices], actor=CLERK)
    parts = list(chunks)
    # One chunk per batch of PDFs, then the central directory.
    assert len(parts) == 4
    assert zipfile.ZipFile(io.BytesIO(b"".join(parts))).namelist()[-1] == f"{invoices[-1].invoice_number}.pdf"


def test_an_empty_selection_is_refused_before_anything_streams(app):
    with pytest.raises(ValidationFailed):
        invoices_pdf_zip([], actor=CLERK)


def test_the_zip_of_the_largest_selection_arrives_whole_through_a_real_server(live_server):
    invoices = approved_invoices(AccountFactory(), MAX_SELECTION)
    stored_pdfs(invoices)
    admin = AdminUserFactory(level=1)
    db.session.commit()
    http = signed_in_session(live_server.url, admin.email, PASSWORD)
    token = csrf_token(http.get(f"{live_server.url}/admin/invoices", timeout=30).text)
    response = http.post(
        f"{live_server.url}/admin/invoices/bulk",
        stream=True,
        timeout=60,
        data={"csrf_token": token, "action": "zip", "ids": [i.id for i in invoices]},
    )
    data = b"".join(response.iter_content(65536))  # a cut chunked body raises here
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="invoices.zip"'
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert len(archive.namelist()) == MAX_SELECTION and "MISSING.txt" not in archive.namelist()


def test_a_selection_over_the_limit_is_refused_whole_not_cut(app, admin_client):
    response = post(
        admin_client(1),
        "/admin/invoices/bulk",
        {"action": "zip", "ids": [str(i) for i in range(1, MAX_SELECTION + 2)]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert f"select at most {MAX_SELECTION} invoices at a time ({MAX_SELECTION + 1} were selected)" in response.text
    assert response.headers["Content-Type"].startswith("text/html")
