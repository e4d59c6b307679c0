"""The stored PDFs of a selection of invoices as one ZIP file, built in memory under a size cap."""
from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from portal.errors import ValidationFailed
from portal.extensions import db
from portal.models import Invoice, InvoiceDocument
from portal.permissions import Actor, require

MAX_ZIP_BYTES = 100 * 1024 * 1024


def invoices_pdf_zip(invoice_ids: list[int], *, actor: Actor) -> tuple[str, bytes, list[int]]:
    """(filename, ZIP bytes, ids without a stored PDF) for the selected invoices.

    The archive is built in memory: PDFs are already compressed, so the cap (100 MiB of PDF
    data) bounds the memory a request can take. Invoices without a stored PDF are listed in
    MISSING.txt inside the archive.

    Raises ValidationFailed (field `ids`): nothing selected, or the PDFs exceed the cap.
    """
    require(actor, "invoice.read")
    if not invoice_ids:
        raise ValidationFailed.single("ids", "select at least one invoice")
    sizes = db.session.execute(
        select(InvoiceDocument.id, InvoiceDocument.size).where(InvoiceDocument.invoice_id.in_(invoice_ids),
                                                               InvoiceDocument.kind == "pdf")).all()
    if sum(size for _id, size in sizes) > MAX_ZIP_BYTES:
        raise ValidationFailed.single("ids", f"the selected PDFs exceed {MAX_ZIP_BYTES // (1024 * 1024)} MiB; "
                                             "select fewer invoices")
    buffer = io.BytesIO()
    missing: list[int] = []
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for invoice in db.session.scalars(select(Invoice).where(Invoice.id.in_(invoice_ids)).order_by(Invoice.id)):
            document = db.session.scalars(select(InvoiceDocument).where(
                InvoiceDocument.invoice_id == invoice.id, InvoiceDocument.kind == "pdf")).first()
            if document is None:
                missing.append(invoice.id)
                continue
            name = document.filename if document.filename not in used else f"{invoice.id}-{document.filename}"
            used.add(name)
            archive.writestr(name, document.data)
        missing += [i for i in invoice_ids if db.session.get(Invoice, i) is None]
        if missing:
            archive.writestr("MISSING.txt", "No stored PDF for invoice ids: "
                             + ", ".join(str(i) for i in sorted(set(missing))) + "\n")
    return "invoices.zip", buffer.getvalue(), sorted(set(missing))
