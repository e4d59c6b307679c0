"""Every customer and admin page is valid HTML by the Nu HTML checker (vnu), apart from htmx's own `hx-*`
attributes: the pages as the app serves them, forms re-shown with their errors included.

vnu comes from the npm registry (`vnu-jar`, fetched with `npm pack` into the uncommitted tests/browser/vendor/
like htmx and axe-core) and runs on Java. It is slow to start, so every page goes to one run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from portal.billing.credit_notes import issue_credit_note
from portal.extensions import db
from portal.models import AuditEvent
from tests.browser.conftest import npm_file
from tests.browser.test_accessibility import admin_pages, customer_pages, site  # noqa: F401 - fixture

VNU_VERSION = "26.9.27"
# htmx's attributes are not HTML's; vnu reports each one it meets.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element “[a-z0-9]+” at this point\.$")
VNU_OPTIONS = ["--errors-only", "--format", "json", "--exit-zero-always"]
# A page with one known error and an htmx attribute: the run must report that error, and only that one.
CANARY = '<!doctype html><html lang="en"><title>t</title><p id="a" hx-get="/x">1</p><p id="a">2</p></html>'
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_LINK = re.compile(r'id="link-url"[^>]*value="https?://[^/"]+(/d/[^"]+)"')


@pytest.fixture(scope="session")
def vnu_jar(tmp_path_factory):
    missing = [tool for tool in ("npm", "java") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"the Nu HTML checker needs {' and '.join(missing)} (apt-get install -y npm default-jre-headless)")
    jar = tmp_path_factory.mktemp("vnu") / "vnu.jar"
    jar.write_bytes(npm_file("vnu-jar", VNU_VERSION, "build/dist/vnu.jar"))
    return jar


def vnu_errors(jar, pages: dict[str, str], folder) -> list[str]:
    """Run vnu once on every page (name → HTML); its errors, htmx's attributes left out, as "name:line: message"."""
    names = {}
    for number, (name, html) in enumerate(pages.items()):
        path = folder / f"page{number}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = name
    run = subprocess.run(
        ["java", "-jar", str(jar), *VNU_OPTIONS, *map(str, folder.glob("*.html"))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(run.stderr or run.stdout)
    errors = []
    for message in report["messages"]:
        if message["type"] == "non-document-error" or HTMX_ATTRIBUTE.match(message["message"]):
            if message["type"] == "non-document-error":
                errors.append(f"vnu: {message['message']}")
            continue
        name = names.get(message.get("url", "").rpartition("/")[2], message.get("url"))
        extract = " ".join(message.get("extract", "").split())
        errors.append(f"{name}:{message.get('lastLine')}: {message['message']} ({extract})")
    return errors


def _html(response, path: str, statuses=(200,)) -> str:
    assert response.status_code in statuses, f"{path}: {response.status_code}"
    assert response.mimetype == "text/html", f"{path}: {response.mimetype}"
    return response.get_data(as_text=True)


def collect(client, paths: list[str], who: str, forms: dict[str, dict] | None = None) -> dict[str, str]:
    """The pages at `paths` and the pages `forms` (path → fields) answer with when posted with errors."""
    pages = {f"{who} {path}": _html(client.get(path), path) for path in paths}
    for path, fields in (forms or {}).items():
        token = _CSRF.search(client.get(path).get_data(as_text=True)).group(1)
        html = _html(client.post(path, data={"csrf_token": token, **fields}), path, (200, 422))
        assert 'aria-invalid="true"' in html, f"POST {path} shows no field error"
        pages[f"{who} POST {path}"] = html
    return pages


def test_every_page_is_valid_html(app, login, site, vnu_jar, tmp_path):
    customer, account, invoice = site["customer"], site["account"], site["invoice"]
    for number, (action, details) in enumerate(
        [
            ("invoice.approved", {"amount": "123.45", "currency": "EUR", "at": "2026-06-02T10:00:00+00:00"}),
            ("invoice.download_link_created", {"link_id": 1, "max_uses": 2, "expires_at": "2026-06-03T10:00:00"}),
            ("customer.updated", {"changed": ["name", "vat_id"], "customer_id": customer.id}),
        ]
    ):
        db.session.add(
            AuditEvent(
                actor=site["admin"].email,
                action=action,
                subject_type="invoices",
                subject_id=invoice.id + number,
                invoice_id=invoice.id,
                details=details,
            )
        )
    # A credit note against the invoice: the customer sees its own page, and the invoice's page lists it.
    note = issue_credit_note(invoice, mode="amount", amount="10.00", reason="Goodwill", render_pdf=False)
    db.session.commit()

    anonymous = app.test_client()
    pages = collect(anonymous, ["/login", "/password/forgot"], "anonymous")
    pages["anonymous 404"] = anonymous.get("/no-such-page").get_data(as_text=True)

    customer_client = app.test_client()
    login(site["customer_user"], customer_client)
    pages |= collect(
        customer_client,
        customer_pages(site) + [f"/portal/invoices/{note.uuid}"],
        "customer",
        forms={"/profile/password": {"current_password": "wrong", "new_password": "x", "confirm_password": "y"}},
    )

    admin_client = app.test_client()
    login(site["admin"], admin_client)
    pages |= collect(
        admin_client,
        admin_pages(site) + [f"/admin/audit?invoice={invoice.id}", "/admin/invoices?status=overdue"],
        "admin",
        forms={
            "/admin/customers/new": {"name": ""},
            f"/admin/customers/{customer.id}/edit": {"name": ""},
            f"/admin/customers/{customer.id}/accounts/new": {"name": "", "currency": "XX"},
            f"/admin/customers/{customer.id}/users/new": {"email": "not-an-address"},
            "/admin/users/admins/new": {"email": "not-an-address", "level": "9"},
            "/admin/api-keys/new": {"name": ""},
            "/admin/templates/messages/new": {"name": "", "subject": ""},
            # what a browser can send: a date field holds a date or nothing
            "/admin/invoices/new": {"customer": "", "account": "", "start_date": "2026-05-01"},
            "/admin/billing-runs/new": {"run_at": "2999-01-01T00:00:00"},
            f"/admin/accounts/{account.id}": {"name": "", "currency": "XX"},
        },
    )
    token = _CSRF.search(admin_client.get(f"/admin/invoices/{invoice.id}").get_data(as_text=True)).group(1)
    created = admin_client.post(
        f"/admin/invoices/{invoice.id}/links", data={"csrf_token": token, "expires_in": "24"}, follow_redirects=True
    )
    assert "shown only once" in created.get_data(as_text=True)
    pages["admin download link created"] = _html(created, "link created")
    link = _LINK.search(created.get_data(as_text=True)).group(1)
    pages["anonymous download link landing page"] = _html(anonymous.get(link), link)
    confirm = admin_client.post(f"/admin/invoices/{site['pending'].id}/delete", data={"csrf_token": token})
    pages["admin delete confirmation"] = _html(confirm, "delete confirmation")
    pages["admin 404"] = _html(admin_client.get("/admin/invoices/999999"), "admin 404", (404,))
    assert len(pages) > 40
    errors = vnu_errors(vnu_jar, {"canary": CANARY, **pages}, tmp_path)
    canary = [error for error in errors if error.startswith("canary:")]
    assert len(canary) == 1 and "Duplicate ID “a”" in canary[0], canary
    errors.remove(canary[0])
    assert errors == [], f"{len(errors)} errors:\n" + "\n".join(errors)
