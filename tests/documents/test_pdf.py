"""Invoice PDFs read back with pypdf: content, bill styles, page numbers, repeated headers, failures, memory."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import re
from pathlib import Path

import pytest

from portal.billing.invoices import approve_invoice, recreate_documents
from portal.documents.context import invoice_pdf_context
from portal.documents.pdf import cyclic_gc_paused, font_configuration, render_invoice_pdf, static_fetcher
from portal.documents.service import get_pdf_document, render_invoice_document
from portal.extensions import db
from portal.foundations.errors import InvalidState, PermissionDenied
from portal.foundations.permissions import Actor
from portal.models import AuditEvent, BillStyle, InvoiceDocument
from tests.documents.conftest import make_invoice, pdf_text
from tests.factories import CustomerFactory


def test_approval_stores_a_pdf_with_number_totals_and_a_destination_row(app, invoice):
    document = get_pdf_document(invoice)
    assert document is not None and invoice.pdf_error is None
    assert document.filename == f"{invoice.invoice_number}.pdf" == "INV-2026-000001.pdf"
    assert document.data.startswith(b"%PDF")
    assert document.sha256 == hashlib.sha256(document.data).hexdigest() and document.size == len(document.data)
    assert document.bill_style == "Full" and document.render_ms >= 0
    text = "\n".join(pdf_text(document.data))
    assert "INV-2026-000001" in text
    assert "€3.75" in text and "€13.75" in text  # originated, net
    assert "€16.50" in text  # total with 20% VAT
    assert "49151 Germany Vodafone DE 0.0500 1 1 25.0 €1.25" in text
    assert "Customer" in text and "DE1" in text  # customer name and VAT number
    assert "Telco Networks" in text and "1 Carrier Street" in text
    assert "May 1, 2026 – May 31, 2026" in text  # half-open period shown to its last day
    assert re.search(r"Page 1 of \d", text)


def test_period_is_shown_in_the_account_time_zone(app):
    invoice = make_invoice(timezone="America/New_York")
    text = "\n".join(pdf_text(get_pdf_document(invoice).data))
    # [May 1 00:00 UTC, Jun 1 00:00 UTC) is Apr 30 20:00 – May 31 20:00 in New York.
    assert "Apr 30, 2026 – May 31, 2026" in text


def test_summary_style_has_no_destination_table(app):
    invoice = make_invoice(bill_style="Summary")
    text = "\n".join(pdf_text(get_pdf_document(invoice).data))
    assert "Traffic by network" in text and "Total" in text
    assert "Traffic by destination" not in text and "Prefix" not in text and "49151" not in text
    assert get_pdf_document(invoice).bill_style == "Summary"


def test_named_bill_style_decides_the_layout(app):
    db.session.add(BillStyle(name="Carrier short", layout="summary"))
    invoice = make_invoice(bill_style="Carrier short")
    assert "Prefix" not in "\n".join(pdf_text(get_pdf_document(invoice).data))


def test_reverse_charge_customer_gets_the_reverse_vat_note(app):
    customer = CustomerFactory(reverse_charge=True)
    from tests.factories import AccountFactory

    invoice = make_invoice(account=AccountFactory(customer=customer))
    text = " ".join(" ".join(pdf_text(get_pdf_document(invoice).data)).split())
    assert "reverse charge" in text and "Reverse charge: VAT to be accounted for by the recipient" in text
    assert "VAT to account for: €2.75" in text


def test_long_invoice_spans_pages_with_repeated_table_headers(app):
    invoice = make_invoice(destinations=200)
    pages = pdf_text(get_pdf_document(invoice).data)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    for page in pages[1:]:
        assert "Prefix Country Network Rate Calls Successful Minutes Amount" in page
    everything = "\n".join(pages)
    assert all(f"49{151 + n} Germany" in everything for n in range(200))


def test_render_failure_is_recorded_and_approval_still_succeeds_then_recreate_repairs(app):
    invoice = make_invoice(approve=False)
    app.config["PDF_TEMPLATE"] = "pdf/no-such-template.html"
    try:
        approve_invoice(invoice, today=dt.date(2026, 6, 2))
        db.session.commit()
    finally:
        app.config.pop("PDF_TEMPLATE")
    assert invoice.state == "Approved" and invoice.invoice_number
    assert "TemplateNotFound" in invoice.pdf_error
    assert get_pdf_document(invoice) is None
    assert db.session.query(AuditEvent).filter_by(action="invoice.pdf_failed", invoice_id=invoice.id).count() == 1

    document = recreate_documents(invoice, actor=Actor("admin@telco.example", kind="admin", level=3))
    db.session.commit()
    assert document is not None and invoice.pdf_error is None
    assert get_pdf_document(invoice).data.startswith(b"%PDF")


def test_recreate_replaces_the_stored_document(app, invoice):
    first = get_pdf_document(invoice)
    recreate_documents(invoice, actor=Actor("ops", kind="admin", level=3))
    db.session.commit()
    assert db.session.query(InvoiceDocument).filter_by(invoice_id=invoice.id, kind="pdf").count() == 1
    assert get_pdf_document(invoice).id == first.id


def test_recreate_rules(app):
    new = make_invoice(approve=False)
    new.state = "New"
    with pytest.raises(InvalidState):
        recreate_documents(new, actor=Actor("ops", kind="admin", level=5))
    pending = make_invoice(approve=False, account=None)
    with pytest.raises(PermissionDenied):
        recreate_documents(pending, actor=Actor("reader", kind="admin", level=2))
    with pytest.raises(PermissionDenied):
        recreate_documents(pending, actor=Actor("cust", kind="customer", level=0, customer_id=1))
    document = recreate_documents(pending, actor=Actor("ops", kind="admin", level=3))
    assert document.filename == f"DRAFT-{pending.reference}.pdf"
    assert "Draft invoice" in pdf_text(document.data)[0]


def test_bulk_approval_renders_through_the_job(app):
    from portal.documents.tasks import render_pdf_job

    invoice = make_invoice(render=False)
    assert get_pdf_document(invoice) is None
    assert render_pdf_job(invoice.id)() == "rendered"
    db.session.expire_all()
    assert get_pdf_document(invoice) is not None
    assert render_pdf_job(invoice.id)() == "already rendered"
    assert render_pdf_job(999999)() == "gone"


def test_fetcher_serves_static_files_only(app):
    fetcher = static_fetcher()
    root = Path(app.static_folder).resolve()
    response = fetcher.fetch((root / "css" / "portal.css").as_uri())
    assert b"prefers-color-scheme" in response.read()
    for url in [
        "https://example.com/x.css",
        "http://127.0.0.1:1/",
        "ftp://example.com/x",
        "file:///etc/passwd",
        (root / ".." / "portal" / "config.py").as_uri(),
        "file://evil.example/static/css/portal.css",
        "data:text/css,body{}",
        "css/portal.css",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_external_references_in_a_template_never_leak_into_the_pdf(app, invoice, tmp_path):
    secret = Path("/etc/hostname")
    context = invoice_pdf_context(invoice)
    context["organization"]["name"] = "Org"
    html = tmp_path / "evil.html"
    html.write_text('<img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">ok')
    app.jinja_loader.searchpath.append(str(tmp_path))
    try:
        data = render_invoice_pdf(context, template="evil.html")
    finally:
        app.jinja_loader.searchpath.remove(str(tmp_path))
    assert data.startswith(b"%PDF") and "ok" in pdf_text(data)[0]
    if secret.exists():
        assert secret.read_bytes().strip() not in data


def test_one_font_configuration_per_process(app):
    assert font_configuration() is font_configuration()


def test_garbage_collector_is_paused_during_a_render_and_resumed_after(app, invoice, monkeypatch):
    import weasyprint

    seen = []
    write_pdf = weasyprint.HTML.write_pdf
    monkeypatch.setattr(
        weasyprint.HTML, "write_pdf", lambda self, *a, **k: seen.append(gc.isenabled()) or write_pdf(self, *a, **k)
    )
    assert gc.isenabled()
    assert render_invoice_pdf(invoice_pdf_context(invoice)).startswith(b"%PDF")
    assert seen == [False] and gc.isenabled()


def test_garbage_collector_pause_nests_survives_errors_and_keeps_a_disabled_collector_disabled(app):
    assert gc.isenabled()
    with cyclic_gc_paused():
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer render is still running
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        raise RuntimeError("render failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # whoever disabled it keeps it disabled
    finally:
        gc.enable()


def test_no_text_of_the_invoice_asks_pango_for_opentype_features(app, monkeypatch):
    """WeasyPrint leaks a Pango attribute per text layout whose style sets OpenType features (e.g.
    `font-variant-numeric: tabular-nums`): 22 MiB over 500 renders. The invoice stylesheet sets none."""
    from weasyprint.text import line_break

    real, requested = line_break.pango, []

    class CountingPango:
        def __getattr__(self, name):
            if name == "pango_attr_font_features_new":
                requested.append(name)
            return getattr(real, name)

    monkeypatch.setattr(line_break, "pango", CountingPango())
    data = render_invoice_pdf(invoice_pdf_context(make_invoice(destinations=3)))
    assert "49151 Germany Vodafone DE" in "\n".join(pdf_text(data))
    assert requested == []


def test_renders_that_keep_overlapping_still_collect_every_few_renders(app, monkeypatch):
    from portal.documents import pdf

    collections = []
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(args) or 0)
    with cyclic_gc_paused():  # a long render on one thread...
        for _ in range(2 * pdf.COLLECT_EVERY - 1):  # ...while others finish beside it
            with cyclic_gc_paused():
                pass
        assert not gc.isenabled()
    assert len(collections) == 1 and gc.isenabled()


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_memory_stays_flat_over_many_renders(app, invoice):
    context = invoice_pdf_context(invoice)
    for _ in range(8):  # warm caches (fonts, templates, Pango) before measuring
        render_invoice_pdf(context)
    gc.collect()
    before = _rss_bytes()
    for _ in range(60):
        assert render_invoice_pdf(context).startswith(b"%PDF")
    gc.collect()
    growth = _rss_bytes() - before
    assert growth < 10 * 1024 * 1024, f"RSS grew by {growth / 1024 / 1024:.1f} MiB over 60 renders"


def test_unknown_bill_style_name_renders_the_full_layout(app, invoice):
    invoice.bill_style = "Something else"
    document = render_invoice_document(invoice)
    assert document is not None and document.bill_style == "Something else"
    assert "Traffic by destination" in "\n".join(pdf_text(document.data))
