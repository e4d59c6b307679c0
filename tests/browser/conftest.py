"""Browser tests: the app served on a loopback port, driven by Playwright in Debian's Chromium.

htmx is loaded from a CDN in the pages; the browser has no internet, so the test serves the
exact pinned file (fetched once from the npm registry with `npm pack`, checked against the
page's Subresource Integrity hash) through Playwright's request routing. axe-core, the
accessibility checker, comes the same way (tests/browser/vendor/ is not committed: a fresh clone
fetches both on its first browser test).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VENDOR = Path(__file__).parent / "vendor"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def npm_file(package: str, version: str, member: str) -> bytes:
    """One file of a pinned npm package (`npm pack` checks the registry's integrity hash), cached in vendor/."""
    cached = VENDOR / f"{package}-{version}-{Path(member).name}"
    if not cached.exists():
        if shutil.which("npm") is None:
            pytest.fail(f"browser tests need npm to fetch {package} (apt-get install -y npm)")
        VENDOR.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                ["npm", "pack", f"{package}@{version}", "--silent"],
                cwd=tmp,
                check=True,
                capture_output=True,
                timeout=120,
            )
            [tarball] = Path(tmp).glob("*.tgz")
            with tarfile.open(tarball) as tar:
                data = tar.extractfile(f"package/{member}").read()
        partial = cached.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(cached)  # whole or absent, even with several test processes fetching at once
    return cached.read_bytes()


@pytest.fixture(scope="session")
def htmx_js(_app) -> bytes:
    """The pinned htmx file, byte for byte what the CDN serves (verified by its SRI hash)."""
    version, expected = _app.config["HTMX_VERSION"], _app.config["HTMX_SRI"]
    data = npm_file("htmx.org", version, "dist/htmx.min.js")
    assert _sri(data) == expected, "the cached htmx file does not match the pinned integrity hash"
    return data


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("PORTAL_SKIP_BROWSER") == "1":
            pytest.skip("PORTAL_SKIP_BROWSER=1 and no Chromium")
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app, htmx_js):
    """A fresh browser context and page; the htmx CDN URL answers with the pinned file."""
    context = browser.new_context(accept_downloads=True)
    context.route(
        app.config["HTMX_URL"],
        lambda route: route.fulfill(
            status=200,
            body=htmx_js,
            content_type="application/javascript",
            headers={"Access-Control-Allow-Origin": "*"},
        ),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def browser_login(live_server):
    """Sign in through the real login form."""

    def _login(page, email: str, password: str):
        sign_in(page, live_server.url, email, password)

    return _login


def sign_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form of the server at `base_url` and wait until the page has settled."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def download_pdf(page, invoice, first_bytes: bytes = b"%PDF-") -> None:
    """Click "Download PDF" and check the file: named for the invoice number, a PDF."""
    with page.expect_download() as info:
        page.get_by_role("button", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == f"{invoice.invoice_number}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(len(first_bytes)) == first_bytes
