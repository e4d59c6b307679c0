"""Rendering invoice PDFs with WeasyPrint: one function, plain data in, bytes out.

WeasyPrint keeps memory flat across thousands of renders only when every render shares
one FontConfiguration (a new one per document leaks fontconfig and Pango caches) and its
URL fetcher never reaches the network, so both live here, once per process.

Python's cyclic garbage collector is paused while a render runs: a render allocates tens of
thousands of boxes that live until it ends, and each full collection it triggers walks every
object of the process (the app, SQLAlchemy, WeasyPrint's caches), which cost a quarter of the
CPU time of a long invoice. The boxes are freed by reference counting when the render returns;
the collector runs again as soon as no render is in progress.
"""

from __future__ import annotations

import gc
import mimetypes
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portal.einvoice.pdfa import render_facturx_pdf
from portal.foundations.i18n import in_language

DEFAULT_TEMPLATE = "pdf/invoice.html"

_font_config: FontConfiguration | None = None
_font_lock = threading.Lock()


def font_configuration() -> FontConfiguration:
    """The process-wide FontConfiguration, created on first use."""
    global _font_config
    if _font_config is None:
        with _font_lock:
            if _font_config is None:
                _font_config = FontConfiguration()
    return _font_config


class StaticFilesOnly(URLFetcher):
    """A URL fetcher that serves files under one folder (the app's `static/`) and refuses the rest.

    No http(s), no data: from untrusted input, no file outside the folder (`..` and
    symlinks are resolved before the check). A refusal raises ValueError, which WeasyPrint
    logs and skips, so a stray URL in a template never makes a render fetch anything.
    """

    def __init__(self, root: str | Path):
        super().__init__(fail_on_errors=False)
        self.root = Path(root).resolve()

    def fetch(self, url, headers=None):
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})

    def resolve(self, url: str) -> Path:
        """The file a URL names, if it lies under the root; ValueError otherwise."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused to fetch {parts.scheme or 'relative'} URL: only static files are served")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError("refused to fetch a file outside the static folder")
        return path


_fetchers: dict[str, StaticFilesOnly] = {}


def static_fetcher() -> StaticFilesOnly:
    root = current_app.static_folder
    if root not in _fetchers:
        _fetchers[root] = StaticFilesOnly(root)
    return _fetchers[root]


_gc_lock = threading.Lock()
_gc_renders = 0  # renders in progress in this process
_gc_resume = False  # whether the collector was enabled when the first of them started
_gc_finished_while_paused = 0
# Renders overlapping without a break (threads) would keep the collector paused: collect every so often.
COLLECT_EVERY = 8


@contextmanager
def cyclic_gc_paused():
    """Pause automatic cyclic garbage collection for the duration of a render (thread-safe, nestable)."""
    global _gc_renders, _gc_resume, _gc_finished_while_paused
    with _gc_lock:
        if _gc_renders == 0:
            _gc_resume = gc.isenabled()
            _gc_finished_while_paused = 0
            gc.disable()
        _gc_renders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_renders -= 1
            _gc_finished_while_paused += 1
            collect = _gc_renders > 0 and _gc_finished_while_paused % COLLECT_EVERY == 0
            if _gc_renders == 0 and _gc_resume:
                gc.enable()
        if collect:  # outside the lock: other renders may start or end meanwhile
            gc.collect()


def render_invoice_pdf(context: dict, template: str | None = None, *, cii_xml: bytes | None = None) -> bytes:
    """The invoice PDF for `context` (from `invoice_pdf_context`) as bytes.

    `template` defaults to the app's `PDF_TEMPLATE` setting, else `pdf/invoice.html`. The text is in the
    context's `language` (the customer's), English without one. With `cii_xml` (the invoice's
    Factur-X CII) the PDF is a Factur-X PDF/A-3b carrying it as factur-x.xml; without, a plain PDF (drafts).
    Raises whatever Jinja or WeasyPrint raise; the caller records failures.
    """
    with in_language(context.get("language")):
        html = render_template(template or current_app.config.get("PDF_TEMPLATE") or DEFAULT_TEMPLATE, **context)
    fetcher = static_fetcher()
    with cyclic_gc_paused():
        document = HTML(string=html, base_url=fetcher.root.as_uri() + "/", url_fetcher=fetcher)
        if cii_xml is not None:
            return render_facturx_pdf(document, cii_xml, font_config=font_configuration())
        return document.write_pdf(font_config=font_configuration())
