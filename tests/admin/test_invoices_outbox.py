"""The Outbox page: what would have been sent, newest first; one message with its HTML sandboxed."""

from __future__ import annotations

from portal.mail import send_message


def test_outbox_lists_and_shows_messages_safely(app, admin_client, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_HOST", None)
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(tmp_path))
    send_message(
        ["ap@customer.example"],
        "Invoice INV-9",
        "Text body",
        '<p>Hi</p><script>alert("x")</script>',
        [("INV-9.pdf", "application/pdf", b"%PDF-1.4")],
    )
    client = admin_client(1)
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "Invoice INV-9" in listing and "ap@customer.example" in listing and "INV-9.pdf" in listing
    name = next(p.name for p in tmp_path.glob("*.eml"))
    page = client.get(f"/admin/outbox/{name}").get_data(as_text=True)
    assert "Text body" in page and "INV-9.pdf" in page
    assert 'sandbox=""' in page
    assert "<script>alert" not in page  # the HTML body only appears escaped inside srcdoc
    assert "&lt;script&gt;" in page


def test_unknown_or_escaping_message_names_are_404(app, admin_client, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(tmp_path))
    client = admin_client(1)
    assert client.get("/admin/outbox/nothing.eml").status_code == 404
    assert client.get("/admin/outbox/..%2Fportal.sqlite3").status_code == 404


def test_empty_outbox(app, admin_client, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(tmp_path / "none"))
    assert "The outbox is empty." in admin_client(1).get("/admin/outbox").get_data(as_text=True)
