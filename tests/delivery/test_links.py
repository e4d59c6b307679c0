"""Download links: landing page, counted POST download, 404/410 pages, rotation, revocation, exact use counts."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from portal.delivery.links import consume_download, download_url, mint_download_link, read_link, revoke_download_link
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import Gone, InvalidState, NotFound, PermissionDenied, ValidationFailed
from portal.foundations.permissions import Actor
from portal.models import AuditEvent, DownloadLink, Invoice
from tests.auth.conftest import post_login
from tests.delivery.conftest import ADMIN
from tests.documents.conftest import make_invoice
from tests.factories import CustomerUserFactory


def path(token: str) -> str:
    return f"/d/{token}"


def uses(link) -> int:
    db.session.expire_all()
    return db.session.get(DownloadLink, link.id).uses


def test_landing_page_shows_the_invoice_and_consumes_nothing(client, invoice, mint):
    link, token = mint(invoice, max_uses=2)
    for _ in range(3):
        page = client.get(path(token))
        assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert invoice.invoice_number in html and "Download PDF" in html and "Downloads left" in html
    assert f'action="/d/{token}"' in html and 'method="post"' in html
    assert client.head(path(token)).status_code == 200
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    assert uses(link) == 0


def test_post_downloads_the_stored_pdf_and_records_it(client, invoice, mint):
    link, token = mint(invoice)
    response = client.post(path(token))  # no CSRF token: the signed token is the credential
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{invoice.invoice_number}.pdf"'
    assert uses(link) == 1
    assert db.session.get(Invoice, invoice.id).downloaded_at is not None
    assert db.session.query(AuditEvent).filter_by(action="invoice.downloaded", invoice_id=invoice.id).count() == 1


def test_used_up_link_is_410_with_an_explanation(client, invoice, mint):
    link, token = mint(invoice, max_uses=1)
    assert client.post(path(token)).status_code == 200
    for response in (client.post(path(token)), client.get(path(token))):
        assert response.status_code == 410
        assert "used as many times as it allows" in response.get_data(as_text=True)
    assert uses(link) == 1


def test_expired_link_is_410(client, invoice, mint):
    link, token = mint(invoice)
    link.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    for response in (client.get(path(token)), client.post(path(token))):
        assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert uses(link) == 0


def test_revoked_link_is_410(client, invoice, mint):
    link, token = mint(invoice, max_uses=5)
    revoke_download_link(link, actor=ADMIN)
    db.session.commit()
    for response in (client.get(path(token)), client.post(path(token))):
        assert response.status_code == 410 and "revoked" in response.get_data(as_text=True)
    with pytest.raises(Gone, match="revoked"):
        read_link(token)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("xx" if not t.endswith("xx") else "yy"),
        lambda t: "x" + t,
        lambda t: "not-a-token",
        lambda t: "a" * 2000,
    ],
)
def test_tampered_token_is_404(client, invoice, mint, mangle):
    link, token = mint(invoice)
    bad = mangle(token)
    for response in (client.get(path(bad)), client.post(path(bad))):
        assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)
    assert uses(link) == 0


def test_token_of_a_deleted_link_or_wrong_nonce_is_404(app, invoice, mint):
    from itsdangerous import URLSafeSerializer

    from portal.delivery.links import LINK_SALT

    link, token = mint(invoice)
    forged = URLSafeSerializer(app.config["SECRET_KEY"], salt=LINK_SALT).dumps({"l": link.id, "n": "guess"})
    with pytest.raises(NotFound):
        consume_download(forged)
    other_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="portal.password-reset").dumps(
        {"l": link.id, "n": link.nonce}
    )
    with pytest.raises(NotFound):
        read_link(other_salt)


def test_old_key_in_fallbacks_keeps_links_working(app, client, invoice, mint):
    link, token = mint(invoice, max_uses=3)
    saved = app.config["SECRET_KEY"], list(app.config["SECRET_KEY_FALLBACKS"])
    try:
        app.config.update(SECRET_KEY="the-new-key", SECRET_KEY_FALLBACKS=[saved[0]])
        assert client.post(path(token)).status_code == 200
        _, new_token = mint(invoice)
        assert client.post(path(new_token)).status_code == 200
        app.config.update(SECRET_KEY_FALLBACKS=[])  # the old key retired: its links stop working
        assert client.post(path(token)).status_code == 404
    finally:
        app.config.update(SECRET_KEY=saved[0], SECRET_KEY_FALLBACKS=saved[1])
    assert uses(link) == 1


def test_download_url_works_outside_a_request_on_base_url(app, invoice, mint):
    _, token = mint(invoice)
    assert download_url(token) == f"http://localhost/d/{token}"
    app.config["BASE_URL"] = "https://billing.telco.example/portal"
    try:
        assert download_url(token) == f"https://billing.telco.example/portal/d/{token}"
    finally:
        app.config["BASE_URL"] = "http://localhost"


def test_minting_rules(app, mint):
    pending = make_invoice(approve=False)
    with pytest.raises(InvalidState):
        mint(pending)
    invoice = make_invoice(account=None)
    with pytest.raises(PermissionDenied):
        mint(invoice, actor=Actor("reader", kind="admin", level=2))
    with pytest.raises(ValidationFailed) as errors:
        mint_download_link(invoice, actor=ADMIN, expires_in=dt.timedelta(0), max_uses=0, purpose="x")
    assert [str(e) for e in errors.value.errors] == [
        "expires-in - must be more than 0 and at most 90 days",
        "max-uses - must be between 1 and 1000",
        "purpose - must be one of portal, admin, api, email",
    ]
    stranger = Actor("other@customer.example", kind="customer", level=0, customer_id=invoice.customer_id + 1000)
    with pytest.raises(NotFound):
        mint(invoice, actor=stranger)


def test_minting_renders_a_missing_pdf_first(app, client, mint):
    invoice = make_invoice(render=False)
    _, token = mint(invoice)
    assert client.post(path(token)).data.startswith(b"%PDF")


def test_signed_in_customer_sees_a_way_to_a_fresh_link(app, client, invoice, mint):
    user = CustomerUserFactory(customer=invoice.customer)
    db.session.commit()
    link, token = mint(invoice)
    link.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    anonymous = client.get(path(token)).get_data(as_text=True)
    assert "Sign in" in anonymous and "/customer/" not in anonymous
    post_login(client, user.email)
    html = client.get(path(token)).get_data(as_text=True)
    if "customer.invoice_detail" in app.view_functions:
        assert "Open the invoice to get a new link" in html and str(invoice.uuid) in html
    else:
        assert "Open the invoice in the portal" in html


def test_customer_of_another_customer_gets_no_link_to_the_invoice(app, client, invoice, mint):
    stranger = CustomerUserFactory()
    db.session.commit()
    link, token = mint(invoice)
    revoke_download_link(link, actor=ADMIN)
    db.session.commit()
    post_login(client, stranger.email)
    html = client.get(path(token)).get_data(as_text=True)
    assert str(invoice.uuid) not in html and "Open the invoice to get a new link" not in html


@pytest.mark.parametrize("max_uses, threads", [(1, 20), (4, 50)])
def test_max_uses_holds_exactly_under_concurrency(app, invoice, mint, max_uses, threads):
    link, token = mint(invoice, max_uses=max_uses)
    barrier = threading.Barrier(threads)
    results: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def hit():
        client = app.test_client()
        barrier.wait()
        response = client.post(path(token))
        with lock:
            results.append((response.status_code, response.data[:4]))

    workers = [threading.Thread(target=hit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    granted = [r for r in results if r == (200, b"%PDF")]
    assert len(results) == threads
    assert len(granted) == max_uses, results
    assert all(status == 410 for status, _ in results if (status, _) not in granted)
    assert uses(link) == max_uses


def test_portal_click_link_is_one_use_for_the_configured_minutes(app, client, invoice):
    from portal.delivery.links import mint_portal_download_link
    from portal.foundations.permissions import customer_actor

    user = CustomerUserFactory(customer=invoice.customer)
    db.session.commit()
    before = utcnow()
    link, token = mint_portal_download_link(invoice, actor=customer_actor(user))
    db.session.commit()
    minutes = app.config["PORTAL_DOWNLOAD_LINK_MINUTES"]
    assert link.max_uses == 1 and link.purpose == "portal" and link.created_by == user.email
    assert before + dt.timedelta(minutes=minutes - 1) < link.expires_at <= utcnow() + dt.timedelta(minutes=minutes)
    assert client.post(path(token)).data.startswith(b"%PDF")
    assert client.post(path(token)).status_code == 410
