"""The stored PDFs of a selection of invoices as one ZIP file, streamed member by member."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.foundations.errors import ValidationFailed
from portal.foundations.permissions import Actor, require
from portal.foundations.streaming import stream_with_own_session
from portal.models import InvoiceDocument

FILENAME = "invoices.zip"
BATCH = 25  # PDFs read from the database at a time: what one stream holds in memory


def invoices_pdf_zip(invoice_ids: list[int], *, actor: Actor) -> tuple[str, Iterator[bytes]]:
    """(filename, ZIP bytes as a stream) of the stored PDFs of the selected invoices, in invoice id order.

    The archive is written as it is sent: each PDF is read from the database (BATCH at a
    time, through the stream's own session) and written out as a stored member, so memory
    stays at one batch of PDFs whatever the selection, and the download starts at once.
    Selected ids without a stored PDF (or without an invoice) are listed in MISSING.txt,
    the archive's last member.

    Raises:
        PermissionDenied: the actor may not read invoices.
        ValidationFailed: (field `ids`) nothing selected; raised before anything streams.
    """
    require(actor, "invoice.read")
    if not invoice_ids:
        raise ValidationFailed.single("ids", "select at least one invoice")
    return FILENAME, stream_with_own_session(_zip_chunks, sorted(set(invoice_ids)))


class _Chunks(io.RawIOBase):
    """A write-only, unseekable sink: zipfile then writes each member's sizes after its data
    (a data descriptor, as every streamed ZIP does) instead of seeking back to its header."""

    def __init__(self):
        super().__init__()
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _zip_chunks(session: Session, invoice_ids: list[int]) -> Iterator[bytes]:
    sink = _Chunks()
    missing: list[int] = []
    used: set[str] = set()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for start in range(0, len(invoice_ids), BATCH):
            ids = invoice_ids[start : start + BATCH]
            documents = {
                row.invoice_id: row
                for row in session.execute(
                    select(InvoiceDocument.invoice_id, InvoiceDocument.filename, InvoiceDocument.data).where(
                        InvoiceDocument.invoice_id.in_(ids), InvoiceDocument.kind == "pdf"
                    )
                )
            }
            for invoice_id in ids:
                document = documents.get(invoice_id)
                if document is None:
                    missing.append(invoice_id)
                    continue
                name = document.filename if document.filename not in used else f"{invoice_id}-{document.filename}"
                used.add(name)
                archive.writestr(name, document.data)
            del documents
            yield sink.take()
        if missing:
            archive.writestr(
                "MISSING.txt", "No stored PDF for invoice ids: " + ", ".join(str(i) for i in missing) + "\n"
            )
    yield sink.take()  # the central directory
