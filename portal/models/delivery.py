"""Delivery records: download links and e-mail attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.foundations.database import utcnow
from portal.models.columns import InvoiceOwned


class DownloadLink(InvoiceOwned, db.Model):
    """A signed, expiring, use-limited link to an invoice PDF.

    The signed token carries only `id` and `nonce`; expiry, uses and revocation live here so
    that the use count can be enforced by one conditional UPDATE.
    """

    __tablename__ = "download_links"
    __table_args__ = (
        CheckConstraint("uses >= 0 AND uses <= max_uses", name="uses"),
        CheckConstraint("max_uses >= 1", name="max_uses"),
    )

    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime]
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[dt.datetime | None]
    purpose: Mapped[str] = mapped_column(String(20), default="portal")  # portal | admin | api | email
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]

    invoice = relationship("Invoice")


EMAIL_STATUSES = ("queued", "sending", "sent", "failed", "outbox")


class EmailDelivery(InvoiceOwned, db.Model):
    """One request to e-mail an invoice (or its CDR files): who, to whom, and how it went.

    A queued request (`queued`) is claimed by one try of the send job (`sending`, committed
    before the message goes out, so a later try never sends it again) and ends `sent`
    (`outbox` without SMTP) or `failed` with the error.
    """

    __tablename__ = "email_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'outbox')", name="status"),
        CheckConstraint("kind IN ('invoice', 'cdrs')", name="kind"),
    )

    kind: Mapped[str] = mapped_column(String(10), default="invoice")
    recipients: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10))
    error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # What a queued request asked for beyond the recipients (bill style, message, attachments, usage report).
    options: Mapped[dict | None] = mapped_column(JSON)
    # Tries of the send job that claimed this request (0 while queued).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[dt.datetime | None]

    invoice = relationship("Invoice")
