"""Download links: signed tokens naming a stored link row, with expiry, use count and revocation.

The token only says which link it is (`{"l": id, "n": nonce}`, signed with a dedicated
salt and the app's keys, so old keys in SECRET_KEY_FALLBACKS keep links working after a
rotation). Everything that can change — expiry, uses, revocation — lives in the database,
and one conditional UPDATE takes a use, so two requests can never both take the last one.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from portal.audit import record_event
from portal.documents.service import get_pdf_document, render_invoice_document
from portal.extensions import db
from portal.foundations.database import utcnow
from portal.foundations.errors import ErrorCode, FieldError, Gone, InvalidState, NotFound, ValidationFailed
from portal.foundations.permissions import Actor, require
from portal.foundations.signing import signing_keys
from portal.foundations.urls import public_url
from portal.models import DownloadLink, Invoice, InvoiceDocument
from portal.reading.customer_detail import get_invoice_for_customer, pdf_available

LINK_SALT = "portal.download-link"
PURPOSES = ("portal", "admin", "api", "email")
MAX_LIFETIME = dt.timedelta(days=90)
MAX_USES = 1000
INVALID = "This download link is not valid. Check that it was copied completely."
EXPIRED = "This download link has expired."
USED_UP = "This download link has been used as many times as it allows."
REVOKED = "This download link has been revoked."
# What people and API clients may choose for a link they ask for (the admin form, the backend API).
LINK_EXPIRY_HOURS = (1, 6, 24, 72, 168, 336, 720)
DEFAULT_LINK_EXPIRY_HOURS = 168
LINK_MAX_USES = (1, 2)


def requested_link_limits(expiry_hours, max_uses) -> tuple[dt.timedelta, int]:
    """The expiry and use count of a link someone asked for, checked against the choices offered.

    Every face that lets a person or client choose them calls this; links the portal mints for
    itself (a signed-in download, an e-mail) set their own within `mint_download_link`'s bounds.

    Returns (expires_in, max_uses) for `mint_download_link`.

    Raises:
        ValidationFailed: fields `expiry-hours` (not one of LINK_EXPIRY_HOURS) and `max-uses` (not one
            of LINK_MAX_USES), each with the code NOT_A_CHOICE; nothing is clamped.
    """
    errors: list[FieldError] = []
    if not _one_of(expiry_hours, LINK_EXPIRY_HOURS):
        errors.append(
            FieldError("expiry-hours", f"must be one of {_listed(LINK_EXPIRY_HOURS)}", ErrorCode.NOT_A_CHOICE)
        )
    if not _one_of(max_uses, LINK_MAX_USES):
        errors.append(FieldError("max-uses", f"must be one of {_listed(LINK_MAX_USES)}", ErrorCode.NOT_A_CHOICE))
    if errors:
        raise ValidationFailed(errors)
    return dt.timedelta(hours=expiry_hours), max_uses


def _one_of(value, choices: tuple[int, ...]) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and value in choices


def _listed(choices: tuple[int, ...]) -> str:
    return ", ".join(str(c) for c in choices)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(signing_keys(), salt=LINK_SALT)


def mint_download_link(
    invoice: Invoice, *, actor: Actor, expires_in: dt.timedelta, max_uses: int = 1, purpose: str
) -> tuple[DownloadLink, str]:
    """Create a download link for an approved invoice's PDF; returns (link row, token).

    The PDF is rendered first if the invoice has none yet. The token is not stored and is
    never logged; pass it to `download_url` to build the `/d/<token>` address.

    Raises:
        PermissionDenied: the actor may not mint links ("invoice.download_link").
        NotFound: a customer actor asked for another customer's invoice.
        InvalidState: the invoice is not approved, or its PDF cannot be rendered.
        ValidationFailed: expiry not in (0, 90 days], max_uses not in 1..1000, unknown purpose.
    """
    require(actor, "invoice.download_link")
    if actor.kind == "customer" and actor.customer_id != invoice.customer_id:
        raise NotFound(f"The record identified by {invoice.uuid} could not be found.")
    errors: list[FieldError] = []
    if not isinstance(expires_in, dt.timedelta) or not dt.timedelta(0) < expires_in <= MAX_LIFETIME:
        errors.append(FieldError("expires-in", "must be more than 0 and at most 90 days"))
    if isinstance(max_uses, bool) or not isinstance(max_uses, int) or not 1 <= max_uses <= MAX_USES:
        errors.append(FieldError("max-uses", f"must be between 1 and {MAX_USES}"))
    if purpose not in PURPOSES:
        errors.append(FieldError("purpose", "must be one of " + ", ".join(PURPOSES)))
    if errors:
        raise ValidationFailed(errors)
    if not invoice.is_approved:
        raise InvalidState("Download links are only for approved invoices")
    if get_pdf_document(invoice) is None and render_invoice_document(invoice, actor=actor) is None:
        raise InvalidState(f"The invoice PDF could not be rendered: {invoice.pdf_error}")
    link = DownloadLink(
        invoice_id=invoice.id,
        nonce=secrets.token_urlsafe(16),
        expires_at=utcnow() + expires_in,
        max_uses=max_uses,
        uses=0,
        purpose=purpose,
        created_by=actor.label,
    )
    db.session.add(link)
    db.session.flush()
    token = _serializer().dumps({"l": link.id, "n": link.nonce})
    record_event(
        actor,
        "invoice.download_link_created",
        link,
        invoice_id=invoice.id,
        link_id=link.id,
        purpose=purpose,
        max_uses=max_uses,
        expires_at=link.expires_at.isoformat(),
    )
    return link, token


def mint_portal_download_link(invoice: Invoice, *, actor: Actor) -> tuple[DownloadLink, str]:
    """The one-use link behind a signed-in "Download PDF" click, valid `PORTAL_DOWNLOAD_LINK_MINUTES` minutes.

    Same errors as mint_download_link. The view can answer `307` to `download_url(token,
    external=False)`: the browser repeats its POST there and the download starts at once.
    """
    minutes = int(current_app.config.get("PORTAL_DOWNLOAD_LINK_MINUTES") or 10)
    return mint_download_link(
        invoice, actor=actor, expires_in=dt.timedelta(minutes=minutes), max_uses=1, purpose="portal"
    )


def download_url(token: str, external: bool = True) -> str:
    """The `/d/<token>` address; external ones are built on BASE_URL and work outside a request."""
    if external:
        return public_url("download.landing", token=token)
    return url_for("download.landing", token=token)


def _token_data(token: str) -> dict | None:
    """The signed content of a token (`{"l": link id, "n": nonce}`), or None when tampered or malformed."""
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("l"), int) or not isinstance(data.get("n"), str):
        return None
    return data


def find_link(token: str) -> DownloadLink | None:
    """The link a correctly signed token names, whatever its state; None for anything else."""
    data = _token_data(token)
    if data is None:
        return None
    link = db.session.get(DownloadLink, data["l"])
    if link is None or not secrets.compare_digest(link.nonce, data["n"]):
        return None
    return link


def link_problem(link: DownloadLink, now: dt.datetime | None = None) -> str | None:
    """Why the link can no longer be used (revoked, expired, used up), or None while it works."""
    now = now or utcnow()
    if link.revoked_at is not None:
        return REVOKED
    if link.expires_at <= now:
        return EXPIRED
    if link.uses >= link.max_uses:
        return USED_UP
    return None


def read_link(token: str) -> DownloadLink:
    """The usable link behind a token (reading takes no use).

    Raises:
        NotFound: tampered, malformed or unknown token.
        Gone: the link is revoked, expired or used up; the message says which.
    """
    link = find_link(token)
    if link is None:
        raise NotFound(INVALID)
    problem = link_problem(link)
    if problem:
        raise Gone(problem)
    return link


def consume_download(token: str) -> tuple[Invoice, InvoiceDocument]:
    """Take one use of the link and return the invoice and its stored PDF.

    The first statement is one conditional UPDATE (same nonce, `uses < max_uses`, not
    revoked, not expired) and its row count decides; nothing is read first and written
    after, so concurrent requests never get more downloads than `max_uses` (and on SQLite
    the transaction starts as a writer). Records `invoice.downloaded_at` and an audit event.
    On an error the caller rolls back, which also gives the use back.

    Raises:
        NotFound: tampered or unknown token, or the invoice has no stored PDF.
        Gone: revoked, expired or used up (also when a concurrent request took the last use).
    """
    data = _token_data(token)
    if data is None:
        raise NotFound(INVALID)
    now = utcnow()
    taken = db.session.execute(
        update(DownloadLink)
        .where(
            DownloadLink.id == data["l"],
            DownloadLink.nonce == data["n"],
            DownloadLink.uses < DownloadLink.max_uses,
            DownloadLink.revoked_at.is_(None),
            DownloadLink.expires_at > now,
        )
        .values(uses=DownloadLink.uses + 1, last_used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    link = find_link(token)
    if link is not None:
        db.session.refresh(link)
    if taken != 1:
        if link is None:
            raise NotFound(INVALID)
        raise Gone(link_problem(link, now) or USED_UP)
    invoice = link.invoice
    document = get_pdf_document(invoice)
    if document is None:
        raise NotFound("The document of this invoice is not available.")
    invoice.downloaded_at = now
    record_event(
        Actor(f"download-link:{link.id}", kind="system"),
        "invoice.downloaded",
        invoice,
        invoice_id=invoice.id,
        link_id=link.id,
        purpose=link.purpose,
        use=link.uses,
    )
    db.session.flush()
    return invoice, document


def revoke_download_link(link: DownloadLink, *, actor: Actor) -> DownloadLink:
    """Stop a link from working at once (idempotent).

    Raises PermissionDenied, or NotFound for a customer actor and another customer's link.
    """
    require(actor, "invoice.download_link")
    if actor.kind == "customer" and actor.customer_id != link.invoice.customer_id:
        raise NotFound("The record could not be found.")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        record_event(actor, "invoice.download_link_revoked", link, invoice_id=link.invoice_id, link_id=link.id)
    db.session.flush()
    return link


def download_pdf_for_customer(scope, invoice_uuid, *, actor):
    """A customer's "Download PDF" click: mint a single-use portal link and redeem it at once.

    The link lives `PORTAL_DOWNLOAD_LINK_MINUTES` minutes (mint_portal_download_link).

    Going through a download link keeps one path for every PDF download (use counts, the
    invoice's downloaded mark and the audit trail), whether the click came from the portal or a mail.

    Returns:
        (invoice, document) with the stored PDF.
    Raises:
        NotFound: the invoice is outside the customer's scope.
        InvalidState: no PDF has been rendered for the invoice yet (nothing is rendered on the click).
    """
    invoice = get_invoice_for_customer(scope, invoice_uuid)
    if not pdf_available(invoice):
        raise InvalidState(
            "The PDF of this invoice is not ready yet. Please try again later; "
            "billing has been told when a document could not be produced."
        )
    _link, token = mint_portal_download_link(invoice, actor=actor)
    return consume_download(token)
